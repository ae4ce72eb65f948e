"""The built site in a real browser (Debian's headless Chromium through Playwright), served over HTTP
on 127.0.0.1: the declaration page renders, search finds what a reader types, filters narrow it,
axe-core finds no accessibility violation, a 375 px phone gets no page-wide horizontal scroll, no
request leaves the machine, hostile text runs no script. Screenshots go to /tmp/jixiao-screenshots.
"""

from __future__ import annotations

import struct
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from site_fixtures import (
    EXAMPLE_PROJECTS, SEED_ID, hostile_source, run_axe, search_sources, shared_build, shared_root, static_server,
    test_sources,
)

SHOTS = Path("/tmp/jixiao-screenshots")
QUERY = "惠农补贴发放及时率"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The main test site, the hostile one and the search one, all under one folder that the server serves."""
    _, main = shared_build(tmp_path_factory, "main", test_sources)
    _, hostile = shared_build(tmp_path_factory, "hostile", lambda: [hostile_source()])
    _, searching = shared_build(tmp_path_factory, "search", search_sources)
    root = shared_root(tmp_path_factory)
    return root, *(site.relative_to(root).as_posix() + "/" for site in (main, hostile, searching))


@pytest.fixture(scope="module")
def server(sites):
    root, main, hostile, searching = sites
    with static_server(root) as served:
        origin = served.rstrip("/")
        yield {"origin": origin, "main": f"{origin}/{main}", "hostile": f"{origin}/{hostile}", "search": f"{origin}/{searching}"}


class Visit:
    """A fresh browser context: its page, every request it made, every script error and dialog."""

    def __init__(self, browser, origin: str, width: int = 1280, height: int = 900, enforce_csp: bool = False):
        # The pages' Content-Security-Policy forbids eval and inline scripts, which Playwright's
        # wait_for_function and axe's injection need; one test below keeps it enforced.
        self.context = browser.new_context(viewport={"width": width, "height": height}, bypass_csp=not enforce_csp)
        self.page = self.context.new_page()
        self.origin = origin
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, url: str):
        response = self.page.goto(url, wait_until="load")
        assert response is not None and response.ok, url
        return self.page

    def check_stayed_local(self):
        assert self.requests, "no request was recorded"
        outside = [url for url in self.requests if not url.startswith(self.origin + "/")]
        assert not outside
        assert all(urlsplit(url).hostname == "127.0.0.1" for url in self.requests)
        assert self.errors == []
        assert self.dialogs == []


@pytest.fixture
def visit(browser, server):
    visits = []

    def make(width: int = 1280, height: int = 900, enforce_csp: bool = False) -> Visit:
        v = Visit(browser, server["origin"], width, height, enforce_csp)
        visits.append(v)
        return v

    yield make
    for v in visits:
        v.context.close()


def search(page, query: str, year: str = "", department: str = "") -> list[str]:
    """Type a query and the filters as a reader would; the result links' paths."""
    page.wait_for_function("document.querySelectorAll('#filter-year option').length > 1")
    page.select_option("#filter-year", year)
    page.select_option("#filter-department", department)
    page.fill("#q", "")
    page.type("#q", query)
    page.evaluate("document.getElementById('search-status').textContent = ''")
    page.click("#search-form button[type=submit]")
    page.wait_for_function("document.getElementById('search-status').textContent !== ''")
    status = page.text_content("#search-status")
    assert not status.startswith("搜索不可用"), status
    return [urlsplit(href).path for href in page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")]


def partial_results(page) -> list[str]:
    """The links under 部分匹配 after a search, when that heading is shown."""
    if page.locator("#search-partial").is_hidden():
        return []
    return [urlsplit(href).path for href in page.eval_on_selector_all("#search-partial-results li a", "as => as.map(a => a.href)")]


# ---- the declaration page -------------------------------------------------------------------------


def test_declaration_page_renders_the_form(visit, server):
    v = visit()
    page = v.goto(server["main"] + f"2024/{SEED_ID}/index.html")
    assert page.title().startswith("广州市南沙区东涌镇人民政府 2024年度")
    form = page.locator("article.form")
    assert form.is_visible()
    table = page.locator("table.form-indicators")
    assert table.is_visible()
    box = table.bounding_box()
    assert box["width"] > 600 and box["height"] > 200
    assert page.locator("table.form-indicators th.level3", has_text=QUERY).is_visible()
    # the stylesheets were applied: the form's tables have ruled cells
    border = page.eval_on_selector("table.form-basic th", "e => getComputedStyle(e).borderTopStyle")
    assert border == "solid"
    for kind in ("PDF", "XLSX", "YAML", "JSON", "CSV", "ZIP"):
        assert page.locator("ul.downloads a", has_text=kind).first.is_visible()
    v.check_stayed_local()


def test_downloads_are_served(visit, server):
    v = visit()
    page = v.goto(server["main"] + f"2024/{SEED_ID}/index.html")
    hrefs = page.eval_on_selector_all("ul.downloads a", "as => as.map(a => a.href)")
    assert len(hrefs) == 8
    for href in hrefs:
        response = page.request.get(href)
        assert response.ok and len(response.body()) > 0, href
    v.check_stayed_local()


# ---- search ---------------------------------------------------------------------------------------


def _holding(text: str) -> set[str]:
    """The folders of the test declarations whose indicators include `text`."""
    return {s.folder for s in test_sources() if any(text == l3 for _, _, l3, _ in s.indicators())}


def test_search_finds_the_seed_by_an_indicator_typed_without_spaces(visit, server):
    v = visit()
    page = v.goto(server["main"] + "search.html")
    found = search(page, QUERY)
    base = urlsplit(server["main"]).path
    assert f"{base}2024/{SEED_ID}/" in found
    assert set(found) == {f"{base}{folder}/" for folder in _holding(QUERY)}
    assert page.text_content("#search-status").startswith(f"找到 {len(found)} 份申报")
    # the result link opens the declaration's page
    page.click(f"#search-results a[href$='2024/{SEED_ID}/']")
    page.wait_for_url(f"**/2024/{SEED_ID}/")
    assert urlsplit(page.url).path == f"{base}2024/{SEED_ID}/"
    assert page.locator("article.form").is_visible()
    v.check_stayed_local()


def test_search_filters_by_year_and_department(visit, server):
    v = visit()
    page = v.goto(server["main"] + "search.html")
    base = urlsplit(server["main"]).path
    sources = test_sources()
    page.wait_for_function("document.querySelectorAll('#filter-department option').length > 1")
    years = page.eval_on_selector_all("#filter-year option", "os => os.map(o => o.value)")
    assert years == [""] + sorted({str(s.year) for s in sources}, reverse=True)  # newest first
    departments = page.eval_on_selector_all("#filter-department option", "os => os.map(o => o.value)")
    assert departments == [""] + sorted({s.name for s in sources})

    holding = _holding(QUERY)
    for year in {s.year for s in sources}:
        expected = {f"{base}{f}/" for f in holding if f.startswith(f"{year}/")}
        assert set(search(page, QUERY, year=str(year))) == expected, year
    for s in sources:
        expected = {f"{base}{x.folder}/" for x in sources if x.name == s.name and x.folder in holding}
        assert set(search(page, QUERY, department=s.name)) == expected, s.name
    only = search(page, QUERY, year="2025", department="广州市南沙区东涌镇人民政府")
    assert only == [f"{base}2025/{SEED_ID}/"]
    assert search(page, QUERY, department="广州市南沙区黄阁镇人民政府") == []
    assert page.text_content("#search-status") == "没有找到匹配的申报"
    v.check_stayed_local()


def test_search_from_the_home_page_box(visit, server):
    v = visit()
    page = v.goto(server["main"] + "index.html")
    page.fill("#home-q", "河涌水质达标率")
    page.click("form.search-box button[type=submit]")
    page.wait_for_function("document.querySelectorAll('#search-results li a').length > 0")
    found = page.eval_on_selector_all("#search-results li a", "as => as.map(a => new URL(a.href).pathname)")
    holding = _holding("河涌水质达标率")
    assert len(holding) == 1
    assert found[0] == urlsplit(server["main"]).path + f"{holding.pop()}/"  # the page holding it comes first
    assert page.input_value("#q") == "河涌水质达标率"
    v.check_stayed_local()


def test_search_finds_text_that_the_index_cut_into_other_words(visit, server):
    """Pagefind's index and the browser cut Chinese into different words; a phrase a page holds
    is found all the same, wherever it starts, and that page comes first."""
    v = visit()
    page = v.goto(server["main"] + "search.html")
    base = urlsplit(server["main"]).path
    sources = test_sources()
    for phrase in ("河涌水质达标率", "水质达标率", "高标准农田面积", "补贴发放及时", "黄阁镇居民满意"):
        holding = {s.folder for s in sources if phrase in "".join(l3 for _, _, l3, _ in s.indicators())}
        assert holding, phrase
        # The seed's example projects (and self-evaluations) on the test site hold some phrases too.
        holding |= {
            f"2024/{SEED_ID}/projects/{path.stem}" for path in EXAMPLE_PROJECTS.glob("*.yaml")
            if phrase in path.read_text(encoding="utf-8")
        }
        found = search(page, phrase)
        assert {f"{base}{f}/" for f in holding} == set(found[: len(holding)]), phrase
        first = page.locator("#search-results li p").first
        assert phrase in first.locator("mark").first.text_content().replace(" ", ""), phrase
    v.check_stayed_local()


def _compact(text: str) -> str:
    return "".join(text.split()).lower()


def _words(page, query: str) -> list[str]:
    """The query's words as the browser cuts them (the same Intl.Segmenter call as search.js)."""
    return page.evaluate(
        """q => Array.from(new Intl.Segmenter("zh", {granularity: "word"}).segment(q))
               .filter(p => p.isWordLike).map(p => p.segment)""",
        query,
    )


# Queries over the search site: phrases some pages hold, the same words in another order or apart,
# single words; and phrases no page holds, whose words few or none of the pages share.
FULL_QUERIES = [
    "红树林修复面积", "修复面积红树林", "珊瑚礁巡护次数", "珊瑚礁 保护名录", "候鸟监测点位", "监测点位候鸟",
    "灯塔", "咸水歌", "古榕树保护名录", "蚝田 修复面积", "龙舟巡护次数",
]
NO_MATCH_QUERIES = ["鹦鹉螺号潜水艇", "火星基地建设", "潜水艇巡护次数", "红树林潜水艇修复"]


def test_search_precision_and_recall_over_a_dozen_declarations(visit, server):
    """The results are the pages holding the query as typed (every part of it, where typed apart with
    spaces). Pages holding every word but not together are listed apart (部分匹配), not as results;
    a query whose words no page holds all of finds nothing: precision and recall 1."""
    v = visit()
    page = v.goto(server["search"] + "search.html")
    base = urlsplit(server["search"]).path
    sources = search_sources()
    assert len(sources) >= 12
    texts = {f"{base}{s.folder}/": _compact(s.text) for s in sources}
    precision, recall = [], []
    for query in FULL_QUERIES:
        words = _words(page, query)
        assert words, query
        every = {url for url, text in texts.items() if all(_compact(w) in text for w in words)}
        phrase = {url for url, text in texts.items() if _compact(query) in text}
        typed_apart = " " in query
        expected = every if typed_apart else phrase
        assert every, query  # every query of this list has pages holding its words
        found = search(page, query)
        assert len(found) == len(set(found)), query
        assert set(found) == expected, (query, words)
        if found:
            hits = set(found) & expected
            precision.append(len(hits) / len(found))
            recall.append(len(hits) / len(expected))
            assert page.text_content("#search-status").startswith(f"找到 {len(expected)} 份申报"), query
        else:
            assert page.text_content("#search-status").startswith("没有找到匹配的申报"), query
        assert set(partial_results(page)) == (set() if typed_apart else every - phrase), query
    assert sum(precision) / len(precision) == 1 and sum(recall) / len(recall) == 1
    for query in NO_MATCH_QUERIES:
        words = _words(page, query)
        assert not any(all(_compact(w) in text for w in words) for text in texts.values()), query
        assert search(page, query) == [], query
        assert page.text_content("#search-status") == "没有找到匹配的申报", query
        assert partial_results(page) == []
    v.check_stayed_local()


# ---- accessibility --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "index.html", "2024/index.html", "search.html", f"2024/{SEED_ID}/index.html", f"2025/{SEED_ID}/index.html",
        f"2024/{SEED_ID}/projects/typical-town/index.html",
        f"2024/{SEED_ID}/projects/typical-town.self-evaluation/index.html", "help/codes.html",
        f"{SEED_ID}/index.html", "data.html", "2024/evaluations/index.html",
    ],
)
def test_axe_finds_no_violation(visit, server, path):
    v = visit()
    page = v.goto(server["main"] + path)
    if path == "search.html":
        assert search(page, QUERY)  # check the page with its results shown
    assert run_axe(page) == []
    v.check_stayed_local()


