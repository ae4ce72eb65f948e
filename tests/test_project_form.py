"""The 项目支出绩效目标申报表 (form: project-target) end to end: the three example project forms
under examples/2024/nansha-dongchong/projects/ through validate, build pdf and build site with the
real command; its own rules (J221–J224), the shared and indicator rules on a project, the rules
across forms (J410, J412, J413, J403), the `form:` key (J013), `jixiao new`, `jixiao schema`, and
hostile text on its page.

Every expected value is read from the example YAML files themselves (numbers kept as the text
written) and formatted here as the form prints it, so a value the PDF or page loses is caught.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import jsonschema
import pytest
import yaml
from pypdf import PdfReader

from fixtures import fill_skeleton, line_of, only, pdf_text, replace_once, squash
from generator.input.load import load_file, load_text
from generator.input.checks import run_checks
from generator.pipeline import load_all
from generator.core.problems import Severity
from site_fixtures import jixiao, parse_html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PROJECTS = EXAMPLES / "2024" / "nansha-dongchong" / "projects"
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
IDS = ("grassroots-governance", "typical-town", "water-town-culture")
DEPARTMENT = "广州市南沙区东涌镇人民政府"
SEED_PROJECT_SPENDING = Decimal("83136.13")  # the seed's 项目支出
A4_LANDSCAPE = (841.89, 595.28)  # points
DEFAULT_OPTIONS = ["新增", "延续"]  # 项目属性's options when a file lists none
ERROR, WARNING = Severity.ERROR, Severity.WARNING


def example_text(ident: str) -> str:
    return (PROJECTS / f"{ident}.yaml").read_text(encoding="utf-8")


TOWN = example_text("typical-town")  # two sources, code, manager, phone, year-only period, two value columns
WATER = example_text("water-town-culture")  # six-decimal amounts, dates, one value column
SAFETY = example_text("grassroots-governance")  # one source, other attribute options


# ---- reading the examples as a user wrote them ------------------------------------------------------


class _TextLoader(yaml.SafeLoader):
    """Numbers with a point stay the text written: 421.910000 is "421.910000", not 421.91."""


_TextLoader.add_constructor("tag:yaml.org,2002:float", lambda loader, node: loader.construct_scalar(node))


def raw(ident: str) -> dict:
    return yaml.load(example_text(ident), Loader=_TextLoader)


def amount_text(value) -> str:
    """An amount as the form prints it: thousands separators, at least two decimals, more as written."""
    amount = Decimal(str(value).replace(",", ""))
    places = max(2, -amount.as_tuple().exponent)
    return f"{amount:,.{places}f}"


def bound_text(value) -> str:
    if isinstance(value, dt.date):
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{value}年"


def period_text(data: dict) -> str:
    period = data["project"]["period"]
    return f"{bound_text(period['start'])}—{bound_text(period['end'])}"


def amounts(data: dict) -> list:
    funds = data["funds"]
    found = [funds["total"]["period"], funds["total"]["annual"]]
    for source in funds["sources"]:
        found += [source["period"], source["annual"]]
    return found


def printed_values(ident: str) -> list[str]:
    """Every value of the file that the form prints, as it prints it."""
    data = raw(ident)
    project = data["project"]
    options = project.get("attribute_options", DEFAULT_OPTIONS)  # the form prints its default options
    values = [data["title"], f"{data['year']}年度", project["name"], *options, period_text(data)]
    values += [str(project[key]) for key in ("code", "manager", "phone") if project.get(key) is not None]
    values += [data["department"]["name"], data["implementer"]]
    values += [amount_text(amount) for amount in amounts(data)]
    values += [source["label"] for source in data["funds"]["sources"]]
    values += [paragraph for goal in data["goals"].values() for paragraph in goal.split("\n\n")]
    for category in data["indicators"]:
        values.append(category["level1"])
        for group in category["groups"]:
            values.append(group["level2"])
            for item in group["items"]:
                values.append(item["level3"])
                values += [str(item[key]) for key in ("period_value", "annual_value", "value") if key in item]
    return values


def missing(values: list[str], text: str) -> list[str]:
    flat = squash(text)
    return [value for value in values if squash(value) not in flat]


def test_printed_values_cover_what_the_examples_hold():
    """The expectations themselves: six decimals kept, both period styles, every option."""
    town, water, safety = printed_values("typical-town"), printed_values("water-town-culture"), printed_values(
        "grassroots-governance"
    )
    assert {"28,500.00", "10,076.58", "27,600.00", "9,776.58", "900.00", "300.00", "2023年—2025年"} <= set(town)
    assert {"440115-2024-0001", "示例负责人", "020-0000 0000", "新增", "延续"} <= set(town)
    assert {"421.910000", "401.910000", "20.000000", "2024年1月1日—2024年12月31日", "≥ 12场", "新增", "延续"} <= set(water)
    assert {"一次性", "阶段性", "经常性", "1,575.23", "2024年—2024年"} <= set(safety)


# ---- validate --------------------------------------------------------------------------------------


def test_validate_examples_finds_only_the_seeds_warning():
    result = jixiao("validate", "examples", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout.strip().split("\n")
    assert out[-1] == "检查了 6 个申报文件：0 个错误，1 个警告"
    assert [line for line in out[:-1] if line.strip()] == [
        "examples/2024/nansha-dongchong.yaml:16:5: 警告 J202: budget.income（收入来源）: "
        "收入来源合计 96,600.20 万元，比部门预算支出合计 92,967.09 万元多 3,633.11 万元"
    ]
    assert "Traceback" not in result.stderr


# ---- build pdf -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pdf_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("project-pdf")
    result = jixiao("build", "pdf", "--out", str(out), "examples", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return out / "pdf"


def project_pdf(pdf_out: Path, ident: str) -> Path:
    return pdf_out / "2024" / "nansha-dongchong" / "projects" / f"{ident}.pdf"


def test_build_pdf_writes_one_pdf_per_project_beside_the_department(pdf_out):
    assert (pdf_out / "2024" / "nansha-dongchong.pdf").is_file()
    written = sorted(p.name for p in (pdf_out / "2024" / "nansha-dongchong" / "projects").iterdir() if ".self-evaluation" not in p.name)
    assert written == [f"{ident}.pdf" for ident in IDS]


@pytest.mark.parametrize("ident", IDS)
def test_project_pdf_prints_every_value_of_its_yaml(pdf_out, ident):
    text = pdf_text(project_pdf(pdf_out, ident))
    assert missing(printed_values(ident), text) == []


@pytest.mark.parametrize(
    "ident, chosen, not_chosen",
    [("typical-town", "延续", ["新增"]), ("water-town-culture", "新增", ["延续"]),
     ("grassroots-governance", "经常性", ["一次性", "阶段性"])],
)
def test_project_pdf_ticks_the_chosen_attribute_only(pdf_out, ident, chosen, not_chosen):
    flat = squash(pdf_text(project_pdf(pdf_out, ident)))
    assert f"■{chosen}" in flat
    for option in not_chosen:
        assert f"□{option}" in flat and f"■{option}" not in flat
    assert flat.count("■") == 1


def test_project_pdf_prints_a_six_decimal_amount_as_written_not_rounded(pdf_out):
    flat = squash(pdf_text(project_pdf(pdf_out, "water-town-culture")))
    assert flat.count("421.910000") == 2  # 实施期 and 年度 资金总额
    assert "421.91" not in flat.replace("421.910000", "")


@pytest.mark.parametrize("ident", IDS)
def test_project_pdf_attaches_its_yaml_titles_itself_and_is_a4_landscape(pdf_out, ident):
    reader = PdfReader(project_pdf(pdf_out, ident))
    source = PROJECTS / f"{ident}.yaml"
    assert list(reader.attachments) == [f"{ident}.yaml"]
    assert reader.attachments[f"{ident}.yaml"] == [source.read_bytes()]
    name = raw(ident)["project"]["name"]
    assert reader.metadata.title.startswith(name)
    assert "2024年度项目支出绩效目标申报表" in reader.metadata.title
    assert reader.metadata.author == DEPARTMENT
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE, abs=0.01)


# ---- build site ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("project-site")
    out = root / "site"
    result = jixiao("build", "site", "--out", str(out), "--pdf-cache", str(root / "cache"), "examples", cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return out


def project_dir(site: Path, ident: str) -> Path:
    return site / "2024" / "nansha-dongchong" / "projects" / ident


def page(path: Path):
    return parse_html(path.read_text(encoding="utf-8"))


def form_text(path: Path) -> str:
    form = page(path).find("article", cls="form")
    assert form is not None, f"{path} has no form"
    return form.text()


def resolve(from_page: Path, href: str) -> Path:
    """Where a relative link of a page leads on disk."""
    parts = urlsplit(href)
    assert not parts.scheme and not parts.netloc and not href.startswith("/"), href
    return (from_page.parent / unquote(parts.path)).resolve()


@pytest.mark.parametrize("ident", IDS)
def test_project_page_shows_every_value_of_its_yaml_in_the_form(site, ident):
    assert missing(printed_values(ident), form_text(project_dir(site, ident) / "index.html")) == []


@pytest.mark.parametrize("ident", IDS)
def test_project_page_links_its_downloads_which_lie_beside_it(site, ident):
    folder = project_dir(site, ident)
    index = folder / "index.html"
    links = {a.get("href") for a in page(index).iter("a") if a.get("href")}
    for name in (f"{ident}.pdf", f"{ident}.xlsx", f"{ident}.yaml", f"{ident}.json", f"{ident}-funds.csv", f"{ident}-indicators.csv"):
        assert (folder / name).is_file(), name
        assert name in links, name
    assert (folder / f"{ident}.yaml").read_bytes() == (PROJECTS / f"{ident}.yaml").read_bytes()
    assert PdfReader(folder / f"{ident}.pdf").attachments[f"{ident}.yaml"] == [(PROJECTS / f"{ident}.yaml").read_bytes()]


def test_project_json_keeps_amounts_as_the_exact_text(site):
    data = json.loads((project_dir(site, "water-town-culture") / "water-town-culture.json").read_text(encoding="utf-8"))
    assert data["form"] == "project-target"
    assert data["funds"]["total"] == {"period": "421.910000", "annual": "421.910000"}
    assert data["funds"]["sources"] == [
        {"label": "财政拨款", "period": "401.910000", "annual": "401.910000"},
        {"label": "其他资金", "period": "20.000000", "annual": "20.000000"},
    ]
    assert data["project"]["period"] == {"start": "2024-01-01", "end": "2024-12-31"}
    town = json.loads((project_dir(site, "typical-town") / "typical-town.json").read_text(encoding="utf-8"))
    assert town["funds"]["total"] == {"period": "28500.00", "annual": "10076.58"}
    assert town["project"]["code"] == "440115-2024-0001"


def test_project_funds_csv_lists_total_then_sources_as_written(site):
    path = project_dir(site, "water-town-culture") / "water-town-culture-funds.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert rows == [
        ["资金来源", "实施期资金总额", "年度资金总额"],
        ["资金总额", "421.910000", "421.910000"],
        ["财政拨款", "401.910000", "401.910000"],
        ["其他资金", "20.000000", "20.000000"],
    ]
    indicators = project_dir(site, "water-town-culture") / "water-town-culture-indicators.csv"
    rows = list(csv.reader(io.StringIO(indicators.read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["一级指标", "二级指标", "三级指标", "指标值"]
    assert ["效益指标", "经济效益指标", "带动文旅消费", "≥ 1500万元"] in rows
    assert len(rows) == 1 + 6


def test_department_page_lists_each_project_with_its_annual_funds_and_a_working_link(site):
    index = site / "2024" / "nansha-dongchong" / "index.html"
    root = page(index)
    for ident in IDS:
        data = raw(ident)
        target = (project_dir(site, ident) / "index.html").resolve()
        assert target.is_file()
        anchors = [a for a in root.iter("a") if a.get("href") and resolve(index, a.get("href")) == target]
        assert anchors, f"no link to {ident}"
        anchor = anchors[0]
        assert anchor.text().strip() == data["project"]["name"]
        row = next(node for node in anchor.ancestors() if node.tag == "tr")  # a row of the projects listing
        cells = {c.get("data-label"): re.sub(r"\s+", " ", c.text()).strip() for c in row.iter() if c.tag in ("th", "td")}
        assert cells["年度资金（万元）"] == amount_text(data["funds"]["total"]["annual"])


def test_year_page_shows_the_departments_project_count_and_total(site):
    root = page(site / "2024" / "index.html")
    listing = next(t for t in root.iter("table") if "各部门" in t.find("caption").text())
    row = next(r for r in listing.find("tbody").iter("tr") if DEPARTMENT in r.text())
    cells = {c.get("data-label"): re.sub(r"\s+", " ", c.text()).strip() for c in row.iter() if c.tag in ("th", "td")}
    total = sum((Decimal(str(raw(ident)["funds"]["total"]["annual"])) for ident in IDS), Decimal(0))
    assert total == Decimal("12073.72")  # 1,575.23 + 10,076.58 + 421.910000
    # A sum is printed with its significant decimals (at least two), not the six of one addend.
    assert (cells["项目"], cells["项目资金（万元）"]) == ("3", "12,073.72")


def test_the_department_page_has_a_table_of_its_projects_and_the_year_page_does_not(site):
    index = site / "2024" / "nansha-dongchong" / "index.html"
    table = next(t for t in page(index).iter("table") if "的项目" in t.find("caption").text())
    assert "（3 个）" in table.find("caption").text()
    headers = [th.text().strip() for th in table.find("thead").iter("th")]
    assert headers[:3] == ["项目", "年度资金（万元）", "指标"]
    rows = list(table.find("tbody").iter("tr"))
    assert len(rows) == 3
    by_name = {r.find("th").text().strip(): r for r in rows}
    for ident in IDS:
        data = raw(ident)
        row = by_name[data["project"]["name"]]
        assert [c.text().strip() for c in row.iter("td")][0] == amount_text(data["funds"]["total"]["annual"])
        link = row.find("th").find("a").get("href")
        assert resolve(index, link) == (project_dir(site, ident) / "index.html").resolve()
    year = page(site / "2024" / "index.html")
    assert not any((a.get("href") or "").endswith("/projects/typical-town/index.html") for a in year.iter("a"))


# ---- the project form's own rules, and the shared ones on a project ----------------------------------


def display(ident: str) -> str:
    return f"declarations/2024/nansha-dongchong/projects/{ident}.yaml"


def check(text: str, ident: str = "typical-town", where: str | None = None):
    loaded = load_text(text, where or display(ident))
    assert loaded.declaration is not None, [p.format() for p in loaded.problems]
    assert loaded.problems == []
    return run_checks(loaded)


def assert_problem(problem, code, severity, line, field, message):
    assert (problem.code, problem.severity, problem.line, problem.field, problem.message) == (
        code, severity, line, field, message,
    ), problem.format()


@pytest.mark.parametrize("ident, text", [("typical-town", TOWN), ("water-town-culture", WATER), ("grassroots-governance", SAFETY)])
def test_examples_have_no_findings(ident, text):
    assert [p.format() for p in check(text, ident)] == []


@pytest.mark.parametrize(
    "old, new, column, field, total, rows, gap",
    [
        ("{label: 其他资金, period: 900.00, annual: 300.00}", "{label: 其他资金, period: 900.00, annual: 300.01}",
         "年度资金总额", "funds.total.annual（年度资金总额）", "10,076.58", "10,076.59", "0.01"),
        ("{label: 其他资金, period: 900.00, annual: 300.00}", "{label: 其他资金, period: 800.00, annual: 300.00}",
         "实施期资金总额", "funds.total.period（实施期资金总额）", "28,500.00", "28,400.00", "100.00"),
    ],
)
def test_J221_sources_that_do_not_add_up_in_one_column(old, new, column, field, total, rows, gap):
    text = replace_once(TOWN, old, new)
    assert_problem(
        only(check(text)), "J221", ERROR, line_of(text, "total: {period: 28500.00"), field,
        f"{column}：资金总额 {total}，各行合计 {rows}，相差 {gap} 万元",
    )


def test_J221_names_six_decimal_totals_as_written():
    text = replace_once(WATER, "{label: 其他资金, period: 20.000000, annual: 20.000000}",
                        "{label: 其他资金, period: 20.000000, annual: 20.000001}")
    assert_problem(
        only(check(text, "water-town-culture")), "J221", ERROR, line_of(text, "total: {"),
        "funds.total.annual（年度资金总额）", "年度资金总额：资金总额 421.910000，各行合计 421.910001，相差 0.000001 万元",
    )


def test_J222_annual_funds_over_the_period_funds():
    text = replace_once(TOWN, "total: {period: 28500.00, annual: 10076.58}", "total: {period: 10000.00, annual: 10076.58}")
    text = replace_once(text, "{label: 财政拨款, period: 27600.00,", "{label: 财政拨款, period: 9100.00,")
    assert_problem(
        only(check(text)), "J222", ERROR, line_of(text, "total: {"), "funds.total.annual（年度资金总额）",
        "年度资金总额 10,076.58 万元 超过实施期资金总额 10,000.00 万元",
    )


def test_J222_with_six_decimal_amounts_names_them_as_written():
    """A project's amounts may have six decimals; rounded to two, the message would say 421.91 > 421.91."""
    text = replace_once(WATER, "total: {period: 421.910000, annual: 421.910000}", "total: {period: 421.910000, annual: 421.910001}")
    text = replace_once(text, "{label: 其他资金, period: 20.000000, annual: 20.000000}",
                        "{label: 其他资金, period: 20.000000, annual: 20.000001}")
    assert_problem(
        only(check(text, "water-town-culture")), "J222", ERROR, line_of(text, "total: {"),
        "funds.total.annual（年度资金总额）", "年度资金总额 421.910001 万元 超过实施期资金总额 421.910000 万元",
    )


