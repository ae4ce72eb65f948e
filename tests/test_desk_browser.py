"""The bureau's desk in Chromium (Playwright, served over HTTP on 127.0.0.1), on the planted corpus:
the department table sorts and filters, the URL reproduces the view, a finding's link lands on its
highlighted line in the source view, and axe-core finds no violation on the desk or a source view.
Screenshots go to /tmp/jixiao-screenshots."""

from __future__ import annotations

from pathlib import Path

import pytest

from site_fixtures import jixiao, query, run_axe, static_server

SHOTS = Path("/tmp/jixiao-screenshots")


@pytest.fixture(scope="module")
def desk(bureau_corpus_planted, tmp_path_factory):
    out = tmp_path_factory.mktemp("desk-browser") / "review"
    result = jixiao("review", "--out", str(out), cwd=bureau_corpus_planted.root)
    assert result.returncode == 0, result.stderr
    with static_server(out) as origin:
        yield bureau_corpus_planted, origin


@pytest.fixture
def open_page(browser):
    contexts = []

    def make(url: str, width: int = 1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and page.errors.append(f"{r.status} {r.url}"))
        page.goto(url, wait_until="load")
        return page

    yield make
    for context in contexts:
        context.close()


def _ready(page, year: int):
    page.wait_for_function(f"!document.querySelector('#departments-{year} .listing-controls').hidden")


def rows(page, year: int, label: str) -> list[str]:
    """One column's text in the visible rows of a year's table, top to bottom."""
    return page.evaluate(
        """([year, label]) => Array.from(document.querySelectorAll(`#departments-${year} tbody tr`))
             .filter(row => !row.hidden)
             .map(row => Array.from(row.cells).find(cell => cell.dataset.label === label).textContent.trim())""",
        [year, label],
    )


def keys(page, year: int, label: str) -> list[str]:
    return page.evaluate(
        """([year, label]) => Array.from(document.querySelectorAll(`#departments-${year} tbody tr`))
             .filter(row => !row.hidden)
             .map(row => Array.from(row.cells).find(cell => cell.dataset.label === label).dataset.sort || '')""",
        [year, label],
    )


def test_sorting_by_each_column_and_the_url_reproduces_it(desk, open_page):
    corpus, url = desk
    year = corpus.manifest["closed_years"][-1]
    page = open_page(url)
    _ready(page, year)
    table = page.locator(f"#departments-{year}")
    for label, numeric in (("项目数", True), ("支出（万元）", True), ("项目资金（万元）", True), ("自评总分", True),
                           ("部门", False), ("层级", False), ("状态", False)):
        header = table.locator(f"thead th[data-label='{label}'], thead th").filter(has_text=label).first
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "ascending", label
        values = [k for k in keys(page, year, label) if k != ""]
        ordered = sorted(values, key=float) if numeric else sorted(values)
        assert values == ordered, label
        header.locator("button").click()
        assert header.get_attribute("aria-sort") == "descending", label
        values = [k for k in keys(page, year, label) if k != ""]
        assert values == (sorted(values, key=float, reverse=True) if numeric else sorted(values, reverse=True)), label
    # 总分, highest first: the view is in the URL, and the URL opens the same view.
    table.locator("thead th").filter(has_text="自评总分").locator("button").click()
    table.locator("thead th").filter(has_text="自评总分").locator("button").click()
    assert query(page) == {f"y{year}-sort": "score", f"y{year}-dir": "desc"}
    shown = rows(page, year, "部门")
    again = open_page(page.evaluate("location.href"))
    _ready(again, year)
    assert rows(again, year, "部门") == shown
    scores = [float(s.split("（")[0]) for s in rows(again, year, "自评总分") if s]
    assert scores == sorted(scores, reverse=True) and len(scores) >= 40
    assert page.errors == [] and again.errors == []


