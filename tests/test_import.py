"""`jixiao import`: real workbooks built here with every trap a filled-in form has (a 目录 sheet first,
分散对齐 labels, title and 单位 rows, blank rows, merges, amounts as text / full-width / in 元 / with
float noise, one and two value columns, line breaks, several departments in one book, stray cells),
read through the real command; bad input gets one Chinese line and exit 1."""

from __future__ import annotations

import datetime as dt
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook

from generator.excel.importer import slug as department_slug
from generator.excel.yaml_style import scalar
from generator.input.load import load_file, load_text
from generator.core.problems import Problem, Severity
from generator.excel.read import RawCell, cell_number, display_text, number_value, parse_number_text, squash, to_wan, unit_of
from test_cli import jixiao


def put(ws, ref: str, value, merge: str | None = None, number_format: str | None = None):
    ws[ref] = value
    if number_format:
        ws[ref].number_format = number_format
    if merge:
        ws.merge_cells(f"{ref}:{merge}")


def two_column_sheet(ws) -> None:
    """The form from column B, 万元, labels spread out, merged blocks, blank rows between blocks."""
    put(ws, "B1", "2024年度部门整体预算绩效目标申报表", "F1")
    put(ws, "F2", "单位：万元")
    put(ws, "B4", "部 门 名 称")
    put(ws, "C4", "广州市南沙区东涌镇人民政府", "F4")
    put(ws, "B5", "基　本　信　息")
    put(ws, "C5", "财政供养人员数")
    put(ws, "D5", 244)
    put(ws, "E5", "下属二级单位数")
    put(ws, "F5", "15")
    put(ws, "B7", "预算整体情况", "B13")
    for col, text in zip("CDEF", ("部门预算支出", "预算金额（万元）", "收入来源", "预算金额（万元）")):
        put(ws, f"{col}7", text)
    put(ws, "C8", "基本支出")
    put(ws, "D8", 9830.959999999999, number_format="#,##0.00")  # as Excel stores a sum
    put(ws, "E8", "财政拨款")
    put(ws, "F8", "92,868.92")  # text with a thousands comma
    put(ws, "C9", "项目支出")
    put(ws, "D9", "８３，１３６．１３")  # full-width digits, comma and point
    put(ws, "E9", "其他资金")
    put(ws, "F9", 98.17)
    for col, text in zip("CDEF", ("事业发展性支出", "预算金额（万元）", "按预算级次划分", "预算金额（万元）")):
        put(ws, f"{col}10", text)
    put(ws, "C11", "财政专项资金")
    put(ws, "D11", 21.07)
    put(ws, "E11", "镇本级使用资金")
    put(ws, "F11", 52906)
    put(ws, "C12", "其他事业发展性支出")
    put(ws, "D12", 21390.66)
    put(ws, "E12", "区级转移支付支出")
    put(ws, "F12", 40061.09)
    put(ws, "B14", "总 体 绩 效 目 标")
    put(ws, "C14", "目标第一段。\n目标第二段。", "F14")  # an Excel line break (Alt+Enter)
    put(ws, "B15", "年度重点工作任务", "B17")
    for col, text in zip("CDEF", ("名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）")):
        put(ws, f"{col}15", text)
    put(ws, "C16", "经济追赶超越“建新功”")
    put(ws, "D16", "①强化先行启动区。\r\n②加快构建现代化产业体系。")
    put(ws, "E16", 1081.46)
    put(ws, "F16", "促进经济运行稳中提质。")
    put(ws, "C17", "文旅深度融合")
    put(ws, "D17", "丰富文体服务供给。")
    put(ws, "E17", "421.9")
    put(ws, "F17", "提升东涌文化的影响力。")
    put(ws, "B18", "其他需完成的任务（可选填）")
    put(ws, "C18", None, "F18")
    for col, text in zip("BCDEF", ("一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值")):
        put(ws, f"{col}20", text)
    put(ws, "B21", "产出指标", "B23")
    put(ws, "C21", "数量指标", "C22")
    put(ws, "D21", "接待游客")
    put(ws, "E21", "≥ 30万人次")
    put(ws, "F21", "≥ 30万人次")
    put(ws, "D22", "新建公园")
    put(ws, "E22", "≥ 3个")
    put(ws, "F22", "≥ 1个")
    put(ws, "C23", "质量指标")
    put(ws, "D23", "工程竣工验收合格率")
    put(ws, "E23", 1, number_format="0%")  # a number shown as 100%
    put(ws, "F23", "100%")
    put(ws, "B24", "满意度指标", "B25")
    put(ws, "C24", "服务对象满意度指标", "C25")
    put(ws, "D24", "辖区居民满意度")
    put(ws, "E24", "≥ 90%")
    put(ws, "F24", "≥ 90%")
    put(ws, "D25", "辖区企业满意度")
    put(ws, "E25", "≥ 90%")
    put(ws, "F25", "≥ 90%")
    put(ws, "B26", "效益指标")
    put(ws, "C26", "社会效益指标")
    put(ws, "D26", "群众获得感")
    put(ws, "E26", "≥ 90%")
    put(ws, "F26", "≥ 90%")
    put(ws, "H27", "备注：本表由财政局下发")  # belongs to no block: must be reported, not dropped


