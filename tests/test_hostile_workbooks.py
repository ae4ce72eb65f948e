"""Hostile workbooks of a few kilobytes, made here, given to the real `jixiao import` in a process whose
address space is capped at 300 MB (resource.setrlimit): each is imported or refused with J603 naming
the sheet and what was too big — never a crash, never memory without bound. Merge bombs, 140 merges
of 182,000 cells, ODS repeat bombs, millions of tiny cells, long and many shared strings. Also honest
cells: a formula saved without its value is J613 at the cell and nothing else is read in its place;
a hidden sheet holding a form is imported with J612."""

from __future__ import annotations

import datetime as dt
import io
import os
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from site_fixtures import JIXIAO

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
SHEET = "广州市南沙区东涌镇人民政府"
MEMORY_LIMIT = 300 * 1024 * 1024  # a normal import of a bureau's workbook runs in 250 MB of address space


def form_workbook() -> bytes:
    """The seed as jixiao writes it: a real 部门整体 form on one sheet, merges and all."""
    from generator.input.load import load_file
    from generator.excel.workbooks import workbook_bytes

    return workbook_bytes([load_file(SEED)], dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))


def edited(book: bytes, edit, extra: dict[str, str] | None = None) -> bytes:
    """The workbook with its sheet's XML passed through `edit`, and parts added or replaced."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(book)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = edit(data.decode("utf-8")).encode("utf-8")
            if extra and info.filename in extra:
                data = extra.pop(info.filename).encode("utf-8")
            target.writestr(info.filename, data)
        for name, text in (extra or {}).items():
            target.writestr(name, text)
    return out.getvalue()


def with_merges(refs: list[str]):
    cells = "".join(f'<mergeCell ref="{ref}"/>' for ref in refs)

    def edit(xml: str) -> str:
        if "<mergeCells" in xml:
            head, rest = xml.split("<mergeCells", 1)
            count_end = rest.index(">") + 1
            return head + f'<mergeCells count="{len(refs)}">' + cells + rest[count_end:]
        return xml.replace("</sheetData>", f"</sheetData><mergeCells>{cells}</mergeCells>")

    return edit


def column_name(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def tiny_cells(rows: int, per_row: int, cell: str):
    row = "<row>" + cell * per_row + "</row>"

    def edit(xml: str) -> str:
        return xml.replace("</sheetData>", row * rows + "</sheetData>")

    return edit


SHARED = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def with_shared_strings(book: bytes, strings: list[str] | str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(book)) as source:
        types = source.read("[Content_Types].xml").decode()
        rels = source.read("xl/_rels/workbook.xml.rels").decode()
    types = types.replace(
        "</Types>",
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    )
    rels = rels.replace(
        "</Relationships>",
        '<Relationship Id="rIdS" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>',
    )
    body = strings if isinstance(strings, str) else "".join(f"<si><t>{s}</t></si>" for s in strings)
    sst = f'<sst xmlns="{SHARED}">{body}</sst>'
    return edited(book, lambda xml: xml, {"[Content_Types].xml": types, "xl/_rels/workbook.xml.rels": rels, "xl/sharedStrings.xml": sst})


def ods(rows_xml: str, name: str = "表1") -> bytes:
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{name}">{rows_xml}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        book.writestr("META-INF/manifest.xml", manifest)
        book.writestr("content.xml", content)
    return out.getvalue()


TEXT_CELL = '<table:table-cell office:value-type="string"><text:p>部门名称</text:p></table:table-cell>'


def renamed(edit, suffix: str):
    """An edit that also names the department apart (甲, 乙 …), so that the forms import side by side."""
    return lambda xml: edit(xml.replace(f">{SHEET}<", f">{SHEET}{suffix}<", 1))


def attacks() -> dict[str, tuple[bytes, str | None]]:
    """name → (workbook, the J603 message expected; None: imported)."""
    form = form_workbook()
    far = [f"{column_name(5 + i)}1:{column_name(5 + i)}182000" for i in range(140)]  # F1:F182000 …, 182,000 cells each
    dimension = lambda xml: xml.replace('<dimension ref="A1:E30" />', '<dimension ref="A1:XFD1048576" />')  # noqa: E731
    return {
        "merge-bomb.xlsx": (edited(form, renamed(with_merges(["AA1:XFD1048576"]), "甲")), None),
        "merge-bomb-over-the-form.xlsx": (edited(form, renamed(with_merges(["A40:XFD1048576", "F1:XFD1048576"]), "乙")), None),
        "140-merges.xlsx": (edited(form, renamed(with_merges(far), "丙")), None),
        "huge-dimension.xlsx": (edited(form, renamed(dimension, "丁")), None),
        "merges-many.xlsx": (
            edited(form, with_merges([f"A{r}:B{r}" for r in range(100, 30100)])),
            f"工作表「{SHEET}」的合并单元格超过 20,000 处，不像申报表",
        ),
        "tiny-cells.xlsx": (
            edited(form, tiny_cells(5_500, 1_000, "<c><v>1</v></c>")),
            f"工作表「{SHEET}」填了内容的单元格超过 10,000 个，不像申报表",
        ),
        "styled-empty-cells.xlsx": (
            edited(form, tiny_cells(1_000, 1_000, '<c s="1"/>')),
            f"工作表「{SHEET}」写入的单元格（含没有内容、只有格式的）超过 100,000 个，不像申报表",
        ),
        "far-cell.xlsx": (
            edited(form, lambda xml: xml.replace("</sheetData>", '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>')),
            f"工作表「{SHEET}」填了内容的范围过大（1,048,576 行 × 16,384 列），不像申报表",
        ),
        "long-shared-string.xlsx": (
            with_shared_strings(form, ["长" * 25_000_000]),
            "工作簿里的文字（共享字符串）合计超过 20,000,000 个字，不像申报表",
        ),
        "many-shared-strings.xlsx": (
            with_shared_strings(form, "<si><t>x</t></si>" * 600_000),
            "工作簿里的文字（共享字符串）超过 500,000 条，不像申报表",
        ),
        "repeat-bomb.ods": (
            ods('<table:table-row table:number-rows-repeated="99000"><table:table-cell table:number-columns-repeated="1000" '
                'office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>'),
            "工作表「表1」填了内容的单元格超过 10,000 个，不像申报表",
        ),
        "repeat-gap.ods": (
            ods(f"<table:table-row>{TEXT_CELL}</table:table-row>"
                '<table:table-row table:number-rows-repeated="99000"><table:table-cell table:number-columns-repeated="1000"/></table:table-row>'
                f'<table:table-row><table:table-cell table:number-columns-repeated="999"/>{TEXT_CELL}</table:table-row>'),
            "工作表「表1」填了内容的范围过大（99,002 行 × 1,000 列），不像申报表",
        ),
        "span-bomb.ods": (
            ods('<table:table-row><table:table-cell table:number-columns-spanned="16000" table:number-rows-spanned="1000000" '
                'office:value-type="string"><text:p>部门名称</text:p></table:table-cell></table:table-row>'),
            None,
        ),
    }


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_import(folder: Path, *names: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [str(JIXIAO), "import", "--force", "--out", "declarations", *names], cwd=folder, capture_output=True, text=True,
        encoding="utf-8", env=env, timeout=600, preexec_fn=limited,
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    made = attacks()
    for name, (data, _) in made.items():
        assert len(data) < 200_000, (name, len(data))  # each is small: the danger is in what it declares
        (folder / name).write_bytes(data)
    return folder, made


def test_a_normal_import_fits_in_the_limit(tmp_path):
    (tmp_path / "form.xlsx").write_bytes(form_workbook())
    done = run_import(tmp_path, "form.xlsx")
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines()[-1].startswith("导入了 1 份申报：0 个错误")


def test_every_hostile_workbook_is_imported_or_refused_with_j603_in_300_mb(hostile):
    """All in one `jixiao import`, so its memory stays bounded from the first to the last."""
    folder, made = hostile
    done = run_import(folder, *made)
    assert "Traceback" not in done.stderr and "MemoryError" not in done.stderr, done.stderr[-3000:]
    assert done.returncode == 1, done.stderr[-3000:]  # 1: some were refused (a crash is not 1)
    lines = done.stderr.splitlines()
    for name, (_, refusal) in made.items():
        own = [line for line in lines if line.startswith(f"{name}:")]
        if refusal is None:  # read: its form imported (or, with none on the sheet, J604)
            assert not [line for line in own if " J603" in line or " 错误 " in line and " J604" not in line], own
        else:
            assert own == [f"{name}: 错误 J603: （文件）: {refusal}"], (name, own)
    refused = sum(refusal is not None for _, refusal in made.values())
    assert lines[-1].startswith(f"导入了 4 份申报：{refused + 1} 个错误"), lines[-3:]  # + span-bomb.ods's J604


def test_merge_bombs_on_a_form_are_clipped_and_the_form_reads_as_without_them(hostile, tmp_path):
    folder, _ = hostile
    (tmp_path / "form.xlsx").write_bytes(form_workbook())
    assert run_import(tmp_path, "form.xlsx").returncode == 0
    clean = (tmp_path / "declarations" / "2024" / "nansha-dongchong.yaml").read_text(encoding="utf-8")
    imported = sorted((folder / "declarations" / "2024").glob("*.yaml"))
    assert len(imported) == 4
    for path in imported:
        text = path.read_text(encoding="utf-8")
        body = [line for line in text.splitlines() if "导入" not in line and "id:" not in line]
        suffix = next(mark for mark in "甲乙丙丁" if f"{SHEET}{mark}" in text)
        expected = [line.replace(SHEET, SHEET + suffix) for line in clean.splitlines() if "导入" not in line and "id:" not in line]
        assert body == expected, path.name


def test_a_formula_without_its_value_is_named_and_nothing_else_is_read_in_its_place(tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(form_workbook()))
    book.worksheets[0]["E5"] = "=10+5"  # 下属二级单位数: saved by a program, with no value computed
    book.save(tmp_path / "formula.xlsx")
    done = run_import(tmp_path, "formula.xlsx")
    assert done.returncode == 1
    lines = done.stderr.splitlines()
    assert lines[0] == f"formula.xlsx:{SHEET}!E5: 错误 J613: （单元格）: 单元格 E5 是公式，没有保存计算结果：请在 Excel/WPS 中打开、保存后再导入"
    assert "下属二级单位数」不是" not in done.stderr  # the label beside it is not taken as the value


def test_a_hidden_sheet_holding_a_form_is_imported_with_a_warning(tmp_path):
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(form_workbook()))
    book.create_sheet("封面")["A1"] = "封面"
    book.worksheets[0].sheet_state = "hidden"
    book.active = 1
    book.save(tmp_path / "hidden.xlsx")
    done = run_import(tmp_path, "hidden.xlsx")
    assert done.returncode == 0, done.stderr
    assert f"hidden.xlsx:{SHEET}: 警告 J612: （工作表）: 工作表「{SHEET}」是隐藏的；其中的申报表照样导入了，请确认这一份应当申报" in done.stderr
    assert (tmp_path / "declarations" / "2024" / "nansha-dongchong.yaml").is_file()


if __name__ == "__main__":  # the figures for the closing note: python tests/test_hostile_workbooks.py FOLDER
    folder = Path(sys.argv[1])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "form.xlsx").write_bytes(form_workbook())
    for name, (data, _) in attacks().items():
        (folder / name).write_bytes(data)
        print(name, len(data))
