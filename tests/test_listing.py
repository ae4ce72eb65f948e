"""The shared listing (templates/_listing.html, static/listing.js, static/listing.css) in Chromium:
a page of a generated corpus's project self-evaluations, served over HTTP on 127.0.0.1. Sorting by
a number and by a name (order, aria-sort, URL), filtering by text and by a facet (the live count,
the URL), a link reproducing the view, every row without JavaScript, axe, and cards at 375 px."""

from __future__ import annotations

import shutil
from decimal import Decimal

import pytest
import yaml

from generator.site.listing import Column, Facet, Row, cell, number_cell, options_from, text_key
from generator.site.listing import number_key as number_key_of
from generator.render.templates import TEMPLATES, environment
from site_fixtures import query, run_axe, static_server

HOSTILE = '<img src=x onerror="alert(1)">项目<script>alert(2)</script>'
GRADES = ("优", "良", "中", "差")
PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self'">
<title>项目自评一览</title>
<link rel="stylesheet" href="static/site.css">
<link rel="stylesheet" href="static/listing.css">
<script src="static/listing.js" defer></script>
</head>
<body>
<main id="main" class="wrap">
<h1>项目自评一览</h1>
{% from "_listing.html" import listing %}
{{ listing("evals", "2024 年度项目支出绩效自评", columns, rows, facets, search_label="按名称筛选") }}
</main>
</body>
</html>
"""


@pytest.fixture(scope="module")
def entries(small_corpus_planted):
    """(name, department id, department name, 全年预算数, 总分, 等级) of every project self-evaluation,
    and one with a name a hostile user typed."""
    c = small_corpus_planted
    out = []
    for e in c.manifest["self_evaluations"]:
        if e["form"] != "project-self-evaluation":
            continue
        data = yaml.safe_load(c.path(e["file"]).read_text(encoding="utf-8"))
        budget = Decimal(str(data["funds"]["total"]["budget"]))
        out.append((data["project"]["name"], data["department"]["id"], data["department"]["name"], budget,
                    Decimal(e["total"]), e["grade"]))
    first = out[0]
    out.append((HOSTILE, first[1], first[2], Decimal("12.5"), Decimal("88.10"), "良"))
    assert 40 <= len(out) <= 80
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory, entries):
    columns = [
        Column("name", "项目", row_header=True), Column("dept", "主管部门"),
        Column("budget", "全年预算数（万元）", numeric=True), Column("total", "总分", numeric=True),
        Column("grade", "等级", sortable=False),
    ]
    rows = []
    for name, dept_id, dept, budget, total, grade in entries:
        tone = {"差": "bad", "中": "warn"}.get(grade)
        rows.append(Row(
            {"name": cell(name, href=f"#{len(rows)}"), "dept": cell(dept), "budget": number_cell(budget),
             "total": number_cell(total, f"{total:.2f}"), "grade": cell(grade, badge=grade if tone else None, tone=tone)},
            facets={"dept": dept_id, "grade": grade}, flag="需关注" if grade == "差" else None))
    names = {dept_id: dept for _, dept_id, dept, *_ in entries}
    facets = [Facet("dept", "主管部门", options_from(rows, "dept", names)),
              Facet("grade", "等级", options_from(rows, "grade", order=GRADES))]
    root = tmp_path_factory.mktemp("listing")
    (root / "static").mkdir()
    for name in ("site.css", "listing.css", "listing.js"):
        shutil.copy(TEMPLATES / "static" / name, root / "static" / name)
    html = environment().from_string(PAGE).render(columns=columns, rows=rows, facets=facets)
    (root / "index.html").write_text(html, encoding="utf-8")
    with static_server(root) as origin:
        yield {"url": f"{origin}index.html", "html": html}


@pytest.fixture
def open_page(browser):
    contexts = []

    def make(url: str, width: int = 1280, javascript: bool = True):
        # bypass_csp only so that axe can be injected; listing.js itself runs under the page's CSP.
        context = browser.new_context(viewport={"width": width, "height": 900}, java_script_enabled=javascript,
                                      bypass_csp=True)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: (errors.append("dialog " + dialog.message), dialog.dismiss()))
        page.goto(url, wait_until="load")
        if javascript:
            page.wait_for_function("!document.querySelector('.listing-controls').hidden")
        page.errors = errors
        return page

    yield make
    for context in contexts:
        context.close()


def visible(page, column: int) -> list[str]:
    """The text of one column in the visible rows, top to bottom."""
    return page.evaluate(
        """column => Array.from(document.querySelectorAll('.listing-table tbody tr'))
             .filter(row => !row.hidden).map(row => row.cells[column].textContent.trim())""", column)


def status(page) -> str:
    return page.locator(".listing-count").text_content().strip()


def test_without_javascript_every_row_is_there(open_page, site, entries):
    page = open_page(site["url"], javascript=False)
    assert page.locator(".listing-table tbody tr").count() == len(entries)
    assert page.locator(".listing-table tbody tr:visible").count() == len(entries)
    assert not page.locator(".listing-controls").is_visible()  # no dead controls without the script
    assert status(page) == f"共 {len(entries)} 项"


def test_sorts_by_a_number_and_by_a_name(open_page, site, entries):
    page = open_page(site["url"])
    assert page.errors == []
    header = page.locator("th[data-key='total']")
    assert header.get_attribute("aria-sort") == "none"
    header.get_by_role("button").click()
    totals = [Decimal(t) for t in visible(page, 3)]
    assert totals == sorted(e[4] for e in entries)
    assert header.get_attribute("aria-sort") == "ascending"
    assert query(page) == {"sort": "total"}
    header.get_by_role("button").press("Enter")  # the keyboard works the same button
    assert [Decimal(t) for t in visible(page, 3)] == sorted((e[4] for e in entries), reverse=True)
    assert header.get_attribute("aria-sort") == "descending"
    assert query(page) == {"sort": "total", "dir": "desc"}
    # Numbers sort as numbers: 999.00 comes before 1,000.00 ascending.
    page.locator("th[data-key='budget'] button").click()
    budgets = [Decimal(t.replace(",", "")) for t in visible(page, 2)]
    assert budgets == sorted(budgets) and budgets[0] < 100 < budgets[-1]
    assert header.get_attribute("aria-sort") == "none"
    # Names by pinyin, as Python computed the keys.
    page.locator("th[data-key='name'] button").click()
    names = visible(page, 0)
    expected = sorted((e[0] for e in entries), key=text_key)
    assert [n.removeprefix("需关注").strip() for n in names] == expected
    assert text_key(expected[0]) <= text_key(expected[-1]) and text_key("东湖镇").startswith("dong1 hu2 zhen4")
    assert query(page) == {"sort": "name"}
    assert page.errors == []


def test_filters_by_text_and_facet_and_a_link_reproduces_the_view(open_page, site, entries):
    page = open_page(site["url"])
    page.fill("#evals-q", "养老")
    want = [e for e in entries if "养老" in e[0] or "养老" in e[2]]
    assert 0 < len(want) < len(entries)
    assert status(page) == f"显示 {len(want)} / {len(entries)} 项"
    assert page.locator(".listing-count").get_attribute("role") == "status"
    assert query(page) == {"q": "养老"}
    page.fill("#evals-q", "")
    assert status(page) == f"共 {len(entries)} 项"
    # A facet: one department, then its poor and fair ones.
    dept = entries[0][1]
    page.select_option("#evals-f-dept", dept)
    in_dept = [e for e in entries if e[1] == dept]
    assert status(page) == f"显示 {len(in_dept)} / {len(entries)} 项"
    assert set(visible(page, 1)) == {entries[0][2]}
    page.select_option("#evals-f-grade", "差")
    poor = [e for e in in_dept if e[5] == "差"]
    assert status(page) == f"显示 {len(poor)} / {len(entries)} 项"
    page.select_option("#evals-f-grade", "")
    page.locator("th[data-key='total'] button").click()
    page.locator("th[data-key='total'] button").click()
    page.fill("#evals-q", "项目")
    assert query(page) == {"dept": dept, "sort": "total", "dir": "desc", "q": "项目"}
    shown, count = visible(page, 0), status(page)
    assert len(shown) == len([e for e in in_dept if "项目" in e[0] or "项目" in e[2]]) > 1
    # The link, opened afresh, shows the same view.
    again = open_page(page.evaluate("location.href"))
    assert visible(again, 0) == shown and status(again) == count
    assert again.input_value("#evals-q") == "项目" and again.input_value("#evals-f-dept") == dept
    assert again.locator("th[data-key='total']").get_attribute("aria-sort") == "descending"
    # Nothing matches: the count says so and the empty note shows.
    again.fill("#evals-q", "没有这样的项目名")
    assert status(again) == f"显示 0 / {len(entries)} 项" and again.locator(".listing-empty").is_visible()
    again.get_by_role("button", name="清除筛选和排序").click()
    assert status(again) == f"共 {len(entries)} 项" and query(again) == {}
    assert page.errors == [] and again.errors == []


def test_marks_and_escaping(open_page, site, entries):
    page = open_page(site["url"])
    poor = page.locator("tr.listing-flagged")
    assert poor.count() == sum(e[5] == "差" for e in entries) == 5
    for i in range(poor.count()):
        row = poor.nth(i)
        assert row.locator(".badge-flag").text_content() == "需关注" and row.locator(".badge-bad").text_content() == "差"
    assert page.locator(".badge-warn").count() == sum(e[5] == "中" for e in entries) > 0
    # What a user typed is text: no element made from it, no script run.
    assert "<script>alert" not in site["html"] and "&lt;script&gt;" in site["html"]
    assert page.locator("tbody img").count() == 0
    page.fill("#evals-q", "<script>")
    assert visible(page, 0) == [HOSTILE]
    assert page.errors == []


@pytest.mark.parametrize("width", [1280, 375])
def test_axe_finds_no_violation(open_page, site, width):
    page = open_page(site["url"], width)
    page.select_option("#evals-sort", "total:asc")
    page.select_option("#evals-f-grade", "中")
    assert run_axe(page) == []


def test_cards_at_375_px_and_columns_at_desktop(open_page, site, entries):
    page = open_page(site["url"], 375)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    first = page.locator(".listing-table tbody tr").first
    label = first.locator("td[data-label='总分']").evaluate("e => getComputedStyle(e, '::before').content")
    assert "总分" in label
    box = first.bounding_box()
    assert box["width"] <= 375 and box["height"] > 5 * 16  # one cell a line
    page.select_option("#evals-sort", "total:desc")  # sorting on a phone, where the header is hidden
    assert [Decimal(t) for t in visible(page, 3)] == sorted((e[4] for e in entries), reverse=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    desk = open_page(site["url"], 1280)
    widths = desk.evaluate("""() => Array.from(document.querySelectorAll('.listing-table thead th'))
        .map(th => th.getBoundingClientRect().width / parseFloat(getComputedStyle(th).fontSize))""")
    assert min(widths) >= 3
    assert desk.evaluate("document.documentElement.scrollWidth") <= 1280


def test_sort_keys_are_computed_in_python():
    assert number_key_of("1,234.50") == "1234.5" and number_key_of(Decimal("0.00")) == "0" and number_key_of(None) == ""
    assert text_key("东湖镇") == "dong1 hu2 zhen4" and text_key("安定镇") < text_key("昂扬街道") < text_key("白沙镇")
    rows = [Row({}, facets={"code": ["J410", "J202"]}), Row({}, facets={"code": "J011"}), Row({}, facets={})]
    assert options_from(rows, "code") == [("J011", "J011"), ("J202", "J202"), ("J410", "J410")]
    html = environment().from_string('{% from "_listing.html" import listing %}{{ listing("t", "表", cols, rows, facets) }}').render(
        cols=[Column("name", "名称")], rows=[Row({"name": "甲"}, facets={"code": ["J410", "J202"]})],
        facets=[Facet("code", "代码", options_from(rows, "code"))])
    assert 'data-f-code="J410|J202"' in html and '<td data-label="名称">甲</td>' in html