def one_column_sheet(ws) -> None:
    """Amounts in 元, one 指标值 column, 一级/二级 written on every row (no merges), a signature block."""
    put(ws, "A1", "部门整体支出绩效目标申报表", "E1")
    put(ws, "A2", "（2024年度）", "E2")
    put(ws, "A3", "金额单位：元", "E3")
    put(ws, "A4", "部门名称")
    put(ws, "B4", "广州市南沙区财政局", "E4")
    for col, value in zip("ABCDE", ("基本信息", "财政供养人员数", "1,024", "下属二级单位数", 0)):
        put(ws, f"{col}5", value)
    put(ws, "A6", "预算整体情况", "A11")
    for col, text in zip("BCDE", ("部门预算支出", "预算金额（元）", "收入来源", "预算金额（元）")):
        put(ws, f"{col}6", text)
    for row, (left, right) in enumerate(((("基本支出", 12000000), ("财政拨款", 15000000)), (("项目支出", "3,000,000.00"), ("", None))), 7):
        put(ws, f"B{row}", left[0])
        put(ws, f"C{row}", left[1])
        if right[0]:
            put(ws, f"D{row}", right[0])
            put(ws, f"E{row}", right[1])
    for col, text in zip("BCDE", ("事业发展性支出", "预算金额（元）", "按预算级次划分", "预算金额（元）")):
        put(ws, f"{col}9", text)
    put(ws, "D10", "市本级")
    put(ws, "E10", 15000000)
    put(ws, "A12", "总体绩效目标")
    put(ws, "B12", "管好用好财政资金。", "E12")
    put(ws, "A13", "年度重点工作任务", "A14")
    for col, text in zip("BCDE", ("名称", "主要实施内容", "拟投入的资金（元）", "期望达到的目标（概述）")):
        put(ws, f"{col}13", text)
    for col, value in zip("BCDE", ("预算绩效管理", "全面实施预算绩效管理。", 2500000, "绩效目标全覆盖。")):
        put(ws, f"{col}14", value)
    put(ws, "A15", "其他需完成的任务（可选填）")
    put(ws, "B15", "做好决算公开。", "E15")
    for col, text in zip("ABCD", ("一级指标", "二级指标", "三级指标", "指标值")):
        put(ws, f"{col}16", text)
    ws.merge_cells("D16:E16")
    rows = (
        ("产出指标", "数量指标", "绩效目标覆盖部门数", "≥ 30个"),
        ("产出指标", "数量指标", "绩效评价项目数", "≥ 10个"),
        ("效益指标", "社会效益指标", "预算公开及时率", "100%"),
        ("满意度指标", "服务对象满意度指标", "预算单位满意度", "≥ 90%"),
    )
    for row, values in enumerate(rows, 17):
        for col, value in zip("ABCD", values):
            put(ws, f"{col}{row}", value)
    put(ws, "A21", "填报单位（盖章）：广州市南沙区财政局")
    put(ws, "C21", "联系电话")
    put(ws, "D21", "020-12345678")
    put(ws, "A22", "填报日期")
    put(ws, "B22", dt.datetime(2024, 1, 31), number_format="yyyy-mm-dd")