@pytest.mark.parametrize(
    "text, ident, old, new, field, message",
    [
        (TOWN, "typical-town", "period: {start: 2023, end: 2025}", "period: {start: 2025, end: 2026}",
         "project.period（项目期）", "项目期 2025 年—2026 年 不含预算年度 2024 年"),
        (TOWN, "typical-town", "period: {start: 2023, end: 2025}", "period: {start: 2020, end: 2023}",
         "project.period（项目期）", "项目期 2020 年—2023 年 不含预算年度 2024 年"),
        (WATER, "water-town-culture", "period: {start: 2024-01-01, end: 2024-12-31}",
         "period: {start: 2023-01-01, end: 2023-12-31}",
         "project.period（项目期）", "项目期 2023-01-01—2023-12-31 不含预算年度 2024 年"),
        (TOWN, "typical-town", "period: {start: 2023, end: 2025}", "period: {start: 2025, end: 2023}",
         "project.period.end（结束）", "项目期结束（2023 年）早于开始（2025 年）"),
        (WATER, "water-town-culture", "period: {start: 2024-01-01, end: 2024-12-31}",
         "period: {start: 2024-12-31, end: 2024-01-01}",
         "project.period.end（结束）", "项目期结束（2024-01-01）早于开始（2024-12-31）"),
    ],
)
def test_J223_period_not_holding_the_year_or_ending_before_it_starts(text, ident, old, new, field, message):
    text = replace_once(text, old, new)
    assert_problem(only(check(text, ident)), "J223", ERROR, line_of(text, new), field, message)