def test_axe_does_report_violations(visit, server):
    """The same check on a page with known faults finds them: the check can fail."""
    v = visit()
    page = v.goto(server["main"] + "index.html")
    page.evaluate("""() => {
        document.documentElement.removeAttribute('lang');
        const image = document.createElement('img');
        image.src = 'static/site.css';
        document.querySelector('main').append(image);
    }""")
    ids = {line.split(" ")[0] for line in run_axe(page)}
    assert {"html-has-lang", "image-alt"} <= ids


# ---- a phone's width ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "index.html", "2024/index.html", "2025/index.html", "search.html", f"2024/{SEED_ID}/index.html",
        f"2025/{SEED_ID}/index.html", f"2024/{SEED_ID}/projects/water-town-culture/index.html",
        f"2024/{SEED_ID}/projects/typical-town.self-evaluation/index.html", "help/index.html",
        "help/first-filing.html", "help/codes.html", "help/vscode.html", f"{SEED_ID}/index.html", "data.html",
        "2024/evaluations/index.html",
    ],
)
def test_no_horizontal_page_scroll_at_375_px(visit, server, path):
    v = visit(375, 800)
    page = v.goto(server["main"] + path)
    if path == "search.html":
        search(page, QUERY)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    v.check_stayed_local()


def test_the_form_scrolls_inside_its_own_block_at_375_px(visit, server):
    v = visit(375, 800)
    page = v.goto(server["main"] + f"2024/{SEED_ID}/index.html")
    block = page.locator(".form-scroll")
    sizes = block.evaluate("e => ({scroll: e.scrollWidth, client: e.clientWidth, tab: e.tabIndex})")
    assert sizes["client"] <= 375 < sizes["scroll"]
    assert sizes["tab"] == 0  # a keyboard can reach and scroll it
    block.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("document.querySelector('.form-scroll').scrollLeft > 0")
    assert page.evaluate("window.scrollX") == 0
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    v.check_stayed_local()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_signature_rows_keep_each_label_on_one_line(visit, server, width):
    """万顷沙 2025 files a 填报单位 block: its labels never wrap, and the page does not scroll sideways."""
    v = visit(width, 800)
    page = v.goto(server["main"] + "2025/nansha-wanqingsha/index.html")
    labels = page.locator(".form-signature th").evaluate_all(
        """cells => cells.map(c => {
            const range = document.createRange();
            range.selectNodeContents(c);
            const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
            return {text: c.textContent, lines: lines.size, fits: c.scrollWidth <= c.clientWidth};
        })"""
    )
    assert [label["text"] for label in labels] == ["填报单位（盖章）", "单位负责人", "填报人", "联系电话", "填报日期"]
    assert all(label["lines"] == 1 and label["fits"] for label in labels), labels
    # The block lines up with the grid above it.
    edges = page.evaluate("""() => ['.form-indicators', '.form-signature'].map(s => {
        const r = document.querySelector(s).getBoundingClientRect(); return [r.left, r.right]; })""")
    assert edges[0] == pytest.approx(edges[1], abs=0.5)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    v.check_stayed_local()