@pytest.fixture(scope="module")
def traps_book(tmp_path_factory) -> Path:
    book = Workbook()
    contents = book.active
    contents.title = "目录"
    contents["A1"] = "目录"
    contents["A2"] = "1. 东涌镇"
    contents["A3"] = "2. 财政局"
    two_column_sheet(book.create_sheet("东涌镇"))
    one_column_sheet(book.create_sheet("财政局"))
    path = tmp_path_factory.mktemp("traps") / "book.xlsx"
    book.save(path)
    return path


@pytest.fixture(scope="module")
def imported(traps_book, tmp_path_factory):
    cwd = tmp_path_factory.mktemp("import")
    result = jixiao("import", str(traps_book), "--out", "decl", cwd=cwd)
    return cwd, result


def test_import_writes_one_yaml_per_form_and_prints_each_path(imported):
    cwd, result = imported
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["decl/2024/nansha-dongchong.yaml", "decl/2024/nansha-caizhengju.yaml"]
    validate = jixiao("validate", "decl", cwd=cwd)
    assert validate.returncode == 0 and validate.stdout.splitlines()[-1] == "检查了 2 个申报文件：0 个错误，0 个警告", validate.stdout


def test_sheets_without_a_form_and_cells_outside_it_are_reported_not_dropped(imported, traps_book):
    cwd, result = imported
    book = str(traps_book)
    lines = result.stderr.splitlines()
    assert f"{book}:目录: 警告 J611: （工作表）: 这个工作表里没有申报表（找不到「部门名称」「三级指标」等栏目），跳过" in lines
    assert f"{book}:东涌镇!H27: 警告 J607: （未导入）: 「备注：本表由财政局下发」没有导入：它不在申报表的任何栏目里" in lines
    assert lines[-1] == "导入了 2 份申报：0 个错误，2 个警告"
    assert len(lines) == 3, lines
    text = (cwd / "decl/2024/nansha-dongchong.yaml").read_text(encoding="utf-8")
    assert "东涌镇!H27: 「备注：本表由财政局下发」" in text
    assert "由 jixiao import 从 book.xlsx 的工作表「东涌镇」导入" in text
    assert "「财政局」" in (cwd / "decl/2024/nansha-caizhengju.yaml").read_text(encoding="utf-8")


def test_two_column_form_with_merges_spread_labels_and_amounts_written_every_way(imported):
    cwd, _ = imported
    path = cwd / "decl/2024/nansha-dongchong.yaml"
    d = load_file(path).declaration
    assert d is not None
    assert (d.title, d.year, d.department.name, d.department.id) == (
        "部门整体预算绩效目标申报表", 2024, "广州市南沙区东涌镇人民政府", "nansha-dongchong"
    )
    assert (d.basic_info.staff_count, d.basic_info.subordinate_units) == (244, 15)
    b = d.budget
    assert (b.spending.basic, b.spending.project) == (Decimal("9830.96"), Decimal("83136.13"))
    assert [(x.label, x.amount) for x in b.income] == [("财政拨款", Decimal("92868.92")), ("其他资金", Decimal("98.17"))]
    assert [(x.label, x.amount) for x in b.development] == [("财政专项资金", Decimal("21.07")), ("其他事业发展性支出", Decimal("21390.66"))]
    assert [(x.label, x.amount) for x in b.by_level] == [("镇本级使用资金", Decimal("52906")), ("区级转移支付支出", Decimal("40061.09"))]
    assert d.overall_goal == "目标第一段。\n\n目标第二段。"
    assert [(t.name, t.content, t.funds, t.goal) for t in d.tasks] == [
        ("经济追赶超越“建新功”", "①强化先行启动区。\n\n②加快构建现代化产业体系。", Decimal("1081.46"), "促进经济运行稳中提质。"),
        ("文旅深度融合", "丰富文体服务供给。", Decimal("421.9"), "提升东涌文化的影响力。"),
    ]
    assert d.other_tasks is None
    rows = [(c.level1, g.level2, i.level3, i.period_value, i.annual_value) for _, c, g, i in d.indicator_rows()]
    assert rows == [
        ("产出指标", "数量指标", "接待游客", "≥ 30万人次", "≥ 30万人次"),
        ("产出指标", "数量指标", "新建公园", "≥ 3个", "≥ 1个"),
        ("产出指标", "质量指标", "工程竣工验收合格率", "100%", "100%"),
        ("满意度指标", "服务对象满意度指标", "辖区居民满意度", "≥ 90%", "≥ 90%"),
        ("满意度指标", "服务对象满意度指标", "辖区企业满意度", "≥ 90%", "≥ 90%"),
        ("效益指标", "社会效益指标", "群众获得感", "≥ 90%", "≥ 90%"),
    ]
    assert [len(c.groups) for c in d.indicators] == [2, 1, 1]
    text = path.read_text(encoding="utf-8")
    # house style: schema header relative to the file, budget lines as flow mappings, plain amounts
    assert text.startswith("# yaml-language-server: $schema=../../declarations/declaration.schema.json\n")
    assert "    - {label: 财政拨款, amount: 92868.92}\n" in text
    assert "    basic: 9830.96        # 基本支出\n" in text
    assert "overall_goal: |-\n  目标第一段。\n\n  目标第二段。\n" in text


