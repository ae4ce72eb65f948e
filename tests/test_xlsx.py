"""`jixiao build xlsx`: the official layout as a workbook, byte-identical build to build, and the round
trip import(export(x)) == x for every declaration here, also after LibreOffice opened and saved the
workbook (as .xlsx, .xls and .ods) and with LibreOffice's own PDF of it read back cell by cell."""

from __future__ import annotations

import os
import subprocess
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from fixtures import SEED_YAML, run, squash, synthetic_declaration
from generator.excel.workbooks import workbook_bytes as declaration_workbook
from generator.forms.department_target.sheet import read_sheet, to_yaml
from generator.excel.importer import import_workbook
from generator.input.load import LoadedDocument, find_declarations, load_file, load_text
from generator.excel.read import read_workbook_bytes
from site_fixtures import hostile_source, test_sources
from test_cli import jixiao
from test_import import one_column_sheet, two_column_sheet
from test_project_sheet import HARD, PROJECT_FILES, exact

ROOT = Path(__file__).resolve().parent.parent


def loaded_text(text: str, name: str) -> LoadedDocument:
    loaded = load_text(text, name)
    assert loaded.declaration is not None, [p.format() for p in loaded.problems]
    return loaded


def declarations() -> list[tuple[str, LoadedDocument]]:
    """Every declaration in the repository and the tests' own: the site's sources (one with hostile
    text and formula-like cells), synthetic ones of every shape."""
    found = []
    files, _ = find_declarations([ROOT / "declarations"])
    for path in files:
        found.append((str(path.relative_to(ROOT)), load_file(path)))
    for source in [*test_sources(), hostile_source()]:
        found.append((f"site:{source.folder}", loaded_text(source.text, f"{source.dept_id}.yaml")))
    shapes = {
        "small": {},
        "single-value": {"single_value": True, "tasks": 2, "indicators": 7},
        "long": {"tasks": 8, "indicators": 60, "long_task": 2, "long_paragraphs": 12},
        "other-tasks": {"other_tasks": "第一项。\n\n第二项：“引号”与 #号、- 横线", "groups": [("成本指标", "经济成本指标"), ("产出指标", "数量指标")]},
    }
    for name, kwargs in shapes.items():
        found.append((f"synthetic:{name}", loaded_text(synthetic_declaration(**kwargs).text, "test-dept.yaml")))
    with_filing = SEED_YAML.read_text(encoding="utf-8") + (
        "filing:\n  unit: 广州市南沙区东涌镇人民政府\n  head: 张三\n  preparer: 李四\n  phone: \"020-84901234\"\n  date: 2024-01-31\n"
    )
    found.append(("seed+filing", loaded_text(with_filing, "nansha-dongchong.yaml")))
    return found


def reimport(data: bytes, name: str = "x.xlsx") -> list:
    """Every form in a workbook's bytes, read back and loaded through its YAML (as `jixiao import` does)."""
    out = []
    for grid in read_workbook_bytes(data, name):
        form, placement, problems = read_sheet(grid)
        assert form is not None
        assert not problems, [p.format() for p in problems]
        assert not placement.unplaced
        form["department"]["id"] = form["department"]["id"] or "x"
        out.append(form)
    return out


@pytest.mark.parametrize("name, loaded", declarations(), ids=lambda v: v if isinstance(v, str) else "")
def test_import_of_export_is_the_same_declaration(name, loaded):
    original = loaded.declaration
    data = declaration_workbook([loaded], None)
    [form] = reimport(data)
    form["department"]["id"] = original.department.id
    text = to_yaml(form, "round trip", "../declaration.schema.json")
    back = load_text(text, f"{original.department.id}.yaml")
    assert back.declaration is not None, [p.format() for p in back.problems]
    assert back.declaration == original
    assert back.declaration.model_dump() == original.model_dump()  # the Decimals' digits too
    # every amount keeps its exact digits
    assert [t.funds for t in back.declaration.tasks] == [t.funds for t in original.tasks]


