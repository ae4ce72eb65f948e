"""The site at a bureau's scale: the generated corpus (tools/corpus.py; 48 departments × 2024/2025,
about 1,300 files), built once per test session, read as files and in Chromium at 1280 and 375 px.

Every page is the real build's. The PDFs and workbooks the site publishes are beside the point here
(their own tests check them), and laying out 1,300 PDFs would take most of the suite's time: the
site is built with `--pdf-from` from a folder holding one real PDF and one real workbook under every
document's name. Search is checked against the pages themselves: what a query should find is worked
out from each page's indexed text (its data-pagefind-body less what data-pagefind-ignore leaves out).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from site_fixtures import html_pages, jixiao, parse_html, shared_root, static_server

KB = 1024
PHRASE = "就业服务站"  # the corpus holds it in project names, and 就业 and 服务站 apart on other pages
INDICATOR = "带动就业人数"


def _stand_ins(corpus_root: Path, declarations: Path, folder: Path) -> None:
    """folder/pdf/<location>.pdf and folder/xlsx/<location>.xlsx for every document (and each year's
    workbook): links to one real PDF and workbook, made from the first department's form."""
    first = sorted((declarations / "2024").glob("*.yaml"))[0]
    one = corpus_root / "one"
    for stage in ("pdf", "xlsx"):
        result = jixiao("build", stage, "--out", str(one), str(first), timeout=600)
        assert result.returncode == 0, result.stdout + result.stderr
    pdf = next((one / "pdf").rglob("*.pdf"))
    workbook = next(p for p in (one / "xlsx").rglob("*.xlsx") if not p.name.startswith("jixiao-"))
    years = set()
    for path in declarations.rglob("*.yaml"):
        if path.name == "departments.yaml":
            continue
        location = path.relative_to(declarations).with_suffix("").as_posix()
        years.add(location.split("/")[0])
        for stage, source in (("pdf", pdf), ("xlsx", workbook)):
            target = folder / stage / f"{location}.{stage}"
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(source, target)
    for year in years:
        os.link(workbook, folder / "xlsx" / year / f"jixiao-{year}.xlsx")