def test_J223_a_period_within_the_year_given_as_days_is_fine():
    text = replace_once(WATER, "period: {start: 2024-01-01, end: 2024-12-31}", "period: {start: 2024-03-01, end: 2024-06-30}")
    assert check(text, "water-town-culture") == []


def test_J224_attribute_not_among_the_options():
    text = replace_once(TOWN, "attribute: 延续 ", "attribute: 一次性 ")
    assert_problem(
        only(check(text)), "J224", ERROR, line_of(text, "attribute: 一次性"), "project.attribute（项目属性）",
        "项目属性「一次性」不在可选项（新增、延续）中",
    )
    # The other provinces' options are accepted when the file lists them.
    text = replace_once(text, "attribute_options: [新增, 延续]", "attribute_options: [一次性, 阶段性, 经常性]")
    assert check(text) == []


def test_J224_default_options_when_the_file_lists_none():
    assert "attribute_options" not in WATER
    text = replace_once(WATER, "attribute: 新增", "attribute: 经常性")
    assert_problem(
        only(check(text, "water-town-culture")), "J224", ERROR, line_of(text, "attribute: 经常性"),
        "project.attribute（项目属性）", "项目属性「经常性」不在可选项（新增、延续）中",
    )


def test_J206_seven_decimals_refused_six_accepted():
    six = replace_once(WATER, "total: {period: 421.910000,", "total: {period: 421.910001,")
    six = replace_once(six, "{label: 其他资金, period: 20.000000,", "{label: 其他资金, period: 20.000001,")
    assert check(six, "water-town-culture") == []

    seven = replace_once(WATER, "total: {period: 421.910000,", "total: {period: 421.9100005,")
    seven = replace_once(seven, "{label: 其他资金, period: 20.000000,", "{label: 其他资金, period: 20.0000005,")
    found = check(seven, "water-town-culture")
    assert [p.code for p in found] == ["J206", "J206"], [p.format() for p in found]
    assert_problem(
        found[0], "J206", ERROR, line_of(seven, "total: {"), "funds.total.period（实施期资金总额）",
        "金额 421.9100005 超过六位小数；金额以万元计，至多六位小数",
    )
    assert_problem(
        found[1], "J206", ERROR, line_of(seven, "其他资金"), "funds.sources[2].period（实施期资金总额）",
        "金额 20.0000005 超过六位小数；金额以万元计，至多六位小数",
    )