def test_filters_by_status_level_form_and_code_and_the_url_reproduces_them(desk, open_page):
    corpus, url = desk
    planted = corpus.planted
    names = {d["id"]: d["name"] for d in corpus.manifest["departments"]}
    year = max(corpus.manifest["years"])
    page = open_page(url)
    _ready(page, year)
    block = page.locator(f"#departments-{year}")
    block.get_by_label("状态").select_option("missing")
    assert sorted(rows(page, year, "部门")) == sorted(names[d] for d in planted["missing_departments"])
    assert page.locator(f"#departments-{year} .listing-count").text_content().strip() == f"显示 2 / {len(names)} 项"
    assert query(page) == {f"y{year}-status": "missing"}
    block.get_by_label("状态").select_option("")
    block.get_by_label("问题代码").select_option("J410")
    over = sorted(names[o["department"]] for o in planted["over_budget"])
    assert sorted(rows(page, year, "部门")) == over
    block.get_by_label("层级").select_option("镇本级")
    both = rows(page, year, "部门")
    levels = {d["id"]: d["level"] for d in corpus.manifest["departments"]}
    assert sorted(both) == sorted(names[o["department"]] for o in planted["over_budget"] if levels[o["department"]] == "镇本级")
    view = page.evaluate("location.href")
    assert query(page) == {f"y{year}-code": "J410", f"y{year}-level": "镇本级"}
    again = open_page(view)
    _ready(again, year)
    assert rows(again, year, "部门") == both
    assert again.locator(f"#departments-{year}").get_by_label("问题代码").input_value() == "J410"
    # The form filter: the departments whose 项目支出 form has an error or is missing.
    block.get_by_role("button", name="清除筛选和排序").click()
    block.get_by_label("有问题的表").select_option("project-target")
    broken = {e["file"].split("/")[2] for e in planted["error_files"] if e["file"].startswith(f"declarations/{year}/") and "/projects/" in e["file"]}
    assert sorted(rows(page, year, "部门")) == sorted({*(names[d] for d in planted["missing_departments"]), *(names[d] for d in broken)})
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "desk-filtered.png"), full_page=False)


def test_the_triage_links_open_filtered_views(desk, open_page):
    corpus, url = desk
    year = max(corpus.manifest["years"])
    page = open_page(url)
    _ready(page, year)
    page.locator(f"#triage-{year} p.clear a").click()
    _ready(page, year)
    assert query(page) == {f"y{year}-status": "ok"}
    statuses = set(rows(page, year, "状态"))
    assert statuses == {"合格"}
    count = int(page.locator(f"#triage-{year} p.clear a").text_content().split(" ")[0])
    assert len(rows(page, year, "部门")) >= count
    # A count in the by-code table opens the table filtered by that code.
    page.goto(url)
    _ready(page, year)
    page.locator(f"#codes-{year} + table td.num a").first.click()
    _ready(page, year)
    code = query(page)[f"y{year}-code"]
    assert code and len(rows(page, year, "部门")) >= 1


def test_each_finding_link_lands_on_its_highlighted_line(desk, open_page):
    corpus, url = desk
    page = open_page(url)
    links = page.locator("div.triage a[href^='source/']")
    hrefs = sorted(set(links.evaluate_all("links => links.map(a => a.getAttribute('href'))")))
    assert len(hrefs) >= 30
    for href in [h for h in hrefs if "#L" in h][::5] + [h for h in hrefs if "xiling" in h or "J" in h][:3]:
        view = open_page(url + href)
        target = view.locator(":target")
        assert target.count() == 1, href
        assert target.get_attribute("id") == href.rsplit("#", 1)[1]
        assert "hit" in (target.get_attribute("class") or ""), href
        assert target.locator("td.said").text_content().strip(), href
        box = target.bounding_box()
        assert box is not None and -1 <= box["y"] < 900, href  # scrolled into view
        assert view.errors == [], href
    error = next(e for e in corpus.planted["error_files"] if e["code"] == "J011")
    link = page.locator(f"div.triage a[href^='source/{error['file']}.html#L']").first
    link.click()
    page.wait_for_load_state("load")
    line = page.locator(":target")
    assert "J011" in line.locator("td.said").text_content()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "desk-source-view.png"))


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violation_on_the_desk_or_a_source_view(desk, open_page, width):
    corpus, url = desk
    page = open_page(url, width=width)
    _ready(page, max(corpus.manifest["years"]))
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width + 1, page.evaluate(  # no page-wide horizontal scroll on a phone: what sticks out
        "Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > innerWidth + 1)"
        ".slice(0, 5).map(e => e.tagName + ' ' + e.className + ' ' + e.textContent.slice(0, 40))"
    )
    assert run_axe(page) == []
    error = next(e for e in corpus.planted["error_files"] if e["code"] == "J011")
    href = page.locator(f"div.triage a[href^='source/{error['file']}.html#L']").first.get_attribute("href")
    view = open_page(url + href, width=width)
    assert view.evaluate("document.documentElement.scrollWidth") <= width + 1
    assert run_axe(view) == []
