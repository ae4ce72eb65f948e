"""The 项目支出绩效目标申报表 as a worksheet: import(export(x)) == x for every example project and
some harder ones (exact amounts to six decimals, every text, the period as years or days, the
attribute's options, one and two value columns); a project sheet as bureaus circulate it (title
rows, 分散对齐 labels, merges, amounts in 元 as text with commas, goals side by side) imports to the
expected declaration, which validates; a workbook of a department and its projects imports to one
file each, where each belongs. LibreOffice's part is in test_xlsx.py (one soffice run per format)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from fixtures import SEED_YAML
from generator.core import registry
from generator.forms.project_target import sheet
from generator.excel.import_merge import project_id
from generator.input.load import load_file, load_text
from generator.excel.read import read_workbook_bytes
from generator.excel.workbooks import workbook_bytes
from test_cli import jixiao
from test_import import put

ROOT = Path(__file__).resolve().parent.parent
PROJECTS = ROOT / "examples" / "2024" / "nansha-dongchong" / "projects"
# The example project forms (the self-evaluations beside them are another form).
PROJECT_FILES = sorted(p for p in PROJECTS.glob("*.yaml") if ".self-evaluation" not in p.name)

# Harder than the examples: dates and a year as bounds, six decimals down to 0.000001, three
# options, a numeric code, paragraphs with a line break inside one, formula-like and YAML-like text,
# a name with characters a sheet name cannot hold.
HARD = """\
form: project-target
title: 项目支出绩效目标申报表（2024年修订）
year: 2024
project:
  name: "[试点]/河涌*整治: 一期"
  id: river-cleanup
  code: "440115202400001"
  attribute: 阶段性
  attribute_options: [一次性, 阶段性, 经常性]
  period: {start: 2024-03-01, end: 2026}
  manager: 王五
department:
  name: 广州市南沙区东涌镇人民政府
  id: nansha-dongchong
implementer: "=HYPERLINK(\\"http://example.org\\")"
funds:
  total: {period: 1234567.123456, annual: 0.000003}
  sources:
    - {label: 财政拨款, period: 1234567.123455, annual: 0.000002}
    - {label: "- 其他: 资金", period: 0.000001, annual: 0.000001}
goals:
  period: |-
    第一段第一行
    第一段第二行

    第二段。
  annual: "#1 年度目标：完成 8 条河涌清淤。"
indicators:
  - level1: 产出指标
    groups:
      - level2: 数量指标
        items:
          - level3: 清淤河涌
            period_value: ≥ 12条
            annual_value: ≥ 8条
          - level3: "true"
            period_value: "100"
            annual_value: "@x"
  - level1: 效益指标
    groups:
      - level2: 生态效益指标
        items:
          - level3: 河涌水质达标率
            period_value: 100%
            annual_value: ≥ 90%