def test_J207_two_sources_with_the_same_label():
    text = replace_once(TOWN, "{label: 其他资金,", "{label: 财政拨款,")
    assert_problem(
        only(check(text)), "J207", ERROR, line_of(text, "{label: 财政拨款, period: 900.00"),
        "funds.sources[2].label（资金来源）", f"资金来源「财政拨款」重复（第 {line_of(text, 'period: 27600.00')} 行已有）",
    )


def test_J205_negative_source_amount():
    text = replace_once(TOWN, "{label: 其他资金, period: 900.00, annual: 300.00}", "{label: 其他资金, period: 900.00, annual: -300.00}")
    text = replace_once(text, "annual: 9776.58}", "annual: 10376.58}")
    assert_problem(
        only(check(text)), "J205", ERROR, line_of(text, "其他资金"), "funds.sources[2].annual（年度资金总额）",
        "金额 -300.00 为负数",
    )


SAFETY_BENEFIT = (
    "  - level1: 效益指标\n"
    "    groups:\n"
    "      - level2: 社会效益指标\n"
    "        items:\n"
    "          - level3: 较大以上安全生产事故\n"
    "            period_value: 0起\n"
    "            annual_value: 0起\n"
)
SAFETY_SATISFACTION = (
    "  - level1: 满意度指标\n"
    "    groups:\n"
    "      - level2: 服务对象满意度指标\n"
    "        items:\n"
    "          - level3: 辖区群众安全感满意度\n"
    "            period_value: ≥ 95%\n"
    "            annual_value: ≥ 95%\n"
)


