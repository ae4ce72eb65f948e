"""The disclosure site as built by `jixiao build site`: pages, downloads, links, sizes, determinism,
history from git, hostile text, refused department ids, valid HTML.

The main test site (tests/site_fixtures.py) is the seed plus three departments derived from it over
2024 and 2025; the seed's department is in both years, so its 2025 page compares with 2024. It is
built once per test session and shared with tests/test_site_browser.py.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
from pypdf import PdfReader

from generator.input.load import load_file
from generator.forms.department_target.model import DepartmentTarget as Declaration
from generator.scaffold.schema import json_schema
from site_fixtures import (
    DONGCHONG_2025,
    FORMULAS,
    HOSTILE,
    MARKDOWN_FIELDS,
    ROOT,
    SEED_ID,
    SEED_YAML,
    build_site,
    dump,
    hostile_source,
    EXAMPLE_PROJECTS,
    html_pages,
    huangge_2024,
    jixiao,
    money,
    normalise,
    parse_html,
    seed_cells,
    seed_data,
    shared_build,
    test_sources,
)

CSV_HEADERS = {
    "budget.csv": ["分组", "项目名称", "预算金额（万元）"],
    "tasks.csv": ["序号", "名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"],
    "indicators.csv": ["一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"],
}
SINGLE_VALUE_HEADER = ["一级指标", "二级指标", "三级指标", "指标值"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    return shared_build(tmp_path_factory, "main", test_sources)


@pytest.fixture(scope="module")
def site(built) -> Path:
    return built[1]


@pytest.fixture(scope="module")
def sources():
    return {(s.year, s.dept_id): s for s in test_sources()}


def page(site: Path, relative: str):
    return parse_html((site / relative).read_text(encoding="utf-8"))


def targets(site: Path, page_path: str, href: str) -> str:
    """Where a relative link on a page points, as a path from the site's root."""
    return str((site / page_path).parent.joinpath(href).resolve().relative_to(site.resolve()))


def yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith("\ufeff".encode("utf-8")), f"{path.name} has no UTF-8 BOM"
    return list(csv.reader(io.StringIO(data.decode("utf-8")[1:], newline="")))


# ---- pages ----------------------------------------------------------------------------------------


def _listing_rows(doc, key: str) -> dict[str, list[str]]:
    """A listing table's rows by the text of their first cell: the other cells' texts."""
    block = next(div for div in doc.iter("div") if div.get("id") == key and "listing-block" in div.classes)
    return {
        normalise(row.find("th").text()): [normalise(td.text()) for td in row.iter("td")]
        for row in block.find("tbody").iter("tr")
    }


def test_home_is_an_overview_of_years_and_departments_not_a_list_of_documents(site, sources):
    home = page(site, "index.html")
    years = sorted({year for year, _ in sources}, reverse=True)
    rows = _listing_rows(home, "years")
    assert list(rows) == [f"{year}年度" for year in years]  # newest year first
    for year in years:
        in_year = [s for (y, _), s in sources.items() if y == year]
        departments, projects, spending = rows[f"{year}年度"][:3]
        assert departments == str(len(in_year))
        assert spending == yuan(sum((s.total_spending for s in in_year), Decimal(0)))
    names = _listing_rows(home, "departments")
    assert sorted(names) == sorted({s.name for s in sources.values()})
    links = {targets(site, "index.html", a.get("href")) for a in home.find("main").iter("a")}
    for source in sources.values():
        assert f"{source.dept_id}/index.html" in links  # the department across years
        assert f"{source.folder}/index.html" not in links  # no document is listed on the home page
    assert "search.html" in {a.get("action") for a in home.iter("form")}


def test_each_year_page_lists_its_departments_with_key_figures_and_the_years_files(site, sources):
    for year in {year for year, _ in sources}:
        doc = page(site, f"{year}/index.html")
        rows = _listing_rows(doc, "departments")
        links = {targets(site, f"{year}/index.html", a.get("href")) for a in doc.find("main").iter("a")}
        for (y, ident), source in sources.items():
            assert (f"{source.folder}/index.html" in links) == (y == year), (year, ident)
            if y == year:
                spending, _projects, _funds, indicators = rows[source.name][:4]
                assert spending == yuan(source.total_spending)
                assert indicators == str(len(source.indicators()))
        for name in (f"jixiao-{year}.zip", f"jixiao-{year}.csv", f"jixiao-{year}.xlsx"):
            assert f"{year}/{name}" in links
            assert (site / str(year) / name).is_file()
        assert f"{year}年度" in normalise(doc.find("h1").text())