"""


def examples() -> list[tuple[str, object]]:
    found = [(path.stem, load_file(path)) for path in PROJECT_FILES]
    found.append(("hard", load_text(HARD, "river-cleanup.yaml")))
    for name, loaded in found:
        assert loaded.declaration is not None, (name, [p.format() for p in loaded.problems])
    return found


def exact(doc) -> dict:
    """A model as JSON data: every Decimal as its digits (421.910000 is not 421.91), dates as dates."""
    return doc.model_dump(mode="json")


@pytest.mark.parametrize("name, loaded", examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_import_of_export_is_the_same_project(name, loaded):
    original = loaded.declaration
    grids = read_workbook_bytes(workbook_bytes([loaded], None), "x.xlsx")
    assert len(grids) == 1
    assert sheet.recognise(grids[0]) > 0 and registry.form("department-target").sheet.recognise(grids[0]) == 0
    data, placement, problems = sheet.read_sheet(grids[0])
    assert not problems, [p.format() for p in problems]
    assert not placement.unplaced
    data["project"]["id"], data["department"]["id"] = original.project.id, original.department.id
    text = sheet.to_yaml(data, "round trip", "../../../declaration.schema.json")
    back = load_text(text, f"{original.project.id}.yaml")
    assert back.declaration is not None, [p.format() for p in back.problems]
    assert exact(back.declaration) == exact(original)
    assert back.declaration == original


def test_amounts_keep_their_decimals_in_the_cell_format():
    loaded = load_file(PROJECTS / "water-town-culture.yaml")
    ws = load_workbook(io.BytesIO(workbook_bytes([loaded], None))).active
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[421.91].number_format == "#,##0.000000"
    assert cells["■新增\u3000□延续"].data_type == "s"
    assert cells["2024年1月1日—2024年12月31日"]
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$2"
    town = load_workbook(io.BytesIO(workbook_bytes([load_file(PROJECTS / "typical-town.yaml")], None))).active
    assert {c.number_format for row in town.iter_rows() for c in row if isinstance(c.value, (int, float))} == {"#,##0.00"}
    hard = load_workbook(io.BytesIO(workbook_bytes([load_text(HARD, "river-cleanup.yaml")], None)))
    assert hard.sheetnames == ["试点河涌整治 一期"]


def test_the_yaml_is_in_the_house_style_of_the_examples():
    loaded = load_file(PROJECTS / "typical-town.yaml")
    [grid] = read_workbook_bytes(workbook_bytes([loaded], None), "x.xlsx")
    data, _, _ = sheet.read_sheet(grid)
    data["project"]["id"], data["department"]["id"] = "typical-town", "nansha-dongchong"
    text = sheet.to_yaml(data, "导入说明", "../../../../declarations/declaration.schema.json")
    example = (PROJECTS / "typical-town.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../../declarations/declaration.schema.json\n# 导入说明\nform: project-target\n")
    # the lines the example writes the same way (its own comments aside)
    for line in ("  period: {start: 2023, end: 2025}  # 项目期", "  manager: 示例负责人               # 项目负责人",
                 "    - {label: 财政拨款, period: 27600.00, annual: 9776.58}", "  total: {period: 28500.00, annual: 10076.58}",
                 "  annual: |-", "    ②完善《东涌镇2024年绿化实施方案》，压实苗木栽种、管护责任；", "goals:                              # 总体目标",
                 "          - level3: 村（居）民满意度"):
        assert f"\n{line}\n" in text and f"\n{line}\n" in example, line
    water = load_file(PROJECTS / "water-town-culture.yaml")
    [grid] = read_workbook_bytes(workbook_bytes([water], None), "x.xlsx")
    data, _, _ = sheet.read_sheet(grid)
    text = sheet.to_yaml(data, "", "x")
    assert "    - {label: 财政拨款, period: 401.910000, annual: 401.910000}\n" in text
    assert "  period: {start: 2024-01-01, end: 2024-12-31}  # 项目期\n" in text
    assert "attribute_options" not in text  # the default options are not written out


# ---- a project sheet as circulated ------------------------------------------------------------------


def circulated_sheet(ws) -> None:
    """The 财预〔2015〕88号 layout as bureaus fill it in: title and 单位：元 rows, spread labels, the
    form from column A over six columns, 其中 as its own merged cell, amounts in 元 (numbers, text
    with commas), the two goals side by side with their text below, a 绩效指标 label beside the grid."""
    put(ws, "A1", "2025年度项目支出绩效目标申报表", "F1")
    put(ws, "F2", "单位：元")
    put(ws, "A3", "项 目 名 称")
    put(ws, "B3", "河涌水环境综合整治", "F3")
    put(ws, "A4", "主 管 部 门")
    put(ws, "B4", "广州市南沙区东涌镇人民政府", "C4")
    put(ws, "D4", "实施单位")
    put(ws, "E4", "广州市南沙区东涌镇水务所", "F4")
    put(ws, "A5", "项目属性")
    put(ws, "B5", "☑新增 ☐延续", "C5")
    put(ws, "D5", "项 目 期")
    put(ws, "E5", "2025-01-01至2026-12-31", "F5")
    put(ws, "A6", "项目负责人")
    put(ws, "B6", "王五", "C6")
    put(ws, "D6", "联系电话")
    put(ws, "E6", 13800138000, "F6")
    put(ws, "A7", "项目资金", "A10")
    put(ws, "B7", None, "C7")
    put(ws, "D7", "实施期资金总额")
    put(ws, "E7", "年度资金总额", "F7")
    put(ws, "B8", "资金总额", "C8")
    put(ws, "D8", "8,000,000.50")
    put(ws, "E8", 5000000, "F8", number_format="#,##0.00")
    put(ws, "B9", "其中", "B10")
    put(ws, "C9", "财政拨款")
    put(ws, "D9", 7600000, number_format="#,##0.00")
    put(ws, "E9", "4,800,000.00", "F9")
    put(ws, "C10", "其他资金")
    put(ws, "D10", 400000.5, number_format="#,##0.00")
    put(ws, "E10", 199999.99999999997, "F10", number_format="#,##0.00")  # a sum as Excel stores it
    put(ws, "A11", "总 体 目 标", "A12")
    put(ws, "B11", "实施期目标", "C11")
    put(ws, "D11", "年度目标", "F11")
    put(ws, "B12", "两年内完成辖区 12 条河涌清淤。\n水质稳定达标。", "C12")
    put(ws, "D12", "完成 8 条河涌清淤，新建生态岸线 5 公里。", "F12")
    put(ws, "A13", "绩 效 指 标", "A17")
    for col, text in zip("BCDEF", ("一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值")):
        put(ws, f"{col}13", text)
    rows = (
        ("B14", "产出指标", "B15", "C14", "数量指标", "C14", "清淤河涌", "≥ 12条", "≥ 8条"),
        (None, None, None, "C15", "质量指标", "C15", "验收合格率", 1, "100%"),
        ("B16", "效益指标", "B16", "C16", "生态效益指标", "C16", "河涌水质达标率", "100%", "≥ 90%"),
        ("B17", "满意度指标", "B17", "C17", "服务对象满意度指标", "C17", "沿岸居民满意度", "≥ 90%", "≥ 90%"),
    )
    for number, (l1, level1, l1_end, l2, level2, l2_end, level3, period, annual) in enumerate(rows, 14):
        if l1:
            put(ws, l1, level1, l1_end if l1_end != l1 else None)
        put(ws, l2, level2)
        put(ws, f"D{number}", level3)
        put(ws, f"E{number}", period, number_format="0%" if period == 1 else None)
        put(ws, f"F{number}", annual)
    put(ws, "A19", "填表说明：本表由财政局统一印发")  # no block's: reported, not dropped


EXPECTED = """\
form: project-target
year: 2025
project:
  name: 河涌水环境综合整治
  id: {project_id}
  attribute: 新增
  period: {{start: 2025-01-01, end: 2026-12-31}}
  manager: 王五
  phone: "13800138000"