def test_J310_a_project_without_benefit_indicators():
    text = replace_once(SAFETY, SAFETY_BENEFIT, "")
    assert_problem(
        only(check(text, "grassroots-governance")), "J310", ERROR, line_of(text, "indicators:") + 1,
        "indicators（绩效指标）", "缺少一级指标「效益指标」；绩效指标至少要有产出指标和效益指标",
    )


def test_J311_a_project_without_satisfaction_indicators():
    text = replace_once(SAFETY, SAFETY_SATISFACTION, "")
    assert_problem(
        only(check(text, "grassroots-governance")), "J311", WARNING, line_of(text, "indicators:") + 1,
        "indicators（绩效指标）", "没有满意度指标；服务对象满意度一般应作为一级指标列出",
    )


def test_J312_a_placeholder_left_in_a_project_indicator():
    text = replace_once(TOWN, "annual_value: ≥ 1个", "annual_value: XX个")
    assert_problem(
        only(check(text)), "J312", ERROR, line_of(text, "XX个"),
        "indicators[1].groups[1].items[1].annual_value（年度指标值）", "「XX个」像是模板里的占位符（XX），请填上实际内容",
    )


def test_J313_a_vague_quantity_value_in_a_project():
    text = replace_once(TOWN, "annual_value: ≥ 1个", "annual_value: 进一步提升")
    assert_problem(
        only(check(text)), "J313", WARNING, line_of(text, "进一步提升"),
        "indicators[1].groups[1].items[1].annual_value（年度指标值）",
        "数量指标「创建精品示范村」的指标值「进一步提升」没有数字，难以衡量；请写成可核验的数值，如 ≥ 95%",
    )


PATTERN = "declarations/<年度>/<部门标识>/projects/<项目标识>.yaml"


def test_J401_file_name_other_than_the_project_id():
    found = check(TOWN, where="declarations/2024/nansha-dongchong/projects/roads.yaml")
    assert_problem(
        only(found), "J401", WARNING, line_of(TOWN, "id: typical-town"), "project.id（项目标识）",
        f"项目标识「typical-town」与文件名「roads.yaml」不一致；约定为 {PATTERN}",
    )


@pytest.mark.parametrize("folder", ["declarations/2024/nansha-dongchong", "declarations/2024/nansha-dongchong/project"])
def test_J401_project_file_outside_a_projects_folder(folder):
    found = check(TOWN, where=f"{folder}/typical-town.yaml")
    have = PurePosixPath(folder).name
    assert_problem(
        only(found), "J401", WARNING, line_of(TOWN, "id: typical-town"), "project.id（项目标识）",
        f"文件应在文件夹「projects」里（约定为 {PATTERN}），这里是「{have}」",
    )


def test_J402_project_file_under_another_years_folder():
    found = check(TOWN, where="declarations/2023/nansha-dongchong/projects/typical-town.yaml")
    assert_problem(
        only(found), "J402", WARNING, line_of(TOWN, "year: 2024"), "year（预算年度）", "预算年度 2024 与所在文件夹「2023」不一致"
    )


# ---- across forms ----------------------------------------------------------------------------------


def write_tree(root: Path, department: str | None = None, edits: dict | None = None, extra: dict | None = None) -> Path:
    """declarations/2024/ with the seed department form (or `department` text, or none when ""),
    the three example projects (each edited by edits[ident]), and extra files by relative path."""
    year = root / "declarations" / "2024"
    projects = year / "nansha-dongchong" / "projects"
    projects.mkdir(parents=True)
    if department != "":
        (year / "nansha-dongchong.yaml").write_text(department or SEED.read_text(encoding="utf-8"), encoding="utf-8")
    for ident in IDS:
        text = example_text(ident)
        if edits and ident in edits:
            text = edits[ident](text)
        (projects / f"{ident}.yaml").write_text(text, encoding="utf-8")
    for relative, text in (extra or {}).items():
        (year / relative).parent.mkdir(parents=True, exist_ok=True)
        (year / relative).write_text(text, encoding="utf-8")
    return root / "declarations"


CROSS = {"J403", "J410", "J412", "J413"}


def cross_findings(problems):
    return [p for p in problems if p.code in CROSS]


def test_no_cross_form_finding_for_the_examples():
    _documents, problems = load_all([EXAMPLES])
    assert [p.code for p in problems] == ["J202"], [p.format() for p in problems]


def test_no_cross_form_finding_for_a_copy_of_the_examples(tmp_path):
    documents, problems = load_all([write_tree(tmp_path)])
    assert len(documents) == 4 and all(d.declaration is not None for d in documents)
    assert [p.code for p in problems] == ["J202"], [p.format() for p in problems]


def test_J412_projects_without_their_department_form(tmp_path):
    root = write_tree(tmp_path, department="")
    _documents, problems = load_all([root])
    found = cross_findings(problems)
    projects = root / "2024" / "nansha-dongchong" / "projects"
    assert [(p.file, p.code) for p in found] == [(str(projects / f"{ident}.yaml"), "J412") for ident in IDS]
    for problem, ident in zip(found, IDS):
        assert_problem(
            problem, "J412", WARNING, line_of(example_text(ident), "id: nansha-dongchong"), "department.id（部门标识）",
            "2024 年度没有部门标识为「nansha-dongchong」的部门整体申报；请核对主管部门的标识",
        )


