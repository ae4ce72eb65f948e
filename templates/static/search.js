// Full-text search over the site with Pagefind. Pagefind does not segment a Chinese query, so the
// query is split into words with the browser's Intl.Segmenter first (惠农补贴发放及时率 → 惠农 补贴
// 发放 及时率), falling back to the query as typed. Results are built as DOM text, never as HTML.
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

function fillSelect(select, values) {
  Object.keys(values || {}).sort().forEach((value) => {
    const option = document.createElement("option");
    option.value = value;
    option.textContent = value;
    select.appendChild(option);
  });
}

let pagefind;
async function load() {
  if (!pagefind) {
    pagefind = await import(new URL("pagefind/pagefind.js", siteRoot).href);
    await pagefind.options({ baseUrl: siteRoot.pathname });
    const filters = await pagefind.filters();
    fillSelect(yearSelect, filters.year);
    fillSelect(departmentSelect, filters.department);
  }
  return pagefind;
}

async function run(query) {
  const engine = await load();
  const filters = {};
  if (yearSelect.value) filters.year = yearSelect.value;
  if (departmentSelect.value) filters.department = departmentSelect.value;
  let search = await engine.search(segment(query), { filters });
  if (!search.results.length && segment(query) !== query.trim()) {
    search = await engine.search(query.trim(), { filters });
  }
  const results = await Promise.all(search.results.slice(0, 50).map((result) => result.data()));
  list.replaceChildren();
  results.forEach((data) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = (data.meta && data.meta.title) || data.url;
    const excerpt = document.createElement("p");
    excerpt.append(...excerptNodes(data.excerpt || ""));
    item.append(link, excerpt);
    list.appendChild(item);
  });
  statusLine.textContent = results.length ? `找到 ${search.results.length} 份申报` : "没有找到匹配的申报";
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