def test_formula_like_text_is_written_as_text_never_as_a_formula():
    source = hostile_source()
    data = declaration_workbook([loaded_text(source.text, "hostile-dept.yaml")], None)
    with zipfile.ZipFile(__import__("io").BytesIO(data)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet
    book = load_workbook(__import__("io").BytesIO(data))
    texts = [c.value for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert '=HYPERLINK("http://example.org/x","点击")' in texts


# ---- the CLI, incremental and byte-identical ---------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("xlsx")
    folder = root / "declarations" / "2024"
    folder.mkdir(parents=True)
    (folder / SEED_YAML.name).write_bytes(SEED_YAML.read_bytes())
    for source in test_sources():
        target = root / "declarations" / source.relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            target.write_text(source.text, encoding="utf-8")
    result = jixiao("build", "xlsx", "declarations", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Excel：4 份申报，写出工作簿 6 本，未改动跳过 0 本 → output/xlsx\n"
    return root


def test_build_writes_one_workbook_per_declaration_and_one_per_year(built):
    files = sorted(str(p.relative_to(built / "output" / "xlsx")) for p in (built / "output" / "xlsx").rglob("*.xlsx"))
    assert files == [
        "2024/jixiao-2024.xlsx", "2024/nansha-dongchong.xlsx", "2024/nansha-huangge.xlsx",
        "2025/jixiao-2025.xlsx", "2025/nansha-dongchong.xlsx", "2025/nansha-wanqingsha.xlsx",
    ]
    year = load_workbook(built / "output/xlsx/2024/jixiao-2024.xlsx")
    assert year.sheetnames == ["广州市南沙区东涌镇人民政府", "广州市南沙区黄阁镇人民政府"]
    # the year's workbook imports as its declarations, one YAML per sheet
    result = jixiao("import", "output/xlsx/2024/jixiao-2024.xlsx", "--out", "again", cwd=built)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["again/2024/nansha-dongchong.yaml", "again/2024/nansha-huangge.yaml"]
    for name in ("nansha-dongchong", "nansha-huangge"):
        assert load_file(built / "again/2024" / f"{name}.yaml").declaration == load_file(built / "declarations/2024" / f"{name}.yaml").declaration


def test_build_is_incremental_and_byte_identical(built):
    before = {p: p.read_bytes() for p in (built / "output" / "xlsx").rglob("*.xlsx")}
    again = jixiao("build", "xlsx", "declarations", cwd=built)
    assert again.stdout == "Excel：4 份申报，写出工作簿 0 本，未改动跳过 6 本 → output/xlsx\n"
    time.sleep(1.1)  # a timestamp taken from the clock would now differ
    forced = jixiao("build", "xlsx", "--force", "declarations", cwd=built)
    assert forced.stdout.startswith("Excel：4 份申报，写出工作簿 6 本")
    after = {p: p.read_bytes() for p in before}
    assert after == before
    with zipfile.ZipFile(built / "output/xlsx/2024/nansha-dongchong.xlsx") as archive:
        stamps = {info.date_time for info in archive.infolist()}
        core = archive.read("docProps/core.xml").decode()
    assert len(stamps) == 1
    # not in git here: the date is the budget year's 1 January, as for the PDF (never the clock)
    assert core.count("2024-01-01T00:00:00Z") == 2 and stamps == {(2024, 1, 1, 0, 0, 0)}
    # a changed declaration rewrites its own workbook and its year's, nothing else
    path = built / "declarations/2024/nansha-huangge.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("staff_count: ", "staff_count: 1", 1), encoding="utf-8")
    changed = jixiao("build", "xlsx", "declarations", cwd=built)
    assert changed.stdout == "Excel：4 份申报，写出工作簿 2 本，未改动跳过 4 本 → output/xlsx\n"


def test_the_sheet_is_laid_out_for_print(built):
    book = load_workbook(built / "output/xlsx/2024/nansha-dongchong.xlsx")
    ws = book.active
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$3"
    assert ws.oddFooter.center.text == "第 &P 页 共 &N 页"
    merges = {str(m) for m in ws.merged_cells.ranges}
    assert {"A1:E1", "B4:E4", "A6:A11"} <= merges  # title, 部门名称, 预算整体情况 over its 6 rows
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[9830.96].number_format == "#,##0.00"
    assert cells["≥ 30万人次"].data_type == "s" and cells["100%"].data_type == "s"
    assert cells["部门名称"].border.left.style == "thin" and cells["部门名称"].alignment.wrap_text
    level1 = [str(m) for m in ws.merged_cells.ranges if ws[str(m).split(":")[0]].value == "产出指标"]
    assert level1 and level1[0].startswith("A")
    long_row = cells[next(v for v in cells if isinstance(v, str) and v.startswith("①强化先行启动区"))].row
    assert ws.row_dimensions[long_row].height > 200  # fitted to its text, not the default 15
    assert [ws.column_dimensions[c].width for c in "ABCDE"] == [14, 20, 50, 21, 36]


# ---- LibreOffice: its PDF of the workbook, and the workbook saved by it -------------------------------


def soffice(args: list[str], profile: Path, cwd: Path) -> None:
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--norestore", *args],
        cwd=cwd, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stderr


@pytest.fixture(scope="module")
def libreoffice(built, tmp_path_factory) -> Path:
    """One soffice process per target format, each converting every file it needs at once."""
    work = tmp_path_factory.mktemp("libreoffice")
    profile = work / "profile"  # a profile of its own: parallel test workers do not share one
    years = [str(built / f"output/xlsx/{y}/jixiao-{y}.xlsx") for y in (2024, 2025)]
    seed = built / "output/xlsx/2024/nansha-dongchong.xlsx"
    for fmt in ("pdf", "xls", "xlsx", "ods"):
        (work / fmt).mkdir()
    traps = work / "traps.xlsx"  # the hand-made form of test_import, saved again as .xls
    book = Workbook()
    two_column_sheet(book.active)
    one_column_sheet(book.create_sheet("财政局"))
    book.save(traps)
    projects = work / "projects.xlsx"  # every example project and a harder one, a sheet each
    projects.write_bytes(declaration_workbook(project_documents(), None))
    soffice(["--convert-to", "pdf", "--outdir", str(work / "pdf"), str(seed), str(projects)], profile, work)
    soffice(["--convert-to", "xls", "--outdir", str(work / "xls"), *years, str(seed), str(traps), str(projects)], profile, work)
    soffice(["--convert-to", "xlsx:Calc MS Excel 2007 XML", "--outdir", str(work / "xlsx"), *years], profile, work)
    soffice(["--convert-to", "ods", "--outdir", str(work / "ods"), *years], profile, work)
    return work


def project_documents() -> list[LoadedDocument]:
    found = [load_file(path) for path in PROJECT_FILES]
    return found + [loaded_text(HARD, "river-cleanup.yaml")]


def test_libreoffice_prints_every_seed_cell(libreoffice):
    text = squash(run("pdftotext", "-enc", "UTF-8", str(libreoffice / "pdf/nansha-dongchong.pdf"), "-"))
    d = load_file(SEED_YAML).declaration
    wanted = [d.title, "（2024年度）", "金额单位：万元", d.department.name, "244", "15", "9,830.96", "83,136.13",
              "96,502.03", "98.17", "21.07", "21,390.66", "52,906.00", "40,061.09", d.overall_goal]
    for line in [*d.budget.income, *d.budget.development, *d.budget.by_level]:
        wanted.append(line.label)
    for task in d.tasks:
        wanted += [task.name, f"{task.funds:,.2f}", task.goal, *task.content.split("\n\n")]
    for _, category, group, item in d.indicator_rows():
        wanted += [category.level1, group.level2, item.level3, item.period_value, item.annual_value]
    wanted += ["一级指标", "实施周期指标值", "年度重点工作任务", "其他需完成的任务（可选填）", "第1页共"]
    # pdftotext reads a page line by line, so a wrapped cell comes out interleaved with its neighbours
    # on the same lines: each cell's text must be there whole and in order, with little between
    missing = [cell for cell in wanted if not read_in_order(squash(cell), text)]
    assert not missing, missing


def read_in_order(flat: str, text: str) -> bool:
    """Is `flat` in `text` as a subsequence that starts with its first characters and spans at most
    twice its length (plus the neighbouring cells' lines a wrapped cell is interleaved with)?"""
    head = flat[: min(6, len(flat))]
    start = text.find(head)
    while start >= 0:
        at, end = 0, start
        while at < len(flat) and end < len(text) and end - start <= 2 * len(flat) + 400:
            if text[end] == flat[at]:
                at += 1
            end += 1
        if at == len(flat):
            return True
        start = text.find(head, start + 1)
    return False


@pytest.mark.parametrize(
    "saved, count",
    [("xls/jixiao-2024.xls", 2), ("xls/jixiao-2025.xls", 2), ("xlsx/jixiao-2024.xlsx", 2), ("xlsx/jixiao-2025.xlsx", 2),
     ("ods/jixiao-2024.ods", 2), ("ods/jixiao-2025.ods", 2), ("xls/nansha-dongchong.xls", 1)],
)
def test_a_workbook_saved_by_libreoffice_still_imports_exactly(libreoffice, built, saved, count):
    # the 2025 sheets have line breaks inside paragraphs: the space before each must survive LibreOffice
    forms, problems = import_workbook(libreoffice / saved, built / "unused")
    assert not problems
    assert len(forms) == count
    for form in forms:
        assert not form.problems, [p.format() for p in form.problems]
        back = load_text(form.text, str(form.target)).declaration
        original = load_file(built / "declarations" / form.target.parent.name / form.target.name).declaration
        assert back == original


def test_import_of_a_libreoffice_xls_through_the_command(libreoffice, tmp_path):
    result = jixiao("import", str(libreoffice / "xls/nansha-dongchong.xls"), "--out", "d", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "d/2024/nansha-dongchong.yaml\n"
    assert load_file(tmp_path / result.stdout.strip()).declaration == load_file(SEED_YAML).declaration
    assert os.access(tmp_path / "d/2024/nansha-dongchong.yaml", os.R_OK)


def test_the_hand_made_form_reads_the_same_from_xls_as_from_xlsx(libreoffice):
    # .xls goes through xlrd: float noise, number formats (0%), merges, dates and text must read alike
    from_xlsx, problems_xlsx = import_workbook(libreoffice / "traps.xlsx", Path("d"))
    from_xls, problems_xls = import_workbook(libreoffice / "xls/traps.xls", Path("d"))
    assert not problems_xlsx and not problems_xls
    assert len(from_xlsx) == len(from_xls) == 2
    for a, b in zip(from_xlsx, from_xls):
        assert [(p.where, p.code, p.message) for p in a.problems] == [(p.where, p.code, p.message) for p in b.problems]
        assert all(p.code == "J607" for p in a.problems)  # the stray 备注 cell, reported from both
        assert a.target == b.target
        assert load_text(b.text, str(b.target)).declaration == load_text(a.text, str(a.target)).declaration


def test_libreoffice_prints_every_value_of_every_project(libreoffice):
    from generator.core.fields import format_amount
    from generator.forms.project_target.views import context
    from generator.render.paginate import Plan

    text = squash(run("pdftotext", "-enc", "UTF-8", str(libreoffice / "pdf/projects.pdf"), "-"))
    wanted = []
    for loaded in project_documents():
        d = loaded.declaration
        shown = context(d, Plan())
        wanted += [d.title, f"（{d.year}年度）", d.project.name, d.project.code or "", d.department.name, d.implementer,
                   *(("■" if chosen else "□") + option for option, chosen in shown["attributes"]), shown["period_text"],
                   d.project.manager or "", d.project.phone or "", format_amount(d.funds.total.period), format_amount(d.funds.total.annual)]
        for source in d.funds.sources:
            wanted += [source.label, format_amount(source.period), format_amount(source.annual)]
        wanted += [*d.goals.period.split("\n\n"), *d.goals.annual.split("\n\n")]
        for _, category, group, item in d.indicator_rows():
            wanted += [category.level1, group.level2, item.level3, *(value for _, value in item.values())]
    assert "421.910000" in wanted and "1,234,567.123456" in wanted and "0.000003" in wanted
    missing = [cell for cell in wanted if cell and not read_in_order(squash(cell), text)]
    assert not missing, missing


def test_project_sheets_saved_as_xls_by_libreoffice_still_import_exactly(libreoffice):
    forms, problems = import_workbook(libreoffice / "xls/projects.xls", Path("d"))
    assert not problems
    originals = [loaded.declaration for loaded in project_documents()]
    assert len(forms) == len(originals)
    for form, original in zip(forms, originals):
        assert not form.problems, [p.format() for p in form.problems]
        assert form.target.parent == Path("d/2024/nansha-dongchong/projects")
        back = exact(load_text(form.text, str(form.target)).declaration)
        want = exact(original)
        back["project"].pop("id"), want["project"].pop("id")  # named from the project's name on import
        assert back == want