def test_J413_department_name_unlike_the_department_forms(tmp_path):
    edit = {"typical-town": lambda t: replace_once(t, f"name: {DEPARTMENT}", "name: 广州市南沙区东涌镇政府")}
    root = write_tree(tmp_path, edits=edit)
    _documents, problems = load_all([root])
    problem = only(cross_findings(problems))
    assert problem.file == str(root / "2024" / "nansha-dongchong" / "projects" / "typical-town.yaml")
    assert_problem(
        problem, "J413", ERROR, line_of(TOWN, f"name: {DEPARTMENT}"), "department.name（部门名称）",
        f"主管部门「广州市南沙区东涌镇政府」与部门整体申报（{root / '2024' / 'nansha-dongchong.yaml'}）"
        f"中的「{DEPARTMENT}」不一致",
    )


def town_with_annual(annual: str, first_source: str):
    """typical-town with its year funds raised: total annual `annual`, 财政拨款 `first_source` (+ 300.00)."""

    def edit(text: str) -> str:
        text = replace_once(text, "total: {period: 28500.00, annual: 10076.58}", f"total: {{period: 90000.00, annual: {annual}}}")
        return replace_once(
            text, "{label: 财政拨款, period: 27600.00, annual: 9776.58}",
            f"{{label: 财政拨款, period: 89100.00, annual: {first_source}}}",
        )

    return edit


def test_J410_projects_year_funds_over_the_departments_project_spending(tmp_path):
    root = write_tree(tmp_path, edits={"typical-town": town_with_annual("82000.00", "81700.00")})
    _documents, problems = load_all([root])
    problem = only(cross_findings(problems))
    seed = SEED.read_text(encoding="utf-8")
    assert problem.file == str(root / "2024" / "nansha-dongchong.yaml")
    total = Decimal("1575.23") + Decimal("82000.00") + Decimal("421.910000")
    assert total - SEED_PROJECT_SPENDING == Decimal("861.01")
    assert_problem(
        problem, "J410", WARNING, line_of(seed, "project: 83136.13"), "budget.spending.project（项目支出）",
        f"2024 年度 {DEPARTMENT} 的 3 个项目年度资金合计 83,997.14 万元，超过部门整体申报的项目支出 83,136.13 万元，"
        "多 861.01 万元",
    )


def test_J410_not_reported_when_the_projects_fit_exactly(tmp_path):
    # 1575.23 + 81138.99 + 421.91 = 83136.13, the seed's 项目支出 to the cent
    root = write_tree(tmp_path, edits={"typical-town": town_with_annual("81138.99", "80838.99")})
    _documents, problems = load_all([root])
    assert cross_findings(problems) == []


def test_J410_six_decimal_excess_is_named_as_written(tmp_path):
    """The projects exceed 项目支出 by 0.000001 万元; rounded to cents the message would read
    '合计 83,136.13 万元，超过 … 83,136.13 万元，多 0.00 万元'."""
    root = write_tree(tmp_path, edits={"typical-town": town_with_annual("81138.990001", "80838.990001")})
    _documents, problems = load_all([root])
    problem = only(cross_findings(problems))
    assert problem.code == "J410"
    assert "合计 83,136.130001 万元" in problem.message, problem.message
    assert "多 0.000001 万元" in problem.message, problem.message


def test_J403_two_project_files_with_one_project_id(tmp_path):
    root = write_tree(tmp_path, extra={"nansha-dongchong/projects/typical-town-copy.yaml": TOWN})
    _documents, problems = load_all([root])
    projects = root / "2024" / "nansha-dongchong" / "projects"
    j403 = only([p for p in problems if p.code == "J403"])
    files = {str(projects / "typical-town.yaml"), str(projects / "typical-town-copy.yaml")}
    assert j403.file in files
    (other,) = files - {j403.file}
    assert_problem(
        j403, "J403", ERROR, line_of(TOWN, "id: typical-town"), "project.id（项目标识）",
        f"项目标识「typical-town」（2024/nansha-dongchong/projects/typical-town）已被 {other} 使用",
    )
    # the copy's file name is also not its id
    assert [(p.code, p.file) for p in problems if p.code == "J401"] == [("J401", str(projects / "typical-town-copy.yaml"))]


def test_same_project_id_under_two_departments_is_fine(tmp_path):
    other = SEED.read_text(encoding="utf-8").replace("id: nansha-dongchong", "id: nansha-other")
    other_town = TOWN.replace("id: nansha-dongchong", "id: nansha-other")
    root = write_tree(tmp_path, extra={"nansha-other.yaml": other, "nansha-other/projects/typical-town.yaml": other_town})
    _documents, problems = load_all([root])
    assert cross_findings(problems) == []


# ---- form: ------------------------------------------------------------------------------------------


def test_J013_unknown_form():
    text = replace_once(TOWN, "form: project-target", "form: nonsense")
    loaded = load_text(text, display("typical-town"))
    assert loaded.declaration is None
    problem = only(loaded.problems)
    assert (problem.code, problem.severity, problem.line) == ("J013", ERROR, line_of(text, "form: nonsense"))
    assert problem.message.startswith("「nonsense」不是已知的表；可写的有：")
    assert "department-target（部门整体预算绩效目标申报表）" in problem.message
    assert "project-target（项目支出绩效目标申报表）" in problem.message
    assert run_checks(loaded) == []


def test_J013_project_file_without_form_says_what_to_write():
    text = replace_once(TOWN, "form: project-target\n", "")
    loaded = load_text(text, display("typical-town"))
    assert loaded.declaration is None
    problem = only(loaded.problems)
    assert (problem.code, problem.severity) == ("J013", ERROR)
    assert "项目支出绩效目标申报表" in problem.message
    assert "form: project-target" in problem.message
    assert problem.message == (
        "没有写 form:，按部门整体预算绩效目标申报表读；但字段像是项目支出绩效目标申报表，请在文件开头写一行 form: project-target"
    )