# ---- screenshots ----------------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("width", [1280, 375])
def test_screenshots(visit, server, width):
    SHOTS.mkdir(exist_ok=True)
    v = visit(width, 900)
    for name, path in [("home", "index.html"), ("seed", f"2024/{SEED_ID}/index.html"), ("compare", f"2025/{SEED_ID}/index.html")]:
        page = v.goto(server["main"] + path)
        target = SHOTS / f"{name}-{width}.png"
        page.screenshot(path=str(target), full_page=True)
        shot_width, shot_height = _png_size(target)
        assert shot_width == width and shot_height >= 900
    page = v.goto(server["main"] + "search.html")
    search(page, QUERY)
    page.screenshot(path=str(SHOTS / f"search-{width}.png"), full_page=True)
    v.check_stayed_local()


# ---- hostile text ---------------------------------------------------------------------------------


def test_hostile_text_runs_nothing_in_the_browser(visit, server):
    v = visit()
    source = hostile_source()
    for path in ["index.html", "2024/index.html", f"{source.folder}/index.html"]:
        page = v.goto(server["hostile"] + path)
        counts = page.evaluate(r"""() => ({
            scripts: [...document.scripts].filter(s => !/\/static\/(search|listing)\.js$/.test(s.src)).length,
            injected: document.querySelectorAll('img, iframe, object, embed, main style, [onload], [onerror], [onclick]').length,
        })""")
        assert counts == {"scripts": 0, "injected": 0}, path
        assert "<script>alert(1)</script>" in page.locator("main").inner_text()
    page = v.goto(server["hostile"] + "search.html")
    found = search(page, "恶意1号")
    assert found == [urlsplit(server["hostile"]).path + f"{source.folder}/"]
    title = page.text_content("#search-results li a")
    assert "<script>alert(1)</script>" in title
    assert page.evaluate("document.querySelectorAll('#search-results img, #search-results svg, #search-results script').length") == 0
    page.wait_for_timeout(300)  # an onerror would fire by now
    v.check_stayed_local()


def test_pages_and_search_work_under_their_content_security_policy(visit, server):
    v = visit(enforce_csp=True)
    page = v.goto(server["main"] + f"2024/{SEED_ID}/index.html")
    assert page.evaluate("getComputedStyle(document.querySelector('.form-table td')).borderTopStyle") == "solid"
    page = v.goto(server["main"] + "help/first-filing.html")
    assert page.locator("article.help pre").first.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    page.click("header >> text=使用说明")
    page.wait_for_url("**/help/index.html")
    page = v.goto(server["main"] + "search.html?q=" + QUERY)
    page.wait_for_selector("#search-results li a", timeout=20000)
    found = page.eval_on_selector_all("#search-results li a", "as => as.map(a => new URL(a.href).pathname)")
    assert f"{urlsplit(server['main']).path}2024/{SEED_ID}/" in found
    v.check_stayed_local()  # a CSP violation would be a console error here