def test_one_column_form_in_yuan_with_repeated_labels_and_a_signature_block(imported):
    cwd, _ = imported
    d = load_file(cwd / "decl/2024/nansha-caizhengju.yaml").declaration
    assert d is not None
    assert d.title == "部门整体支出绩效目标申报表"
    assert (d.basic_info.staff_count, d.basic_info.subordinate_units) == (1024, 0)
    assert (d.budget.spending.basic, d.budget.spending.project) == (Decimal("1200"), Decimal("300"))
    assert [(x.label, x.amount) for x in d.budget.income] == [("财政拨款", Decimal("1500"))]
    assert d.budget.development == []
    assert [(x.label, x.amount) for x in d.budget.by_level] == [("市本级", Decimal("1500"))]
    assert d.tasks[0].funds == Decimal("250")
    assert d.other_tasks == "做好决算公开。"
    assert d.single_value_column
    rows = [(c.level1, g.level2, i.level3, i.value) for _, c, g, i in d.indicator_rows()]
    assert rows == [
        ("产出指标", "数量指标", "绩效目标覆盖部门数", "≥ 30个"),
        ("产出指标", "数量指标", "绩效评价项目数", "≥ 10个"),
        ("效益指标", "社会效益指标", "预算公开及时率", "100%"),
        ("满意度指标", "服务对象满意度指标", "预算单位满意度", "≥ 90%"),
    ]
    assert [len(c.groups) for c in d.indicators] == [1, 1, 1]
    assert d.filing is not None
    assert (d.filing.unit, d.filing.phone, d.filing.date) == ("广州市南沙区财政局", "020-12345678", dt.date(2024, 1, 31))


def test_import_again_updates_the_same_files_and_id_year_options_apply(imported, traps_book, tmp_path):
    cwd, _ = imported
    before = sorted((cwd / "decl").rglob("*.yaml"))
    again = jixiao("import", str(traps_book), "--out", "decl", cwd=cwd)
    assert again.returncode == 0, again.stderr
    assert again.stdout and all("更新了已有的文件" in line for line in again.stdout.splitlines()), again.stdout
    assert sorted((cwd / "decl").rglob("*.yaml")) == before
    refused = jixiao("import", str(traps_book), "--id", "x", cwd=tmp_path)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [f"{traps_book}: 错误 J609: （文件）: 工作簿里有 2 份申报表，--id 只能用于只有一份的工作簿"]