department:
  name: 广州市南沙区东涌镇人民政府
  id: nansha-dongchong
implementer: 广州市南沙区东涌镇水务所
funds:
  total: {{period: 800.00005, annual: 500}}
  sources:
    - {{label: 财政拨款, period: 760, annual: 480}}
    - {{label: 其他资金, period: 40.00005, annual: 20}}
goals:
  period: "两年内完成辖区 12 条河涌清淤。\\n\\n水质稳定达标。"
  annual: 完成 8 条河涌清淤，新建生态岸线 5 公里。
indicators:
  - level1: 产出指标
    groups:
      - level2: 数量指标
        items:
          - {{level3: 清淤河涌, period_value: ≥ 12条, annual_value: ≥ 8条}}
      - level2: 质量指标
        items:
          - {{level3: 验收合格率, period_value: 100%, annual_value: 100%}}
  - level1: 效益指标
    groups:
      - level2: 生态效益指标
        items:
          - {{level3: 河涌水质达标率, period_value: 100%, annual_value: ≥ 90%}}
  - level1: 满意度指标
    groups:
      - level2: 服务对象满意度指标
        items:
          - {{level3: 沿岸居民满意度, period_value: ≥ 90%, annual_value: ≥ 90%}}
"""


@pytest.fixture(scope="module")
def circulated(tmp_path_factory) -> Path:
    book = Workbook()
    book.active.title = "项目表"
    circulated_sheet(book.active)
    path = tmp_path_factory.mktemp("circulated") / "2025年项目.xlsx"
    book.save(path)
    return path


def test_a_circulated_project_sheet_imports_to_the_expected_declaration(circulated, tmp_path):
    result = jixiao("import", str(circulated), "--out", "d", cwd=tmp_path)
    project_id = "hyshjzhzz"  # no 项目编码 on the sheet: the initials of 河涌水环境综合整治 in pinyin
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"d/2025/nansha-dongchong/projects/{project_id}.yaml\n"
    lines = result.stderr.splitlines()
    assert f"{circulated}:项目表!A19: 警告 J607: （未导入）: 「填表说明：本表由财政局统一印发」没有导入：它不在申报表的任何栏目里" in lines
    validate = jixiao("validate", "d", cwd=tmp_path)  # only: its department's own form is not there
    assert validate.returncode == 0 and "J412" in validate.stdout, validate.stdout
    assert validate.stdout.splitlines()[-1] == "检查了 1 个申报文件：0 个错误，1 个警告", validate.stdout
    # import checked the folder as validate does: the same J412, and the sheet's J607 besides
    assert lines[1:] == validate.stdout.splitlines()[:-1] + ["导入了 1 份申报：0 个错误，2 个警告"], lines
    path = tmp_path / result.stdout.strip()
    got = load_file(path).declaration
    assert got is not None
    want = load_text(EXPECTED.format(project_id=project_id), path.name).declaration
    assert want is not None
    assert got == want
    assert got.funds.total.period == Decimal("800.00005") and str(got.funds.sources[1].period) == "40.000050"
    assert got.project.period.start == dt.date(2025, 1, 1) and got.project.attribute_options == ["新增", "延续"]
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../../../../declarations/declaration.schema.json\n")
    assert "由 jixiao import 从 2025年项目.xlsx 的工作表「项目表」导入" in text
    assert "  total: {period: 800.000050, annual: 500.000000}\n" in text  # 元 ÷ 10000, to the 分


def test_the_id_option_names_the_project(circulated, tmp_path):
    result = jixiao("import", str(circulated), "--id", "river-cleanup", "--year", "2026", "--out", "d", cwd=tmp_path)
    assert result.stdout == "d/2026/nansha-dongchong/projects/river-cleanup.yaml\n", result.stderr
    assert load_file(tmp_path / result.stdout.strip()).declaration.project.id == "river-cleanup"


def test_a_bad_amount_and_period_are_reported_at_their_cells(tmp_path):
    book = Workbook()
    circulated_sheet(book.active)
    book.active.title = "Sheet1"
    book.active["D9"] = "七百六十万"
    book.active["E5"] = "两年"
    book.save(tmp_path / "p.xlsx")
    result = jixiao("import", "p.xlsx", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "p.xlsx:Sheet1!D9: 错误 J606: funds: 「七百六十万」不是金额" in lines
    assert "p.xlsx:Sheet1!E5: 错误 J606: project.period: 「两年」不是项目期（应为 2024年—2026年 或起止日期）" in lines
    assert result.stdout.startswith("declarations/2025/nansha-dongchong/projects/")  # written, to be fixed


# ---- a department and its projects in one workbook --------------------------------------------------


def test_a_year_workbook_holds_the_projects_and_imports_to_one_file_each(tmp_path):
    folder = tmp_path / "declarations" / "2024"
    (folder / "nansha-dongchong" / "projects").mkdir(parents=True)
    (folder / "nansha-dongchong.yaml").write_bytes(SEED_YAML.read_bytes())
    for name in ("typical-town", "water-town-culture"):
        (folder / "nansha-dongchong" / "projects" / f"{name}.yaml").write_bytes((PROJECTS / f"{name}.yaml").read_bytes())
    built = jixiao("build", "xlsx", "declarations", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert built.stdout == "Excel：3 份申报，写出工作簿 4 本，未改动跳过 0 本 → output/xlsx\n"
    year = tmp_path / "output/xlsx/2024/jixiao-2024.xlsx"
    assert (tmp_path / "output/xlsx/2024/nansha-dongchong/projects/typical-town.xlsx").is_file()
    originals = [load_file(p).declaration for p in sorted(folder.rglob("*.yaml"))]
    # the department, then its projects by where they lie
    assert load_workbook(year).sheetnames == ["广州市南沙区东涌镇人民政府", "东涌镇“百千万工程”典型镇建设（示例）", "东涌水乡文化旅游品牌建设（示例）"]
    result = jixiao("import", str(year), "--out", "again", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    ids = [project_id(d.project.name, d.project.code) for d in originals if d.form == "project-target"]
    assert sorted(result.stdout.splitlines()) == sorted(
        ["again/2024/nansha-dongchong.yaml"] + [f"again/2024/nansha-dongchong/projects/{i}.yaml" for i in ids])
    validate = jixiao("validate", "again", cwd=tmp_path)
    assert validate.returncode == 0 and validate.stdout.splitlines()[-1].startswith("检查了 3 个申报文件：0 个错误"), validate.stdout
    for original in originals:
        path = "again/2024/nansha-dongchong.yaml" if original.form != "project-target" else f"again/2024/nansha-dongchong/projects/{project_id(original.project.name, original.project.code)}.yaml"
        back = exact(load_file(tmp_path / path).declaration)
        want = exact(original)
        if original.form == "project-target":
            back["project"].pop("id"), want["project"].pop("id")
        assert back == want, path
