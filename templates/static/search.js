// Full-text search over the site with Pagefind. The query is split into words with the browser's
// Intl.Segmenter (惠农补贴发放及时率 → 惠农 补贴 发放 及时 率), falling back to the query as typed.
// Pagefind finds candidates; each one's text then decides: a result holds every word of the query
// (pages holding the query as typed first); pages holding only some of the words are listed apart,
// under 部分匹配, and only when those words make up half of the query. Results are built as DOM
// text, never as HTML.
const siteRoot = new URL("..", import.meta.url);
const form = document.getElementById("search-form");
const input = document.getElementById("q");
const yearSelect = document.getElementById("filter-year");
const departmentSelect = document.getElementById("filter-department");
const statusLine = document.getElementById("search-status");
const list = document.getElementById("search-results");
const partialSection = document.getElementById("search-partial");
const partialList = document.getElementById("search-partial-results");

export function segment(query) {
  if (typeof Intl === "undefined" || !Intl.Segmenter) return query.trim();
  const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
  return Array.from(segmenter.segment(query))
    .filter((part) => part.isWordLike)
    .map((part) => part.segment)
    .join(" ");
}

function wanted(data) {
  // Year and department are page metadata, not Pagefind filters: Pagefind writes its filter index
  // in a different order on every build, and the site must come out byte-identical.
  const meta = data.meta || {};
  return (!yearSelect.value || meta.year === yearSelect.value) &&
    (!departmentSelect.value || meta.department === departmentSelect.value);
}

const MAX_CANDIDATES = 300;
const MAX_RESULTS = 50;

function compact(text) {
  return text.replace(/\s+/g, "").toLowerCase();
}

function pattern(text) {
  // The text's characters in order, any whitespace between them (a page's cells are spaced apart).
  const chars = Array.from(compact(text));
  return new RegExp(chars.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s*"), "i");
}

// What a page is to a query: "phrase" (it holds the query as typed), "all" (every word of the query,
// not together), "partial" (words making up at least half of the query's characters), or nothing.
// A page sharing one short word with the query (号 of 鹦鹉螺号潜水艇) is nothing.
export function classify(content, query, words) {
  const text = compact(content);
  if (text.includes(compact(query))) return "phrase";
  const held = words.filter((word) => text.includes(compact(word)));
  if (held.length === words.length) return "all";
  const length = (list) => list.reduce((sum, word) => sum + Array.from(compact(word)).length, 0);
  return held.length && 2 * length(held) >= length(words) ? "partial" : null;
}

async function candidates(engine, query, words) {
  // Pagefind's own search for the words, and for each word alone: Pagefind cuts the pages into
  // words with its own dictionary, which does not always agree with the browser's, so a page can
  // hold a word that Pagefind did not index as one. Every candidate is then checked by its text.
  const found = new Map();
  const add = (search) => search.results.forEach((result) => {
    const known = found.get(result.id);
    if (!known || known.score < result.score) found.set(result.id, result);
  });
  add(await engine.search(words.join(" ")));
  for (const word of new Set(words)) add(await engine.search(word));
  if (words.length > 1 || words[0] !== query) add(await engine.search(query));
  return [...found.values()].sort((a, b) => b.score - a.score).slice(0, MAX_CANDIDATES);
}

function excerpt(content, query, words) {
  // About 30 characters either side of the phrase, or of the first word the page holds, as text
  // nodes around a <mark>.
  let match = pattern(query).exec(content);
  if (!match) {
    const found = words.map((word) => pattern(word).exec(content)).filter(Boolean);
    match = found.sort((a, b) => a.index - b.index)[0];
  }
  if (!match) return [document.createTextNode(content.slice(0, 60))];
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

function show(target, items, query, words) {
  target.replaceChildren();
  items.slice(0, MAX_RESULTS).forEach(({ data }) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    const text = document.createElement("p");
    text.append(...excerpt(data.content || "", query, words));
    item.append(link, text);
    target.appendChild(item);
  });
}

async function run(query) {
  const engine = await load();
  const segmented = segment(query).split(/\s+/).filter(Boolean);
  const words = segmented.length ? segmented : [query.trim()];
  const found = await candidates(engine, query, words);
  const data = await Promise.all(found.map((result) => result.data()));
  const rank = { phrase: 0, all: 1 };
  const pages = data
    .filter(wanted)
    .map((page, order) => ({ data: page, order, kind: classify(page.content || "", query, words) }))
    .filter((page) => page.kind);
  const full = pages.filter((page) => page.kind !== "partial").sort((a, b) => rank[a.kind] - rank[b.kind] || a.order - b.order);
  const partial = pages.filter((page) => page.kind === "partial");
  show(list, full, query, words);
  show(partialList, partial, query, words);
  partialSection.hidden = !partial.length;
  const more = partial.length ? `；另有 ${partial.length} 份部分匹配，不含全部词语，列在下面` : "";
  statusLine.textContent = (full.length ? `找到 ${full.length} 份申报` : "没有找到匹配的申报") + more;
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
