// Full-text search over the site with Pagefind, all of it inside Pagefind's index: year, department
// and form are Pagefind filters (applied before anything is cut), the count is the number of pages
// Pagefind matched, and only the results shown are fetched, ten at a time ("更多结果").
// Pagefind cuts Chinese into words and a plain query matches pages holding every word. A query is
// also searched as a phrase (in quotes: the words next to each other, in order); when any page holds
// the phrase, those pages are the results, in the plain search's order (which weighs a department's
// own name and a project's name on its own pages highest), and the pages holding the words apart are
// listed apart under 部分匹配. A query that is (part of) a department's name puts that department's
// pages first. Results are built as DOM text, never as HTML.
const siteRoot = new URL("..", import.meta.url);
const PAGE = 10;
const $ = (id) => document.getElementById(id);
const form = $("search-form");
const input = $("q");
const selects = { year: $("filter-year"), department: $("filter-department"), form: $("filter-form") };
const sortSelect = $("sort");
const statusLine = $("search-status");

function compact(text) {
  return text.replace(/\s+/g, "").toLowerCase();
}

function pattern(text) {
  // The text's characters in order, any whitespace between them (a page's cells are spaced apart).
  const chars = Array.from(compact(text));
  return new RegExp(chars.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("\\s*"), "i");
}