def test_department_file_without_form_still_validates():
    assert "form:" not in SEED.read_text(encoding="utf-8")
    loaded = load_file(SEED)
    assert loaded.problems == [] and loaded.declaration is not None
    assert loaded.form.kind == "department-target"
    assert [p.code for p in run_checks(loaded)] == ["J202"]


# ---- jixiao new --------------------------------------------------------------------------------------

NEW_PATH = Path("declarations/2025/nansha-dongchong/projects/river-cleanup.yaml")

# What the officer types into the skeleton's empty values, in the order the keys appear.
FILL = {
    "implementer": ["广州市南沙区东涌镇水务所"],
    "period": ["2025 年完成 12 条河涌整治。"],  # goals.period (a folded block)
    "annual": ["完成 12 条河涌整治，水质稳定达标。"],  # goals.annual
    "level3": ["整治河涌条数", "河涌水质达标率", "沿岸居民满意度"],
    "period_value": ["≥ 12条", "100%", "≥ 90%"],
    "annual_value": ["≥ 12条", "100%", "≥ 90%"],
}
# The funds' flow mappings: total, 财政拨款, 其他资金.
FUNDS = [("300.00", "100.00"), ("280.00", "90.00"), ("20.00", "10.00")]


def fill_in(skeleton: str) -> str:
    """Type a value after every empty key the skeleton leaves for the user, keeping every comment."""
    text = fill_skeleton(skeleton, FILL)
    funds = iter(FUNDS)
    text, count = re.subn(r"period: , annual: }", lambda _m: "period: {}, annual: {}}}".format(*next(funds)), text)
    assert count == len(FUNDS), text
    return text


@pytest.fixture(scope="module")
def new_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("new-project")
    seed = SEED.read_text(encoding="utf-8")
    department = folder / "declarations" / "2025" / "nansha-dongchong.yaml"
    department.parent.mkdir(parents=True)
    department.write_text(replace_once(seed, "year: 2024", "year: 2025"), encoding="utf-8")
    result = jixiao(
        "new", "--form", "project-target", "--year", "2025", "--department", "nansha-dongchong",
        "--id", "river-cleanup", "--name", "河涌整治", cwd=folder,
    )
    return folder, result


def test_new_project_writes_its_skeleton_under_the_department(new_project):
    folder, result = new_project
    assert result.returncode == 0, result.stdout + result.stderr
    assert NEW_PATH.as_posix() in result.stdout
    text = (folder / NEW_PATH).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["form"] == "project-target" and data["year"] == 2025
    assert data["project"]["name"] == "河涌整治" and data["project"]["id"] == "river-cleanup"
    assert data["department"] == {"name": DEPARTMENT, "id": "nansha-dongchong"}  # read from the department file
    assert data["project"]["period"] == {"start": 2025, "end": 2025}
    schema_line = text.split("\n")[0]
    assert schema_line.startswith("# yaml-language-server: $schema=")
    schema = ((folder / NEW_PATH).parent / schema_line.split("$schema=")[1]).resolve()
    assert schema.is_file()


def test_new_project_filled_in_validates(new_project):
    folder, _result = new_project
    target = folder / NEW_PATH
    original = target.read_text(encoding="utf-8")
    try:
        target.write_text(fill_in(original), encoding="utf-8")
        result = jixiao("validate", "declarations", cwd=folder)
    finally:
        target.write_text(original, encoding="utf-8")
    assert result.returncode == 0, result.stdout + result.stderr
    out = [line for line in result.stdout.strip().split("\n") if line.strip()]
    assert out[-1] == "检查了 2 个申报文件：0 个错误，1 个警告", out
    assert not any("river-cleanup" in line for line in out), out  # the seed's J202 is the only finding


def test_new_project_unfilled_does_not_validate(new_project):
    folder, _result = new_project
    result = jixiao("validate", NEW_PATH.as_posix(), cwd=folder)
    assert result.returncode == 1
    assert "J010" in result.stdout and "implementer（实施单位）" in result.stdout


def test_new_project_without_department_is_refused(tmp_path):
    result = jixiao("new", "--form", "project-target", "--year", "2025", "--id", "river-cleanup", "--name", "河涌整治", cwd=tmp_path)
    assert result.returncode == 2
    assert "--department" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "declarations").exists() or not list((tmp_path / "declarations").rglob("*.yaml"))


# ---- jixiao schema -------------------------------------------------------------------------------------


def as_json(data):
    """What a YAML-aware editor hands the schema: keys and dates as text."""
    if isinstance(data, dict):
        return {str(key): as_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_json(value) for value in data]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return data


