"""A year's workbook put together from its documents' workbooks (generator/excel/year_workbook.py) is
byte for byte the workbook openpyxl writes sheet by sheet — after a whole build, after a build in
shards (where the shard making the year's workbook lacks the other shard's workbooks), and after one
file changed; and a document's workbook holding what the assembly does not carry sends the year
back to openpyxl."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from generator.core.history import source_date
from generator.excel.workbooks import workbook_bytes, year_xlsx_path
from generator.excel.write import save_deterministic
from generator.excel.year_workbook import assembled
from generator.pipeline import load_all
from site_fixtures import ROOT, jixiao

sys.path.insert(0, str(ROOT / "tools"))
import corpus  # noqa: E402


def openpyxls(declarations: Path, year: int) -> bytes:
    """The year's workbook as openpyxl writes it whole, in the build's order and with its date."""
    documents, problems = load_all([declarations])
    assert not [p for p in problems if p.is_error]
    members = sorted(
        (d for d in documents if d.year == year and d.form.sheet is not None),
        key=lambda d: (d.department.name, d.department.id, d.location),
    )
    return workbook_bytes(members, max(source_date(d) for d in members))


@pytest.fixture(scope="module")
def declarations(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("year-workbook")
    corpus.build_corpus(root, 6, (2024, 2025))
    return root / "declarations"


def build(declarations: Path, out: Path, *options: str) -> None:
    done = jixiao("build", "xlsx", "--out", str(out), *options, str(declarations))
    assert done.returncode == 0, done.stderr


def test_the_years_workbook_is_openpyxls_byte_for_byte(declarations, tmp_path):
    build(declarations, tmp_path)
    for year in (2024, 2025):
        assert year_xlsx_path(tmp_path, year).read_bytes() == openpyxls(declarations, year), year


def test_built_in_shards_it_is_the_same(declarations, tmp_path):
    for shard in ("1/2", "2/2"):
        build(declarations, tmp_path, "--shard", shard)
    for year in (2024, 2025):
        assert year_xlsx_path(tmp_path, year).read_bytes() == openpyxls(declarations, year), year


def test_after_one_file_changed_it_is_the_same(declarations, tmp_path):
    build(declarations, tmp_path)
    project = sorted((declarations / "2025").glob("*/projects/*.yaml"))[0]
    original = project.read_text(encoding="utf-8")
    try:
        project.write_text(original.replace('annual: "', 'annual: "（调整后）', 1), encoding="utf-8")
        build(declarations, tmp_path)
        assert year_xlsx_path(tmp_path, 2025).read_bytes() == openpyxls(declarations, 2025)
    finally:
        project.write_text(original, encoding="utf-8")


def _one_sheet(change=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "表"
    sheet["A1"] = "文字"
    if change:
        change(workbook, sheet)
    return save_deterministic(workbook)


def test_a_book_it_cannot_carry_sends_the_year_back_to_openpyxl():
    assert assembled(["表"], [_one_sheet()], None) is not None
    from openpyxl.styles import PatternFill

    def link(wb, ws):
        ws["A1"].hyperlink = "https://example.org/"  # a part of its own (the sheet's relationships)

    def area(wb, ws):
        ws.print_area = "A1:B2"  # a defined name other than the print titles

    def row_style(wb, ws):
        ws.row_dimensions[1].fill = PatternFill("solid", fgColor="FF0000")  # <row s=…>

    for book in (_one_sheet(link), _one_sheet(area), _one_sheet(row_style), b"not a workbook"):
        assert assembled(["表"], [book], None) is None


def test_the_union_of_styles_keeps_each_cells_style():
    from openpyxl import load_workbook
    from openpyxl.styles import Font

    def bold(wb, ws):
        ws["A1"].font = Font(name="黑体", bold=True)

    def italic(wb, ws):
        ws["A1"].font = Font(name="宋体", italic=True)
        ws["A2"] = 3.5
        ws["A2"].number_format = "#,##0.0000"

    made = load_workbook(io.BytesIO(assembled(["甲", "乙"], [_one_sheet(bold), _one_sheet(italic)], None)))
    assert made["甲"]["A1"].font.b and made["甲"]["A1"].font.name == "黑体"
    assert made["乙"]["A1"].font.i and made["乙"]["A1"].font.name == "宋体"
    assert made["乙"]["A2"].number_format == "#,##0.0000"
    with zipfile.ZipFile(io.BytesIO(_one_sheet(bold))) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()  # text inline: what the assembly relies on