@pytest.fixture(scope="session")
def bureau_site(bureau_corpus, tmp_path_factory) -> Path:
    root = shared_root(tmp_path_factory) / "bureau"
    root.parent.mkdir(parents=True, exist_ok=True)
    with open(root.parent / "bureau.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (root / "done").exists():
                if root.exists():
                    shutil.rmtree(root)
                _stand_ins(root, bureau_corpus.declarations, root / "published")
                result = jixiao(
                    "build", "site", "--pdf-from", str(root / "published"), "--out", str(root / "site"),
                    str(bureau_corpus.declarations), timeout=900,
                )
                assert result.returncode == 0, result.stdout + result.stderr
                (root / "done").touch()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return root / "site"


@pytest.fixture(scope="module")
def departments(bureau_corpus) -> list[dict]:
    return [d for d in bureau_corpus.manifest["departments"] if d["files"]]


# ---- sizes, as files ------------------------------------------------------------------------------


def test_the_corpus_is_a_bureaus(bureau_site, departments):
    assert len(departments) >= 40
    documents = [p for p in (bureau_site / "2024").rglob("index.html")] + [p for p in (bureau_site / "2025").rglob("index.html")]
    assert len(documents) >= 1_200


def test_no_page_is_over_250_kb_and_the_home_page_is_under_100_kb(bureau_site):
    sizes = {p.relative_to(bureau_site).as_posix(): p.stat().st_size for p in html_pages(bureau_site)}
    assert sizes["index.html"] <= 100 * KB, sizes["index.html"]
    assert max(sizes.values()) <= 250 * KB, max(sizes.items(), key=lambda item: item[1])


def test_the_home_page_lists_departments_not_documents(bureau_site, departments):
    home = parse_html((bureau_site / "index.html").read_text(encoding="utf-8"))
    elements = sum(1 for _ in home.iter())
    assert elements <= 2_000
    links = {a.get("href") for a in home.iter("a")}
    for department in departments:
        assert f"{department['id']}/index.html" in links
    assert not any(re.match(r"20\d\d/[^/]+/", href or "") for href in links)  # no document's own page


def test_long_listings_are_paged_as_static_pages_reachable_without_script(bureau_site):
    first = bureau_site / "2024" / "evaluations" / "index.html"
    doc = parse_html(first.read_text(encoding="utf-8"))
    pager = doc.find("nav", cls="pager")
    assert pager is not None
    pages = [a.get("href") for a in pager.iter("a")]
    assert len(pages) >= 2
    rows = 0
    for href in pages:
        page = parse_html((first.parent / href).read_text(encoding="utf-8"))
        rows += len(list(page.find("tbody").iter("tr")))
    evaluations = list((bureau_site / "2024").rglob("*self-evaluation*/index.html"))
    assert rows == len(evaluations)


# ---- in Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def origin(bureau_site):
    with static_server(bureau_site) as origin:
        yield origin


def _pages(site: Path, departments: list[dict]) -> list[str]:
    department = departments[0]
    project = department["projects"]["2024"][0]
    return [
        "index.html", "2024/index.html", "2025/index.html", "2024/evaluations/index.html", "data.html", "search.html",
        f"{department['id']}/index.html", f"2024/{department['id']}/index.html", f"2025/{department['id']}/index.html",
        f"2024/{department['id']}/projects/{project}/index.html",
        f"2024/{department['id']}/projects/{project}.self-evaluation/index.html",
    ]


MEASURE = """() => {
  const narrow = [...document.querySelectorAll('table.listing td, table.listing th')]
    .filter((cell) => cell.getBoundingClientRect().width > 0)
    .filter((cell) => cell.getBoundingClientRect().width < 3 * parseFloat(getComputedStyle(cell).fontSize))
    .filter((cell) => !cell.closest('.table-scroll') || cell.closest('.table-scroll').scrollWidth <= cell.closest('.table-scroll').clientWidth)
    .map((cell) => cell.textContent.trim().slice(0, 20));
  return {
    nodes: document.getElementsByTagName('*').length,
    scroll: document.documentElement.scrollWidth,
    width: document.documentElement.clientWidth,
    height: document.documentElement.scrollHeight,
    narrow: narrow.slice(0, 5),
  };
}"""


@pytest.mark.parametrize("width", [1280, 375])
def test_pages_fit_the_screen_and_stay_small_in_chromium(browser, origin, bureau_site, departments, width):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        for path in _pages(bureau_site, departments):
            response = page.goto(origin + path, wait_until="load")
            assert response is not None and response.ok, path
            found = page.evaluate(MEASURE)
            assert found["scroll"] <= found["width"], (path, found)  # no sideways scroll
            if width == 375:
                assert not found["narrow"], (path, found["narrow"])  # no column narrower than 3 em
            if path == "index.html":
                assert found["nodes"] <= 2_000, found
                if width == 375:
                    assert found["height"] <= 15_000, found
    finally:
        context.close()


# ---- search ---------------------------------------------------------------------------------------


def _indexed(node) -> str:
    if any(name == "data-pagefind-ignore" for name, _ in node.attrs):
        return ""
    return "".join(c if isinstance(c, str) else _indexed(c) for c in node.children)


@pytest.fixture(scope="module")
def indexed(bureau_site) -> dict[str, dict]:
    """Every indexed page: its URL path's folder → its text (whitespace dropped), year, department, form."""
    pages = {}
    for path in bureau_site.rglob("index.html"):
        doc = parse_html(path.read_text(encoding="utf-8"))
        body = next((n for n in doc.iter() if any(name == "data-pagefind-body" for name, _ in n.attrs)), None)
        if body is None:
            continue
        folder = path.parent.relative_to(bureau_site).as_posix()
        department = (body.get("data-pagefind-meta") or "").split(":", 1)[1]
        pages[folder] = {
            "text": re.sub(r"\s+", "", _indexed(body)), "year": folder.split("/")[0], "department": department,
            "form": body.get("data-pagefind-filter").split(":", 1)[1],
        }
    return pages


def _holding(indexed: dict, phrase: str, **filters) -> set[str]:
    return {
        folder for folder, page in indexed.items()
        if phrase in page["text"] and all(page[key] == value for key, value in filters.items())
    }


class Search:
    def __init__(self, browser, origin: str):
        self.context = browser.new_context(bypass_csp=True)  # wait_for_function evaluates script text
        self.page = self.context.new_page()
        self.origin = origin
        self.requests: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))

    def run(self, query: str, **filters) -> tuple[int, int, list[str]]:
        """(count found, count apart, result folders shown) for a search typed into the URL."""
        self.requests.clear()
        params = "&".join(f"{key}={quote(value)}" for key, value in {"q": query, **filters}.items())
        self.page.goto(f"{self.origin}search.html?{params}", wait_until="load")
        self.page.wait_for_function("/^(找到|没有)/.test(document.getElementById('search-status').textContent)")
        status = self.page.text_content("#search-status")
        found = re.match(r"找到 (\d+) 份", status)
        apart = re.search(r"另有 (\d+) 份", status)
        return int(found[1]) if found else 0, int(apart[1]) if apart else 0, self.shown()

    def shown(self) -> list[str]:
        hrefs = self.page.eval_on_selector_all("#search-results li > a", "as => as.map(a => a.href)")
        return [urlsplit(href).path.strip("/").removesuffix("/index.html") for href in hrefs]