function excerpt(content, query) {
  // About 30 characters either side of the query (or of its first word the page holds), as text
  // nodes around a <mark>.
  let match = pattern(query).exec(content);
  if (!match) {
    const found = query.split(/\s+/).filter(Boolean).map((word) => pattern(word).exec(content)).filter(Boolean);
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

// A list of results shown PAGE at a time; each result's page data is fetched when it is shown.
class Pager {
  constructor(list, button) {
    this.list = list;
    this.button = button;
    this.results = [];
    this.shown = 0;
    this.query = "";
    button.addEventListener("click", () => this.more().then(() => {
      const next = this.list.children[this.shown - PAGE] || this.list.lastElementChild;
      if (next) next.querySelector("a").focus();
    }));
  }

  reset(results, query) {
    this.results = results;
    this.query = query;
    this.shown = 0;
    this.list.replaceChildren();
    return this.more();
  }

  async more() {
    const slice = this.results.slice(this.shown, this.shown + PAGE);
    const data = await Promise.all(slice.map((result) => result.data()));
    for (const page of data) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = page.url;
      link.textContent = (page.meta && page.meta.title) || page.url;
      const where = document.createElement("span");
      where.className = "result-meta";
      where.textContent = [page.meta && page.meta.department, page.meta && page.meta.year && page.meta.year + "年度"]
        .filter(Boolean).join(" · ");
      const text = document.createElement("p");
      text.append(...excerpt(page.content || "", this.query));
      item.append(link, " ", where, text);
      this.list.appendChild(item);
    }
    this.shown += slice.length;
    this.button.hidden = this.shown >= this.results.length;
  }
}

const full = new Pager($("search-results"), $("search-more"));
const partial = new Pager($("search-partial-results"), $("search-partial-more"));

function options() {
  const filters = {};
  for (const [name, select] of Object.entries(selects)) if (select.value) filters[name] = select.value;
  const chosen = { filters };
  if (sortSelect.value === "year") chosen.sort = { year: "desc" };
  return chosen;
}

// Departments whose name holds the query, from the department filter's values (no extra request
// once the filters are loaded). Pagefind's index and the browser cut a name like 青溪区财政局 into
// different words, so a word search can miss it; the filter finds every page of the department.
async function namedDepartments(engine, query, chosen) {
  if (Array.from(query).length < 2 || chosen.filters.department) return [];
  const values = (await engine.filters()).department || {};
  const wanted = compact(query);
  return Object.keys(values).filter((name) => compact(name).includes(wanted)).sort().slice(0, 3);
}

// When Pagefind finds nothing for the query as a whole, the index may have cut its words otherwise
// (惠农补贴 one word there, 惠农 and 补贴 here). Then each of its words is searched alone, and the
// best few pages found are read: those holding the query as typed are the results.
const CHECKED = 20;
function words(query) {
  if (typeof Intl === "undefined" || !Intl.Segmenter) return query.split(/\s+/).filter(Boolean);
  const segmenter = new Intl.Segmenter("zh", { granularity: "word" });
  return Array.from(segmenter.segment(query)).filter((part) => part.isWordLike).map((part) => part.segment);
}

async function byText(engine, query, chosen) {
  const found = new Map();
  for (const word of new Set(words(query))) {
    for (const result of (await engine.search(word, chosen)).results) {
      const known = found.get(result.id);
      if (!known || known.score < result.score) found.set(result.id, result);
    }
  }
  return holding([...found.values()].sort((a, b) => b.score - a.score).slice(0, CHECKED), query);
}

// The results whose page text holds the query as typed (each of its parts, where typed apart).
async function holding(results, query) {
  const data = await Promise.all(results.map((result) => result.data()));
  const parts = query.split(/\s+/).filter(Boolean).map(compact);
  return results.filter((result, i) => {
    const text = compact(data[i].content || "");
    return parts.every((part) => text.includes(part));
  });
}

async function run(query) {
  const engine = await load();
  const chosen = options();
  const named = [];
  for (const name of await namedDepartments(engine, query, chosen)) {
    // 年度 is in every document page's heading: searching it under the filter loads one index chunk,
    // where a search without a term loads them all.
    const own = await engine.search("年度", { filters: { ...chosen.filters, department: name }, sort: chosen.sort || { order: "asc" } });
    named.push(...own.results);
  }
  let plain = await engine.search(query, chosen);
  if (!plain.results.length && !named.length) plain = { results: await byText(engine, query, chosen) };
  // A phrase only where the query is one run of text: words typed apart are searched as words.
  const phrase = /\s/.test(query) ? null : await engine.search(`"${query}"`, chosen);
  const inPhrase = new Set(phrase ? phrase.results.map((result) => result.id) : []);
  let whole = plain.results;
  let apart = [];
  if (inPhrase.size) {
    whole = plain.results.filter((result) => inPhrase.has(result.id));
    // Pages the phrase search found and the plain one did not (a word cut differently) go last.
    const seen = new Set(whole.map((result) => result.id));
    whole = whole.concat(phrase.results.filter((result) => !seen.has(result.id)));
    apart = plain.results.filter((result) => !inPhrase.has(result.id));
  } else if (phrase && plain.results.length) {
    // No page holds the phrase as Pagefind cuts it, which may be only its words cut otherwise: the
    // best pages are read, and those holding the query as typed are the results; if none of them
    // does, the pages found by each word alone are read. The rest hold every word, apart.
    // Pagefind also leaves out a word its index does not hold (鹦鹉螺 of 鹦鹉螺号潜水艇) and matches
    // the rest, so the pages read are listed apart only when they hold every word.
    const checked = plain.results.slice(0, CHECKED);
    whole = await holding(checked, query);
    if (!whole.length) whole = await byText(engine, query, chosen);
    const ids = new Set(whole.map((result) => result.id));
    const every = new Set((await holding(checked, words(query).join(" "))).map((result) => result.id));
    apart = checked.filter((result) => every.has(result.id) && !ids.has(result.id)).concat(plain.results.slice(CHECKED));
  }
  if (named.length) {
    // The department's own pages first, then every other page holding the query.
    const ids = new Set(named.map((result) => result.id));
    whole = named.concat(whole.filter((result) => !ids.has(result.id)));
    apart = apart.filter((result) => !ids.has(result.id));
  }
  await Promise.all([full.reset(whole, query), partial.reset(apart, query)]);
  $("search-partial").hidden = !apart.length;
  const more = apart.length ? `；另有 ${apart.length} 份含全部词语但不连在一起，列在下面` : "";
  statusLine.textContent = (whole.length ? `找到 ${whole.length} 份申报` : "没有找到匹配的申报") + more;
}

function fromUrl() {
  const params = new URL(location.href).searchParams;
  for (const [name, select] of Object.entries(selects)) select.value = params.get(name) || "";
  sortSelect.value = params.get("sort") || "";
  return params.get("q") || "";
}

if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const query = input.value.trim();
    const url = new URL(location.href);
    url.search = "";
    url.searchParams.set("q", query);
    for (const [name, select] of Object.entries(selects)) if (select.value) url.searchParams.set(name, select.value);
    if (sortSelect.value) url.searchParams.set("sort", sortSelect.value);
    history.replaceState(null, "", url);
    if (query) run(query).catch((error) => { statusLine.textContent = "搜索不可用：" + error.message; });
  });
  const initial = fromUrl();
  load()
    .then(() => {
      if (initial) {
        input.value = initial;
        return run(initial);
      }
    })
    .catch(() => { statusLine.textContent = "搜索需要通过网站服务器访问（直接打开本地文件时不可用）。"; });
}
