// Full-text search over the site with Pagefind. The query is split into words with the browser's
// Intl.Segmenter (惠农补贴发放及时率 → 惠农 补贴 发放 及时 率), falling back to the query as typed.
// Pagefind segments the pages with its own Chinese dictionary when it indexes them, and the two
// segmentations do not always agree (河涌水质达标率 is indexed as words a query's pieces do not begin),
// so pages are also looked for that hold the query as typed: candidates found by each of its words,
// kept if their text contains the whole query. Those come first. Results are built as DOM text,
// never as HTML.
const siteRoot = new URL("..", import.meta.url);
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const yearSelect = document.getElementById("filter-year");
const departmentSelect = document.getElementById("filter-department");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");

export function segment(query) {
  if (typeof Intl === "undefined" || !Intl.Segmenter) return query.trim();
  const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
  return Array.from(segmenter.segment(query))
    .filter((part) => part.isWordLike)
    .map((part) => part.segment)
    .join(" ");
}

function decode(html) {
  // A textarea's content is plain text to the parser: entities are decoded, no element is made.
  const box = document.createElement("textarea");
  box.innerHTML = html;
  return box.value;
}

function excerptNodes(excerpt) {
  const nodes = [];
  excerpt.split(/(<mark>.*?<\/mark>)/).forEach((piece) => {
    const marked = piece.match(/^<mark>(.*)<\/mark>$/);
    if (marked) {
      const mark = document.createElement("mark");
      mark.textContent = decode(marked[1]);
      nodes.push(mark);
    } else if (piece) {
      nodes.push(document.createTextNode(decode(piece)));
    }
  });
  return nodes;
}

function wanted(data) {
  // Year and department are page metadata, not Pagefind filters: Pagefind writes its filter index
  // in a different order on every build, and the site must come out byte-identical.
  const meta = data.meta || {};
  return (!yearSelect.value || meta.year === yearSelect.value) &&
    (!departmentSelect.value || meta.department === departmentSelect.value);
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
const MAX_CANDIDATES = 200;
const MAX_RESULTS = 50;

function phrasePattern(query) {
  // The query's characters in order, any whitespace between them (a page's cells are spaced apart).
  const chars = Array.from(query.replace(/\s+/g, ""));
  return new RegExp(chars.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s*"));
}

async function containing(engine, query) {
  // Pages whose text holds the whole query, whatever words Pagefind cut it into.
  const words = segment(query).split(/\s+/).filter(Boolean);
  if (!CJK.test(query) || words.length < 2) return [];
  const found = new Map();
  for (const word of new Set(words)) {
    const search = await engine.search(word);
    search.results.forEach((result) => {
      const known = found.get(result.id);
      if (!known || known.score < result.score) found.set(result.id, result);
    });
  }
  const candidates = [...found.values()].sort((a, b) => b.score - a.score).slice(0, MAX_CANDIDATES);
  const pattern = phrasePattern(query);
  const data = await Promise.all(candidates.map((result) => result.data()));
  return candidates
    .map((result, index) => ({ id: result.id, data: data[index], match: pattern.exec(data[index].content || "") }))
    .filter((item) => item.match && wanted(item.data));
}

function phraseExcerpt(content, match) {
  // About 30 characters either side of the match, as text nodes around a <mark>.
  const start = Math.max(0, match.index - 30);
  const end = Math.min(content.length, match.index + match[0].length + 30);
  const mark = document.createElement("mark");
  mark.textContent = match[0];
  return [
    document.createTextNode((start > 0 ? "…" : "") + content.slice(start, match.index)),
    mark,
    document.createTextNode(content.slice(match.index + match[0].length, end) + (end < content.length ? "…" : "")),
  ];
}

let pagefind;
async function load() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
    await pagefind.options({ baseUrl: siteRoot.pathname });
  }
  return pagefind;
}

async function run(query) {
  const engine = await load();
  let search = await engine.search(segment(query));
  if (!search.results.length && segment(query) !== query.trim()) {
    search = await engine.search(query.trim());
  }
  const exact = await containing(engine, query);
  const shown = new Set(exact.map((item) => item.id));
  const candidates = search.results.filter((result) => !shown.has(result.id)).slice(0, MAX_CANDIDATES);
  const others = (await Promise.all(candidates.map((result) => result.data()))).filter(wanted);
  const rest = others.slice(0, Math.max(0, MAX_RESULTS - exact.length));
  const entries = [
    ...exact.slice(0, MAX_RESULTS).map((item) => ({ data: item.data, nodes: phraseExcerpt(item.data.content, item.match) })),
    ...rest.map((data) => ({ data, nodes: excerptNodes(data.excerpt || "") })),
  ];
  list.replaceChildren();
  entries.forEach(({ data, nodes }) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    const excerpt = document.createElement("p");
    excerpt.append(...nodes);
    item.append(link, excerpt);
    list.appendChild(item);
  });
  const total = exact.length + others.length;
  statusLine.textContent = total ? `找到 ${total} 份申报` : "没有找到匹配的申报";
}

if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim();
    const url = new URL(location.href);
    url.searchParams.set("q", query);
    history.replaceState(null, "", url);
    if (query) run(query).catch((error) => { statusLine.textContent = "搜索不可用：" + error.message; });
  });
  const initial = new URL(location.href).searchParams.get("q");
  load()
    .then(() => {
      if (initial) {
        input.value = initial;
        return run(initial);
      }
    })
    .catch(() => { statusLine.textContent = "搜索需要通过网站服务器访问（直接打开本地文件时不可用）。"; });
}