@pytest.fixture
def search(browser, origin):
    s = Search(browser, origin)
    yield s
    s.context.close()


def test_search_counts_every_page_holding_the_query(search, indexed):
    holding = _holding(indexed, INDICATOR)
    assert len(holding) > 10
    found, _, shown = search.run(INDICATOR)
    assert found == len(holding)
    assert len(shown) == 10 and set(shown) <= holding
    assert len(search.requests) <= 40, len(search.requests)


def test_search_filters_keep_every_match(search, indexed, departments):
    name = next(p["department"] for p in indexed.values() if INDICATOR in p["text"])
    for filters, wanted in (
        ({"year": "2025"}, {"year": "2025"}),
        ({"department": name}, {"department": name}),
        ({"form": "项目支出绩效自评表"}, {"form": "项目支出绩效自评表"}),
    ):
        holding = _holding(indexed, INDICATOR, **wanted)
        assert holding
        found, _, shown = search.run(INDICATOR, **filters)
        assert found == len(holding), filters
        assert set(shown) <= holding


def test_a_departments_name_puts_its_own_pages_first(search, indexed, departments):
    department = departments[0]
    own = {f for f, p in indexed.items() if p["department"] == department["name"]}
    found, _, shown = search.run(department["name"])
    assert found >= len(own)
    assert shown[0] in {f"2025/{department['id']}", f"2024/{department['id']}"}  # its own form
    assert set(shown) <= own


def test_a_projects_name_finds_its_target_form_before_its_self_evaluation(search, indexed, departments):
    department = departments[0]
    project = department["projects"]["2024"][0]
    name = next(p for f, p in indexed.items() if f == f"2024/{department['id']}/projects/{project}")
    title = re.match(r"(.+?)\d{4}年度", name["text"])[1]
    found, _, shown = search.run(title)
    assert found == len(_holding(indexed, title))
    targets = [i for i, f in enumerate(shown) if not f.endswith(".self-evaluation")]
    evaluations = [i for i, f in enumerate(shown) if f.endswith(".self-evaluation")]
    assert targets and evaluations and max(targets) < min(evaluations)
    assert f"2024/{department['id']}/projects/{project}" in shown


def test_a_chinese_phrase_matches_as_a_phrase(search, indexed):
    together = _holding(indexed, PHRASE)
    apart = {f for f, p in indexed.items() if "就业" in p["text"] and "服务站" in p["text"]} - together
    assert together and apart  # the corpus holds both cases
    found, found_apart, shown = search.run(PHRASE)
    assert found == len(together)
    assert found_apart == len(apart)
    assert set(shown) <= together


def test_results_come_ten_at_a_time_with_more_results(search, indexed):
    holding = _holding(indexed, INDICATOR)
    _, _, first = search.run(INDICATOR)
    assert len(first) == 10
    search.page.click("#search-more")
    search.page.wait_for_function("document.querySelectorAll('#search-results li').length >= 20")
    shown = search.shown()
    assert len(shown) == 20 and len(set(shown)) == 20 and set(shown) <= holding
    assert shown[:10] == first


# ---- a listing, sorted and filtered ---------------------------------------------------------------


def _column(page, key: str) -> list[str]:
    """The shown rows' cells of a column, top to bottom."""
    return page.eval_on_selector_all(
        f"#departments tbody tr:not([hidden]) [data-label]:nth-child({_index(page, key)})",
        "cells => cells.map(c => c.getAttribute('data-sort'))",
    )


def _index(page, key: str) -> int:
    keys = page.eval_on_selector_all("#departments thead th", "ths => ths.map(th => th.dataset.key)")
    return keys.index(key) + 1