@pytest.fixture(scope="module")
def combined_schema() -> dict:
    result = jixiao("schema", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    jsonschema.Draft7Validator.check_schema(schema)
    return schema


def test_project_schema_requires_the_forms_parts():
    result = jixiao("schema", "--form", "project-target", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    schema = json.loads(result.stdout)
    jsonschema.Draft7Validator.check_schema(schema)
    assert {"form", "project", "department", "implementer", "funds", "goals", "indicators"} <= set(schema["required"])
    for ident in IDS:
        jsonschema.validate(as_json(yaml.safe_load(example_text(ident))), schema, cls=jsonschema.Draft7Validator)


@pytest.mark.parametrize("loader", [yaml.SafeLoader, _TextLoader], ids=["numbers", "text"])
def test_combined_schema_accepts_every_example(combined_schema, loader):
    validator = jsonschema.Draft7Validator(combined_schema)
    for path in [*(PROJECTS / f"{ident}.yaml" for ident in IDS), EXAMPLES / "2024" / "nansha-dongchong.yaml"]:
        data = as_json(yaml.load(path.read_text(encoding="utf-8"), Loader=loader))
        assert [e.message for e in validator.iter_errors(data)] == [], path


def test_combined_schema_refuses_a_project_without_funds(combined_schema):
    data = as_json(yaml.safe_load(TOWN))
    del data["funds"]
    errors = list(jsonschema.Draft7Validator(combined_schema).iter_errors(data))
    assert errors
    assert any("funds" in error.message for error in errors), [e.message for e in errors]
    # the loader says the same
    loaded = load_text(replace_once(TOWN, TOWN[TOWN.index("funds:") : TOWN.index("goals:")], ""), display("typical-town"))
    assert [(p.code, p.field, p.message) for p in loaded.problems] == [
        ("J010", "funds（项目资金（万元））", "缺少必填字段「funds」（项目资金（万元））")
    ]


# ---- hostile text -----------------------------------------------------------------------------------------

HOSTILE_NAME = "<script>alert(1)</script>恶意项目"
HOSTILE_GOAL = "[点我](javascript:alert(2)) <script>alert(3)</script> <img src=x onerror=alert(4)>"
HOSTILE_UNIT = '<b onmouseover="alert(5)">单位</b> & 公司'


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile-project")
    text = replace_once(SAFETY, "name: 平安东涌基层治理提升（示例）", f"name: {json.dumps(HOSTILE_NAME, ensure_ascii=False)}")
    text = replace_once(text, "period: 同年度目标。", f"period: {json.dumps(HOSTILE_GOAL, ensure_ascii=False)}")
    text = replace_once(
        text, "implementer: 广州市南沙区东涌镇综合治理办公室（示例）", f"implementer: {json.dumps(HOSTILE_UNIT, ensure_ascii=False)}"
    )
    declarations = root / "declarations"
    (declarations / "2024" / "nansha-dongchong" / "projects").mkdir(parents=True)
    shutil.copy(SEED, declarations / "2024" / "nansha-dongchong.yaml")
    (declarations / "2024" / "nansha-dongchong" / "projects" / "grassroots-governance.yaml").write_text(text, encoding="utf-8")
    out = root / "site"
    result = jixiao("build", "site", "--out", str(out), "--pdf-cache", str(root / "cache"), str(declarations))
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def hostile_pages(site: Path) -> list[Path]:
    return [
        site / "2024" / "nansha-dongchong" / "projects" / "grassroots-governance" / "index.html",
        site / "2024" / "nansha-dongchong" / "index.html",
        site / "nansha-dongchong" / "index.html",  # the department across years lists its projects by name
    ]


def test_hostile_project_text_runs_no_script_and_shows_escaped(hostile_site):
    for path in hostile_pages(hostile_site):
        html = path.read_text(encoding="utf-8")
        root = parse_html(html)
        assert "<script>alert" not in html, path
        # only the site's own scripts, from files (the listings' sorter), none inline
        assert all((n.get("src") or "").endswith("static/listing.js") and not n.text().strip() for n in root.iter("script")), path
        assert [n.tag for n in root.iter() if n.tag in ("iframe", "object", "embed", "img")] == [], path
        for node in root.iter():
            for name, value in node.attrs:
                assert not name.startswith("on"), (path, node.tag, name)
                assert not (value or "").strip().lower().startswith("javascript:"), (path, node.tag, name, value)
        assert HOSTILE_NAME in root.text(), path  # shown as text, whole
    project = parse_html(hostile_pages(hostile_site)[0].read_text(encoding="utf-8"))
    form = project.find("article", cls="form")
    text = form.text()
    assert HOSTILE_UNIT in text
    assert "<script>alert(3)</script>" in text and "<img src=x onerror=alert(4)>" in text
    assert "点我" in text
    assert project.find("h1").text().startswith(HOSTILE_NAME)


def test_hostile_project_pdf_prints_the_text_as_typed(hostile_site):
    pdf = hostile_site / "2024" / "nansha-dongchong" / "projects" / "grassroots-governance" / "grassroots-governance.pdf"
    flat = squash(pdf_text(pdf))
    assert squash(HOSTILE_NAME) in flat
    assert squash(HOSTILE_UNIT) in flat


def test_a_long_goal_cut_at_a_page_break_carries_its_labels_on_every_page(tmp_path):
    """总体目标 and 实施期目标 on each page the goal runs over; every paragraph printed once."""
    import subprocess

    paragraphs = [f"第{n}段：统筹推进基层治理与公共服务，完善制度，加强监督检查，确保资金安全有效。" for n in range(1, 41)]
    block = "\n".join("    " + p + "\n" for p in paragraphs)
    text = replace_once(TOWN, "  period: >-\n    2023—2025 年持续深化典型镇建设，补齐镇域基础设施短板，建成一批组织强、产业兴、村庄美、农民富的典型村（居）。\n",
                        "  period: |-\n" + block)
    folder = tmp_path / "declarations" / "2024" / "nansha-dongchong" / "projects"
    folder.mkdir(parents=True)
    (folder / "typical-town.yaml").write_text(text, encoding="utf-8")
    result = jixiao("build", "pdf", "--out", str(tmp_path / "out"), str(tmp_path / "declarations"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "out" / "pdf" / "2024" / "nansha-dongchong" / "projects" / "typical-town.pdf"
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout)[1])
    with_goal = []
    for number in range(1, pages + 1):
        page = squash(subprocess.run(["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
                                     capture_output=True, text=True).stdout)
        if any(squash(p) in page for p in paragraphs):
            with_goal.append(number)
            assert "总体目标" in page and "实施期目标" in page, number
    assert len(with_goal) >= 2  # the goal did run over a page
    whole = squash(pdf_text(pdf))
    assert all(whole.count(squash(p)) == 1 for p in paragraphs)