def test_a_department_page_shows_its_years_side_by_side_and_links_each(site, sources):
    doc = page(site, f"{SEED_ID}/index.html")
    figures = _listing_rows(doc, "figures")
    by_year = {y: s for (y, ident), s in sources.items() if ident == SEED_ID}
    assert [normalise(th.text()) for th in doc.find("thead").iter("th")][1:] == [f"{y}年度" for y in sorted(by_year)]
    assert figures["部门预算支出合计（万元）"] == [yuan(by_year[y].total_spending) for y in sorted(by_year)]
    links = {targets(site, f"{SEED_ID}/index.html", a.get("href")) for a in doc.find("main").iter("a")}
    for source in by_year.values():
        assert f"{source.folder}/index.html" in links
    # and each year's page of the department links back to it, and to the other year
    page_2024 = page(site, f"2024/{SEED_ID}/index.html")
    links_2024 = {targets(site, f"2024/{SEED_ID}/index.html", a.get("href")) for a in page_2024.iter("a")}
    assert f"{SEED_ID}/index.html" in links_2024 and f"2025/{SEED_ID}/index.html" in links_2024


def test_seed_page_holds_every_cell_of_the_official_form(site):
    doc = page(site, f"2024/{SEED_ID}/index.html")
    form = normalise(doc.find("article", cls="form").text())
    cells = seed_cells()
    assert len(cells) > 60  # the reference text was read
    missing = [cell for cell in cells if cell not in form]
    assert not missing, missing


def test_declaration_pages_link_every_download_and_the_files_exist(site, sources):
    for (year, ident), source in sources.items():
        doc = page(site, f"{source.folder}/index.html")
        downloads = doc.find("ul", cls="downloads")
        links = [a.get("href") for a in downloads.iter("a")]
        expected = [f"{ident}.pdf", f"{ident}.xlsx", f"{ident}.yaml", f"{ident}.json"] + [f"{ident}-{n}" for n in CSV_HEADERS]
        assert links[: len(expected)] == expected
        assert links[len(expected):] == [f"../../{year}/jixiao-{year}.zip"]
        for link in links:
            target = site / source.folder / link
            assert target.is_file() and target.stat().st_size > 0, link