def test_id_and_year_options_for_a_single_form(tmp_path):
    book = Workbook()
    two_column_sheet(book.active)
    book.active.title = "Sheet1"
    book.save(tmp_path / "one.xlsx")
    result = jixiao("import", "one.xlsx", "--id", "dongchong", "--year", "2025", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["declarations/2025/dongchong.yaml"]


# ---- bad input: one line, exit 1, never a traceback ------------------------------------------------


@pytest.mark.parametrize(
    "name, make, message",
    [
        ("empty.xlsx", lambda p: p.write_bytes(b""), "错误 J601: （文件）: 文件是空的（0 字节），不是工作簿"),
        ("text.xlsx", lambda p: p.write_text("部门名称,东涌镇\n", encoding="utf-8"), "错误 J601: （文件）: 不是 Excel 或 OpenDocument 工作簿（.xlsx、.xls、.ods），或文件已损坏"),
        ("cut.xlsx", lambda p: p.write_bytes(_saved_form()[:3000]), "错误 J601: （文件）: 文件已损坏：不是完整的 .xlsx（zip）文件"),
        ("garbage.xls", lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), None),
        ("locked.xlsx", lambda p: p.write_bytes(_ole_with_stream("EncryptionInfo")), "错误 J602: （文件）: 工作簿设有打开密码（已加密），请在 Excel 中取消密码后另存，再导入"),
        ("huge.xlsx", lambda p: _sparse(p, 50 * 1024 * 1024), "错误 J603: （文件）: 文件过大（50.0 MB），申报表工作簿不应超过 10 MB"),
        ("blank.xlsx", lambda p: Workbook().save(p), "错误 J601: （文件）: 工作簿是空的：没有任何填了内容的单元格"),
        ("other.xlsx", lambda p: _other_table(p), "错误 J604: （文件）: 工作簿里没有找到申报表：没有哪个工作表含有「部门名称」「三级指标」等栏目"),
    ],
)
def test_bad_workbooks_get_one_chinese_line_and_exit_1(tmp_path, name, make, message):
    path = tmp_path / name
    make(path)
    result = jixiao("import", name, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    if message:
        assert lines[0] == f"{name}: {message}"
    else:
        assert lines[0].startswith(f"{name}: 错误 J601: （文件）: 文件已损坏，无法作为 .xls 读取"), lines
    assert not (tmp_path / "declarations").exists()


def _saved_form() -> bytes:
    import io

    book = Workbook()
    two_column_sheet(book.active)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _ole_with_stream(name: str) -> bytes:
    """The shape of a password-protected .xlsx: an OLE2 container whose directory names EncryptionInfo."""
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
    return header + name.encode("utf-16-le") + b"\0" * 1024


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as handle:
        handle.truncate(size)


def _other_table(path: Path) -> None:
    book = Workbook()
    book.active["A1"] = "公开01表"
    book.active["A2"] = "收支总表"
    book.active["B3"] = 12345.6
    book.save(path)


def test_an_oversize_file_is_refused_before_it_is_read(tmp_path):
    # 50 MB of zeros in a sparse file: refused by its size, so the test is as fast as stat()
    _sparse(tmp_path / "big.xls", 50 * 1024 * 1024)
    result = jixiao("import", "big.xls", cwd=tmp_path)
    assert result.returncode == 1 and "J603" in result.stderr


def test_a_zip_bomb_is_refused_by_its_unpacked_size(tmp_path):
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (120 * 1024 * 1024))
    result = jixiao("import", "bomb.xlsx", cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == ["bomb.xlsx: 错误 J603: （文件）: 工作簿解压后过大（可能是压缩炸弹），拒绝读取"]


# ---- the pieces ----------------------------------------------------------------------------------


def test_displayed_numbers_and_amounts():
    assert number_value(9830.959999999999, "#,##0.00") == Decimal("9830.96")
    assert number_value(9830.959999999999) == Decimal("9830.96")  # General: 15 significant digits
    assert number_value(92967.09000000001, "0.00") == Decimal("92967.09")
    assert number_value(9830.96, "0") == Decimal("9830.96")  # a format hiding decimals does not lose them
    assert display_text(RawCell(9830.96, "0")) == "9831"
    assert display_text(RawCell(0.95, "0%")) == "95%"
    assert display_text(RawCell(52906, "#,##0.00")) == "52,906.00"
    assert display_text(RawCell(244.0)) == "244"
    assert parse_number_text("１２,４０５．５０") == Decimal("12405.50")
    assert parse_number_text(" 1,234 ") == Decimal("1234")
    assert parse_number_text("12,34") is None and parse_number_text("九千") is None
    assert cell_number(RawCell("８３，１３６．１３")) == Decimal("83136.13")
    assert to_wan(Decimal("98309600"), "元") == Decimal("9830.96")
    assert to_wan(Decimal("123"), "元") == Decimal("0.0123")  # exact; J206 then says it has too many decimals
    assert (unit_of("单位：元"), unit_of("金额单位:万元"), unit_of("预算金额（元）"), unit_of("部门名称")) == ("元", "万元", "元", None)
    assert unit_of("填报单位：元宝区财政局") is None and unit_of("编制单位：某局　单位：万元") == "万元"
    assert squash("部 门\u3000名\n称") == "部门名称" and squash("预算金额（万元）") == "预算金额(万元)"


def test_default_ids_from_department_names():
    assert department_slug("广州市南沙区东涌镇人民政府") == "nansha-dongchong"
    assert department_slug("广州市南沙区财政局") == "nansha-caizhengju"
    assert department_slug("北京市发展和改革委员会") == "beijing-fazhanhegaige"
    assert department_slug("陕西省教育厅") == "shanxi-jiaoyuting"
    assert department_slug("（空）") == ""


@pytest.mark.parametrize("text", ["2024", "true", "yes", "null", "a: b", "#1", "- x", "x #y", " lead", "“引号”开头", "@x", "{a}", "1e3", "0x1F", "≥ 90%", "100%"])
def test_yaml_scalars_read_back_as_the_same_text(text):
    loaded = load_text(f"k: {scalar(text)}\n", "t.yaml")
    assert loaded.data is not None and not [p for p in loaded.problems if p.code in ("J001", "J003", "J004")]
    assert str(loaded.data["k"]) == text and loaded.data["k"].kind == "str"


def test_problem_prints_a_workbook_cell_when_it_has_one():
    line = Problem("a.yaml", 3, 5, "J011", Severity.ERROR, "year", "不对")
    assert line.format() == "a.yaml:3:5: 错误 J011: year: 不对"
    cell = Problem("book.xlsx", 12, 3, "J606", Severity.ERROR, "tasks[1].funds", "「九千」不是金额", where="Sheet1!C12")
    assert cell.format() == "book.xlsx:Sheet1!C12: 错误 J606: tasks[1].funds: 「九千」不是金额"


def test_a_bad_cell_is_reported_at_its_address_and_the_yaml_is_still_written_to_fix(tmp_path):
    book = Workbook()
    two_column_sheet(book.active)
    book.active.title = "Sheet1"
    book.active["E17"] = "九千"
    book.active["D5"] = "二百四十四"
    book.save(tmp_path / "one.xlsx")
    result = jixiao("import", "one.xlsx", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert "one.xlsx:Sheet1!D5: 错误 J606: basic_info.staff_count: 「二百四十四」不是非负整数" in lines
    assert "one.xlsx:Sheet1!E17: 错误 J606: tasks[2].funds: 「九千」不是金额" in lines
    # the YAML carries the text as found, so validate points at the line to fix
    assert result.stdout == "declarations/2024/nansha-dongchong.yaml\n"
    assert any(line.startswith("declarations/2024/nansha-dongchong.yaml:") and "J011" in line and "九千" in line for line in lines)


def test_a_missing_block_label_is_named_and_the_rest_still_read(tmp_path):
    book = Workbook()
    two_column_sheet(book.active)
    book.active.title = "Sheet1"
    book.active["B14"] = None  # 总体绩效目标 gone
    book.save(tmp_path / "one.xlsx")
    result = jixiao("import", "one.xlsx", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "one.xlsx:Sheet1: 错误 J605: overall_goal: 表中找不到栏目「总体绩效目标」"
    assert not [line for line in lines if "J606" in line]  # the budget block still ends where it should
    assert "one.xlsx:Sheet1!C14: 警告 J607: （未导入）: 「目标第一段。 目标第二段。」没有导入：它不在申报表的任何栏目里" in lines


def test_a_folder_imports_every_workbook_in_it(traps_book, tmp_path):
    folder = tmp_path / "2024"
    folder.mkdir()
    (folder / "book.xlsx").write_bytes(traps_book.read_bytes())
    (folder / "~$book.xlsx").write_bytes(b"lock")  # Excel's lock file while the book is open
    (folder / "notes.txt").write_text("x", encoding="utf-8")
    result = jixiao("import", "2024", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["declarations/2024/nansha-dongchong.yaml", "declarations/2024/nansha-caizhengju.yaml"]