def test_the_year_pages_departments_sort_and_filter_in_chromium(browser, origin, departments):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(origin + "2025/index.html", wait_until="load")
        rows = page.locator("#departments tbody tr").count()
        assert rows == len(departments)
        header = page.locator("#departments th[data-key='spending']")
        header.get_by_role("button").click()
        header.get_by_role("button").click()
        spending = [float(v) for v in _column(page, "spending")]
        assert spending == sorted(spending, reverse=True) and spending[0] > spending[-1]
        assert header.get_attribute("aria-sort") == "descending"
        query = dict(part.split("=") for part in urlsplit(page.url).query.split("&"))
        assert query == {"sort": "spending", "dir": "desc"}
        # names in pinyin order, as Python wrote the keys
        page.locator("#departments th[data-key='name'] button").click()
        names = _column(page, "name")
        assert names == sorted(names)
        # a text filter: only the towns (镇), the live count says how many
        page.fill("#departments-q", "镇")
        towns = [d for d in departments if "镇" in d["name"]]
        assert 0 < len(towns) < len(departments)
        assert page.locator("#departments tbody tr:not([hidden])").count() == len(towns)
        assert page.text_content("#departments .listing-count") == f"显示 {len(towns)} / {len(departments)} 项"
        assert "q=%E9%95%87" in page.url
        # the link reproduces the view
        again = context.new_page()
        again.goto(page.url, wait_until="load")
        assert again.locator("#departments tbody tr:not([hidden])").count() == len(towns)
        assert again.locator("#departments th[data-key='name']").get_attribute("aria-sort") == "ascending"
        assert errors == []
    finally:
        context.close()


def test_the_years_self_evaluations_filter_by_grade_and_mark_the_weak(browser, origin, bureau_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(origin + "2024/evaluations/index.html", wait_until="load")
        grades = page.eval_on_selector_all("#evaluations-f-grade option", "os => os.map(o => o.value)")
        assert "差" in grades and "中" in grades
        page.select_option("#evaluations-f-grade", "差")
        shown = page.locator("#evaluations tbody tr:not([hidden])")
        assert shown.count() >= 1
        for index in range(shown.count()):
            assert "需关注" in shown.nth(index).inner_text()  # a word, not colour alone
        assert "grade=%E5%B7%AE" in page.url
    finally:
        context.close()


def test_a_paged_listings_filters_and_sorting_cover_every_page(browser, origin, bureau_site):
    """The year's self-evaluations come as static pages of 100; a filter or a sort on any of them
    takes in the other pages' rows, so a department is found whole wherever its rows fall, and the
    link reproduces that view."""
    html = {p.name: p.read_text(encoding="utf-8") for p in (bureau_site / "2024" / "evaluations").glob("*.html")}
    assert len(html) > 1
    total = sum(len(re.findall(r'<tr\b[^>]* data-f-department="', text)) for text in html.values())
    beyond_first = re.findall(r'data-f-department="([^"|]+)"', "".join(t for n, t in html.items() if n != "index.html"))
    name = beyond_first[-1]  # a department with rows past the first page
    expected = sum(text.count(f'data-f-department="{name}"') for text in html.values())
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)  # wait_for_function evaluates script text
    try:
        page = context.new_page()
        page.goto(f"{origin}2024/evaluations/index.html?department={quote(name)}", wait_until="load")
        status = page.locator("#evaluations .listing-count")
        page.wait_for_function(
            f"document.querySelector('#evaluations .listing-count').textContent === '显示 {expected} / {total} 项'"
        )
        shown = page.eval_on_selector_all(
            "#evaluations tbody tr:not([hidden])", "rows => rows.map(r => r.getAttribute('data-f-department'))"
        )
        assert shown == [name] * expected
        page.click("#evaluations [data-control=reset]")
        assert status.text_content() == f"共 {len(re.findall(r'<tr[^>]* data-f-department=', html['index.html']))} 项"
        page.select_option("#evaluations-sort", "total:desc")  # every page's rows, highest score first
        assert status.text_content() == f"共 {total} 项"
        scores = page.eval_on_selector_all(
            "#evaluations tbody tr:not([hidden])", "rows => rows.map(r => r.cells[3].getAttribute('data-sort'))"
        )
        assert len(scores) == total
        numbers = [float(score) for score in scores if score]
        assert numbers == sorted(numbers, reverse=True) and scores[len(numbers):] == [""] * (total - len(numbers))
        assert "sort=total" in page.url
    finally:
        context.close()