def test_json_download_validates_against_the_schema_and_round_trips(site, sources):
    schema = json_schema()
    for source in sources.values():
        data = json.loads((site / source.folder / f"{source.dept_id}.json").read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
        original = load_file(site / source.folder / f"{source.dept_id}.yaml").declaration
        assert Declaration.model_validate(data) == original
        # amounts exact, as strings written in the source (never binary floats)
        assert data["budget"]["spending"]["basic"] == str(money(source.data["budget"]["spending"]["basic"]))
        assert [t["funds"] for t in data["tasks"]] == [str(money(t["funds"])) for t in source.data["tasks"]]


def test_seed_json_keeps_trailing_zeros_of_amounts(site):
    data = json.loads((site / f"2024/{SEED_ID}/{SEED_ID}.json").read_text(encoding="utf-8"))
    by_level = {line["label"]: line["amount"] for line in data["budget"]["by_level"]}
    assert by_level["镇本级使用资金"] == "52906.00"


def test_csv_downloads_have_bom_header_and_the_declarations_rows(site, sources):
    for source in sources.values():
        folder = site / source.folder
        ident = source.dept_id
        budget = read_csv(folder / f"{ident}-budget.csv")
        assert budget[0] == CSV_HEADERS["budget.csv"]
        b = source.data["budget"]
        expected = [["部门预算支出", "基本支出", b["spending"]["basic"]], ["部门预算支出", "项目支出", b["spending"]["project"]]]
        for key, title in (("income", "收入来源"), ("development", "事业发展性支出"), ("by_level", "按预算级次划分")):
            expected += [[title, line["label"], line["amount"]] for line in b[key]]
        assert [[g, label, money(a)] for g, label, a in budget[1:]] == [[g, l, money(a)] for g, l, a in expected]

        tasks = read_csv(folder / f"{ident}-tasks.csv")
        assert tasks[0] == CSV_HEADERS["tasks.csv"]
        assert [row[1] for row in tasks[1:]] == [t["name"] for t in source.data["tasks"]]
        assert [money(row[3]) for row in tasks[1:]] == [money(t["funds"]) for t in source.data["tasks"]]
        assert [row[2] for row in tasks[1:]] == [t["content"] for t in source.data["tasks"]]  # multi-line cells

        indicators = read_csv(folder / f"{ident}-indicators.csv")
        single = any("value" in item for *_, item in source.indicators())
        assert indicators[0] == (SINGLE_VALUE_HEADER if single else CSV_HEADERS["indicators.csv"])
        expected_rows = [
            [l1, l2, l3] + ([item["value"]] if single else [item["period_value"], item["annual_value"]])
            for l1, l2, l3, item in source.indicators()
        ]
        assert indicators[1:] == expected_rows


def test_yaml_download_is_the_source_file(built, sources):
    declarations, site = built
    for source in sources.values():
        assert (site / source.folder / f"{source.dept_id}.yaml").read_bytes() == (declarations / source.relative).read_bytes()
    assert (site / f"2024/{SEED_ID}/{SEED_ID}.yaml").read_bytes() == SEED_YAML.read_bytes()


def test_pdf_download_opens_and_carries_the_yaml(site, sources):
    for source in sources.values():
        reader = PdfReader(site / source.folder / f"{source.dept_id}.pdf")
        assert len(reader.pages) >= 1
        assert reader.metadata.title.startswith(source.name)
        first = reader.pages[0].extract_text()
        assert source.name in first.replace("\n", "")
        assert reader.attachments[f"{source.dept_id}.yaml"] == [source.text.encode("utf-8")]


def test_year_zip_holds_every_file_of_the_year(site, sources):
    for year in {year for year, _ in sources}:
        with zipfile.ZipFile(site / str(year) / f"jixiao-{year}.zip") as bundle:
            assert bundle.testzip() is None
            names = sorted(bundle.namelist())
            expected = []
            for (y, ident), source in sources.items():
                if y != year:
                    continue
                files = [f"{ident}.yaml", f"{ident}.json"] + [f"{ident}-{n}" for n in CSV_HEADERS]
                expected += [f"{year}/{name}" for name in files]
                for name in files:
                    assert bundle.read(f"{year}/{name}") == (site / source.folder / name).read_bytes(), name
            # The year's project forms, at their place below their department: YAML, JSON, two CSVs.
            for project in sorted(EXAMPLE_PROJECTS.glob("*.yaml")) if year == 2024 else []:
                ident, folder = project.stem, f"{year}/{SEED_ID}/projects"
                files = [f"{ident}.yaml", f"{ident}.json", f"{ident}-funds.csv", f"{ident}-indicators.csv"]
                expected += [f"{folder}/{name}" for name in files]
                for name in files:
                    assert bundle.read(f"{folder}/{name}") == (site / folder / ident / name).read_bytes(), name
                assert bundle.read(f"{folder}/{ident}.yaml") == project.read_bytes()
            assert names == sorted(expected)


# ---- links and sizes ------------------------------------------------------------------------------


def _ids(path: Path) -> set[str]:
    return {node.get("id") for node in parse_html(path.read_text(encoding="utf-8")).iter() if node.get("id")}


def check_links(site: Path) -> int:
    """Every href and src of every page: relative, inside the site, pointing at a file that exists
    (and at an element that exists, for a #fragment). Returns how many internal links were checked."""
    site = site.resolve()
    checked = 0
    for path in html_pages(site):
        doc = parse_html(path.read_text(encoding="utf-8"))
        for node in doc.iter():
            for attribute in ("href", "src"):
                link = node.get(attribute)
                if link is None:
                    continue
                where = f"{path.relative_to(site)}: <{node.tag} {attribute}={link!r}>"
                assert link.strip() == link and link, where
                parts = urlsplit(link)
                if parts.scheme:
                    assert parts.scheme in ("http", "https", "mailto"), where
                    continue
                assert not link.startswith("/") and not parts.netloc, where
                target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
                assert target == site or site in target.parents, f"{where} leaves the site"
                if target.is_dir():
                    target = target / "index.html"
                assert target.is_file(), f"{where} → {target} does not exist"
                if parts.fragment:
                    assert parts.fragment in _ids(target), f"{where}: no element with that id"
                checked += 1
    return checked


def test_every_internal_link_resolves_relatively_inside_the_site(site, sources):
    assert check_links(site) > 20 * len(sources)


def test_no_page_is_over_200_kb(site):
    sizes = {str(p.relative_to(site)): p.stat().st_size for p in site.rglob("*") if p.is_file() and p.suffix != ".pdf"}
    assert any(name.endswith("index.html") for name in sizes)
    too_big = {name: size for name, size in sizes.items() if size > 200 * 1024}
    assert not too_big


def test_only_the_sites_own_script_is_on_any_page(site):
    for path in html_pages(site):
        for script in parse_html(path.read_text(encoding="utf-8")).iter("script"):
            assert (path.parent / script.get("src")).resolve() in {(site / "static" / name).resolve() for name in ("search.js", "listing.js")}


def test_every_page_forbids_inline_scripts_and_foreign_sources(site):
    for path in html_pages(site):
        metas = [m for m in parse_html(path.read_text(encoding="utf-8")).iter("meta") if m.get("http-equiv") == "Content-Security-Policy"]
        assert len(metas) == 1, path
        policy = dict(part.strip().split(" ", 1) for part in metas[0].get("content").split(";"))
        assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
        assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
        assert not any("http" in sources or "*" in sources for sources in policy.values()), path


# ---- the user guide ---------------------------------------------------------------------------------

DOCS = ROOT / "docs"
GUIDE = ["index", "install", "first-filing", "self-evaluation", "vscode", "excel", "codes", "bureau", "publishing", "review"]


def test_every_page_links_the_guide_from_its_header(site):
    pages = html_pages(site)
    for path in pages:
        header = parse_html(path.read_text(encoding="utf-8")).find("header")
        links = {targets(site, str(path.relative_to(site)), a.get("href")): normalise(a.text()) for a in header.iter("a")}
        assert links.get("help/index.html") == "使用说明", path
    assert {p.relative_to(site).as_posix() for p in pages} >= {f"help/{name}.html" for name in GUIDE}


def test_the_guide_is_rendered_from_docs_in_the_site_shell(site):
    for name in GUIDE:
        source = (DOCS / f"{name}.md").read_text(encoding="utf-8")
        title = next(line[2:] for line in source.splitlines() if line.startswith("# "))
        doc = page(site, f"help/{name}.html")
        article = doc.find("article", cls="help")
        assert normalise(article.find("h1").text()) == title
        assert normalise(doc.find("title").text()).startswith(title)
        assert doc.find("footer") is not None and doc.find("link", rel="stylesheet") is not None
        menu = doc.find("nav", cls="help-menu")
        assert [a.get("href") for a in menu.iter("a")] == [f"{n}.html" for n in GUIDE]
        assert [a.get("href") for a in menu.iter("a") if a.get("aria-current") == "page"] == [f"{name}.html"]
        # every Markdown link to another page of the guide became a link to its page on the site
        for target in re.findall(r"\]\(([a-z-]+)\.md\)", source):
            assert f"{target}.html" in [a.get("href") for a in article.iter("a")], (name, target)
        assert not [a.get("href") for a in article.iter("a") if (a.get("href") or "").endswith(".md")]
    # code blocks keep their text: <年度> is shown, not swallowed as a tag nor escaped twice
    first = page(site, "help/first-filing.html")
    assert any("jixiao new --year 2025" in pre.text() for pre in first.iter("pre"))
    assert "declarations/<年度>/" in normalise(page(site, "help/index.html").find("article").text())


def test_the_guide_explains_every_problem_code_with_an_example_and_a_fix():
    from generator.core.registry import all_codes

    CODES = all_codes()  # the forms' own codes too, registered when the forms are loaded

    text = (DOCS / "codes.md").read_text(encoding="utf-8")
    sections = dict(re.findall(r"^### (J\d{3}) .*?\n(.*?)(?=^### |^## |\Z)", text, re.M | re.S))
    assert sorted(sections) == sorted(CODES), set(CODES) ^ set(sections)
    for code, body in sections.items():
        assert "例：" in body and f" {code}: " in body, code  # an example line carrying the code
        assert "改：" in body, code


def test_guide_markdown_is_sanitised_like_a_declarations():
    from generator.render.templates import doc_to_html

    html = str(doc_to_html(
        "# 标题\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
        "[坏链接](javascript:alert(1)) [另一页](codes.md#j001) [外部](https://example.org/a.md)\n\n"
        "```\n<b>代码</b>\n```\n"
    ))
    assert "<script" not in html and "<img" not in html and "javascript:" not in html and "onerror=" not in html.split("<pre>")[0]
    assert '<a href="codes.html#j001">另一页</a>' in html
    assert '<a href="https://example.org/a.md">外部</a>' in html
    assert "<pre><code>&lt;b&gt;代码&lt;/b&gt;" in html


# ---- the comparison with the previous year --------------------------------------------------------


def _change(previous: Decimal, current: Decimal) -> str:
    delta = current - previous
    sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
    percent = (abs(delta) / abs(previous) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return f"{sign}{abs(delta):,.2f}（{sign}{percent}%）"


def _rows(table) -> list[list[str]]:
    return [[normalise(cell.text()) for cell in row.iter() if cell.tag in ("td", "th")] for row in table.find("tbody").iter("tr")]


def test_a_department_in_both_years_is_compared_with_its_previous_declaration(site, sources):
    before, now = sources[(2024, SEED_ID)], sources[(2025, SEED_ID)]
    doc = page(site, f"2025/{SEED_ID}/index.html")
    section = next(s for s in doc.iter("section") if s.get("aria-labelledby") == "compare-heading")
    assert normalise(section.find("h2").text()) == "与 2024 年度比较"
    assert section.find("a").get("href") == f"../../2024/{SEED_ID}/index.html"
    tables = list(section.iter("table"))
    amounts = {(row[0], row[1]): row[2:] for row in _rows(tables[0])}

    for key in ("basic", "project"):
        label = {"basic": "基本支出", "project": "项目支出"}[key]
        old, new = money(before.data["budget"]["spending"][key]), money(now.data["budget"]["spending"][key])
        assert amounts[("部门预算支出", label)] == [yuan(old), yuan(new), _change(old, new)]
    assert amounts[("部门预算支出", "项目支出")][2].startswith("−")  # a fall shows a minus sign
    assert amounts[("收入来源", DONGCHONG_2025["new_income"])] == ["—", "5,000.00", "新增"]
    assert amounts[("收入来源", "其他资金")] == ["98.17", "—", "取消"]

    tasks_before = {t["name"]: money(t["funds"]) for t in before.data["tasks"]}
    tasks_now = {t["name"]: money(t["funds"]) for t in now.data["tasks"]}
    for name in tasks_before.keys() | tasks_now.keys():
        old, new = tasks_before.get(name), tasks_now.get(name)
        change = "新增" if old is None else ("取消" if new is None else _change(old, new))
        shown = amounts[("任务", name)]
        assert shown == [yuan(old) if old is not None else "—", yuan(new) if new is not None else "—", change], name
    assert amounts[("任务", DONGCHONG_2025["dropped_task"])][2] == "取消"
    assert amounts[("任务", DONGCHONG_2025["new_task"])][2] == "新增"
    assert amounts[("任务", DONGCHONG_2025["changed_task"])][2].startswith("+")

    indicators = {row[3]: row for row in _rows(tables[1])}

    def values(item):
        return f"{item['period_value']} / {item['annual_value']}"

    old_items = {l3: (l1, l2, values(i)) for l1, l2, l3, i in before.indicators()}
    new_items = {l3: (l1, l2, values(i)) for l1, l2, l3, i in now.indicators()}
    expected = {}
    for name in old_items.keys() | new_items.keys():
        if name not in old_items:
            expected[name] = ["新增", *new_items[name][:2], name, "—", new_items[name][2]]
        elif name not in new_items:
            expected[name] = ["删除", *old_items[name][:2], name, old_items[name][2], "—"]
        elif old_items[name][2] != new_items[name][2]:
            expected[name] = ["变更", *new_items[name][:2], name, old_items[name][2], new_items[name][2]]
    assert indicators == expected
    assert {row[0] for row in indicators.values()} == {"新增", "删除", "变更"}


def test_a_declaration_without_an_earlier_year_has_no_comparison(site, sources):
    for (year, ident), source in sources.items():
        doc = page(site, f"{source.folder}/index.html")
        has = any(s.get("aria-labelledby") == "compare-heading" for s in doc.iter("section"))
        assert has == ((year - 1, ident) in sources), (year, ident)


def test_charts_show_every_budget_line_with_its_amount(site, sources):
    for source in sources.values():
        doc = page(site, f"{source.folder}/index.html")
        titles = [normalise(t.text()) for svg in doc.iter("svg") for t in svg.iter("title")]
        text = " ".join(titles)
        for line in source.data["budget"]["income"] + source.data["budget"]["by_level"]:
            assert f"{line['label']} {yuan(money(line['amount']))} 万元" in text
        for task in source.data["tasks"]:
            assert f"{task['name']} {yuan(money(task['funds']))} 万元" in text


def _indexed_texts(site: Path) -> dict[str, str]:
    """Each page's text as Pagefind's index holds it (its fragments), by URL, white space and
    Pagefind's word breaks taken out."""
    texts = {}
    for fragment in (site / "pagefind" / "fragment").glob("*.pf_fragment"):
        data = json.loads(gzip.decompress(fragment.read_bytes())[len(b"pagefind_dcd"):])
        texts[data["url"]] = "".join(data["content"].replace("\u200b", "").split())
    return texts


def test_the_search_index_holds_each_form_but_not_the_download_list_or_the_charts(site, sources):
    texts = _indexed_texts(site)
    for source in sources.values():
        text = texts[f"/{source.folder}/"]
        for _, _, level3, _ in source.indicators():
            assert "".join(level3.split()) in text
        for task in source.data["tasks"]:
            assert "".join(task["name"].split()) in text
        # On every page alike: the download list (可打印、归档) and the charts' captions (拟投入资金（合计).
        assert "可打印" not in text and "拟投入资金（合计" not in text


# ---- determinism and history ----------------------------------------------------------------------


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_two_builds_give_byte_identical_pages_and_data(built, tmp_path):
    declarations, first = built
    # a copy of the first build's PDF cache spares rendering the PDFs again (they are not compared)
    cache = shutil.copytree(first.parent / "cache", tmp_path / "cache")
    second = build_site(declarations, tmp_path / "again", cache)
    a, b = _files(first), _files(second)
    assert sorted(a) == sorted(b)
    assert any(n.endswith(".html") for n in a) and any(n.endswith(".zip") for n in a)
    assert any(n.endswith(".csv") for n in a) and any(n.endswith(".json") for n in a)
    assert any(n.startswith("pagefind/fragment/") for n in a) and any(n.startswith("pagefind/index/") for n in a)
    # Every file, the search index included (year and department are page metadata rather than
    # Pagefind filters, whose index Pagefind writes in a different order on every run).
    differing = [name for name in a if a[name] != b[name]]
    assert not differing


def _not_in_git(path: Path) -> bool:
    return subprocess.run(["git", "rev-parse", "--git-dir"], cwd=path, capture_output=True).returncode != 0


def test_outside_a_git_checkout_the_site_builds_without_history(built, sources):
    declarations, site = built  # the test site's declarations are copies in a temporary folder
    assert _not_in_git(declarations)
    for source in sources.values():
        doc = page(site, f"{source.folder}/index.html")
        history = next(s for s in doc.iter("section") if s.get("aria-labelledby") == "history-heading")
        assert history.find("ol") is None
        assert "没有版本记录" in normalise(history.text())
        assert "最后修改" not in normalise(doc.find("p", cls="meta").text())


def _git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "测试", "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "测试", "GIT_COMMITTER_EMAIL": "test@example.org",
        "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
    }
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout.strip()


def test_inside_a_git_repository_the_page_shows_the_change_history(tmp_path):
    repo = tmp_path / "repo"
    data = huangge_2024().data  # a short declaration: a quick PDF
    path = repo / "declarations" / "2024" / "nansha-huangge.yaml"
    path.parent.mkdir(parents=True)
    _git(repo, "init", "-q")
    path.write_text(dump(data), encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "首次录入 2024 年度申报", date="2024-01-15T10:00:00+08:00")
    data["basic_info"]["staff_count"] = 250  # was 120
    path.write_text(dump(data), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "更正财政供养人员数 <b>250</b> & 核对", date="2024-02-20T09:30:00+08:00")
    revisions = _git(repo, "log", "--format=%H").split()

    site = build_site(repo / "declarations", tmp_path / "site", tmp_path / "cache")
    doc = page(site, "2024/nansha-huangge/index.html")
    history = next(s for s in doc.iter("section") if s.get("aria-labelledby") == "history-heading")
    items = list(history.find("ol").iter("li"))
    assert [normalise(li.text()) for li in items] == [
        f"2024-02-20 {revisions[0][:10]} 更正财政供养人员数 <b>250</b> & 核对",
        f"2024-01-15 {revisions[1][:10]} 首次录入 2024 年度申报",
    ]
    assert [li.find("time").get("datetime") for li in items] == ["2024-02-20", "2024-01-15"]
    assert items[0].find("b") is None  # the message is text, not markup
    assert "最后修改 2024-02-20" in normalise(doc.find("p", cls="meta").text())
    assert "250" in normalise(doc.find("article", cls="form").text())


# ---- hostile text ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    declarations, site = shared_build(tmp_path_factory, "hostile", lambda: [hostile_source()])
    return site, hostile_source()


def _plain_strings(data, key=None):
    """Every plain-text (not Markdown) string of the declaration, with its key."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _plain_strings(v, k)
    elif isinstance(data, list):
        for v in data:
            yield from _plain_strings(v, key)
    elif isinstance(data, str) and key not in MARKDOWN_FIELDS:
        yield key, data


def test_hostile_text_is_never_markup(hostile):
    site, source = hostile
    pages = html_pages(site)
    assert len(pages) >= 4
    for path in pages:
        doc = parse_html(path.read_text(encoding="utf-8"))
        where = str(path.relative_to(site))
        for node in doc.iter():
            assert node.tag not in ("img", "iframe", "object", "embed", "style", "frame", "base", "form") or (
                node.tag == "form" and "search-box" in node.classes
            ), (where, node.tag)
            for name, value in node.attrs:
                assert not name.lower().startswith("on"), (where, node.tag, name)
                if name in ("href", "src", "action", "formaction", "xlink:href"):
                    assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), (where, value)
            if node.tag == "script":
                assert node.get("src", ) and node.get("src").endswith(("static/search.js", "static/listing.js")) and not node.text().strip()
            if node.tag == "svg":
                assert any(a.tag == "figure" and "chart" in a.classes for a in node.ancestors()), where
            if node.tag == "a" and node.get("href"):
                assert urlsplit(node.get("href")).scheme in ("", "http", "https", "mailto"), (where, node.get("href"))


def test_hostile_plain_text_shows_as_text_exactly(hostile):
    site, source = hostile
    doc = page(site, f"{source.folder}/index.html")
    text = normalise(doc.text())
    strings = [v for _key, v in _plain_strings(source.data) if HOSTILE in v or v in FORMULAS.values()]
    assert len(strings) > 40
    for value in strings:
        assert normalise(value) in text, value
    assert normalise(HOSTILE) in text
    assert "{{ 7*7 }}" in text
    # the home and year pages list the hostile department name as text too
    name = normalise(source.name)
    assert name in normalise(page(site, "index.html").text())
    assert name in normalise(page(site, "2024/index.html").text())
    assert f"{name} 2024年度" in normalise(doc.find("title").text())


def test_hostile_markdown_is_sanitised_and_the_rest_of_the_text_kept(hostile):
    site, source = hostile
    doc = page(site, f"{source.folder}/index.html")
    form = doc.find("article", cls="form")
    for cell in form.iter("td"):
        if "prose" not in cell.classes:
            continue
        for node in cell.iter():
            assert node.tag in ("p", "br", "a", "strong", "em", "code", "ul", "ol", "li", "blockquote"), node.tag
            if node.tag == "a":
                assert node.get("href") is None or urlsplit(node.get("href")).scheme in ("http", "https", "mailto")
    text = normalise(form.text())
    goal = source.data["overall_goal"]
    head, tail = goal.split("\n\n")[0].split(" ")[0], goal.split("\n\n")[-1]
    assert head in text and tail in text  # text before and after the raw HTML block survives
    assert "{{ 7*7 }}" in text


def test_csv_cells_that_would_run_as_formulas_are_neutralised(hostile):
    site, source = hostile
    seen = {}
    for path in sorted((site / source.folder).glob("*.csv")):
        for row in read_csv(path)[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (path.name, cell)
                for key, formula in FORMULAS.items():
                    if cell == "'" + formula:
                        seen[key] = path.name
    assert seen.keys() == FORMULAS.keys()


def test_hostile_site_links_stay_inside_the_site(hostile):
    site, _ = hostile
    assert check_links(site) > 0


@pytest.mark.parametrize("bad_id", ["../../x", "/etc/x", "..", "a/../../x"])
def test_a_department_id_that_leaves_the_output_folder_is_refused(tmp_path, bad_id):
    data = seed_data()
    data["department"]["id"] = bad_id
    source_dir = tmp_path / "in" / "2024"
    source_dir.mkdir(parents=True)
    (source_dir / "evil.yaml").write_text(dump(data), encoding="utf-8")
    work = tmp_path / "work"
    work.mkdir()
    etc_x = Path("/etc/x")
    etc_before = etc_x.exists() and etc_x.stat().st_mtime_ns
    before = sorted(tmp_path.rglob("*"))
    result = jixiao("build", "site", "--out", "site", "--pdf-cache", "cache", str(tmp_path / "in"), cwd=work)
    assert result.returncode == 1
    assert "department.id" in result.stderr and "没有生成任何文件" in result.stderr
    assert sorted(tmp_path.rglob("*")) == before  # nothing written, inside the folders or beside them
    assert (etc_x.exists() and etc_x.stat().st_mtime_ns) == etc_before


# ---- valid HTML -----------------------------------------------------------------------------------

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_errors(pages: list[Path]) -> dict[str, list[str]]:
    """The W3C checker's errors, by file."""
    assert VNU.is_file(), "node_modules/vnu-jar is missing: run `npm ci` (make test does)"
    java = shutil.which("java")
    assert java, "java is missing: tools/system-deps.sh test installs it"
    result = subprocess.run(
        [java, "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True, text=True, timeout=300,
    )
    errors: dict[str, list[str]] = {}
    for message in json.loads(result.stderr or result.stdout)["messages"]:
        if message["type"] != "info":
            path = unquote(urlsplit(message.get("url", "")).path)
            errors.setdefault(path, []).append(f"{message.get('lastLine')}: {message['message']}")
    return errors


def test_every_page_is_valid_html(site, hostile, tmp_path):
    pages = html_pages(site) + html_pages(hostile[0])
    assert len(pages) >= 10
    # A broken page checked with them shows that the checker ran and reports what it finds.
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html lang=en><title>x</title><p><div></p></span>", encoding="utf-8")
    errors = vnu_errors(pages + [broken])
    assert errors.pop(str(broken))
    assert errors == {}


# ---- open data ------------------------------------------------------------------------------------


def test_the_data_package_validates_with_frictionless(site):
    from frictionless import validate

    report = validate(str(site / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    tables = [r for r in package["resources"] if r.get("schema")]
    assert [r["path"] for r in tables] == [f"{y}/jixiao-{y}.csv" for y in (2024, 2025)]
    units = {f["name"]: f.get("unit") for f in tables[0]["schema"]["fields"]}
    assert units["金额"] == units["项目资金"] == "万元"


def test_each_year_csv_has_a_row_per_document_with_its_figures_and_links(site, sources):
    for year in (2024, 2025):
        rows = read_csv(site / str(year) / f"jixiao-{year}.csv")
        header, body = rows[0], rows[1:]
        pdfs = sorted(p.relative_to(site).as_posix() for p in (site / str(year)).rglob("*.pdf"))
        assert sorted(r[header.index("PDF")] for r in body) == pdfs  # one row per document, its PDF
        for row in body:
            assert (site / row[header.index("网页")]).is_file()
        for (y, ident), source in sources.items():
            if y == year:
                row = next(r for r in body if r[header.index("网页")] == f"{source.folder}/index.html")
                assert Decimal(row[header.index("金额")]) == source.total_spending
                assert row[header.index("部门名称")] == source.name


def test_the_data_page_lists_every_years_files_with_their_sizes(site):
    doc = page(site, "data.html")
    text = normalise(doc.find("main").text())
    links = {a.get("href") for a in doc.find("main").iter("a")}
    for year in (2024, 2025):
        for name in (f"jixiao-{year}.csv", f"jixiao-{year}.xlsx", f"jixiao-{year}.zip"):
            assert f"{year}/{name}" in links
            size = (site / str(year) / name).stat().st_size
            shown = f"{size} 字节" if size < 1024 else f"{size / 1024:.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:.1f} MB"
            assert f"{name}（{shown}）" in text
    assert "datapackage.json" in links
