"""Styled workbook writing for any form: cell styles, merges, widths and heights that fit the text,
A4 landscape print setup, and a deterministic save (same input, same bytes).

openpyxl writes the workbook; only the zip entries' timestamps and docProps/core.xml's dates are
pinned (openpyxl's own save stamps both with the current time).
"""

from __future__ import annotations

import datetime as dt
import io
from copy import copy
import math
import os
import re
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from decimal import Decimal

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

MONEY_FORMAT = "#,##0.00"
TEXT_FORMAT = "@"
BODY_FONT = "宋体"
HEADING_FONT = "黑体"
FONT_SIZE = 11
LINE_HEIGHT = 15.0  # points per line of 11 pt CJK text
MAX_ROW_HEIGHT = 409.0  # Excel's limit

_thin = Side(style="thin", color="000000")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)


@dataclass(frozen=True)
class Style:
    bold: bool = False
    size: float = FONT_SIZE
    horizontal: str = "left"
    vertical: str = "center"
    border: bool = True
    number_format: str = "General"
    heading: bool = False
    indent: int = 0


LABEL = Style(bold=True, horizontal="center", heading=True)
TEXT = Style()
CENTER = Style(horizontal="center")
MONEY = Style(horizontal="right", number_format=MONEY_FORMAT, indent=1)
VALUE = Style(horizontal="center", number_format=TEXT_FORMAT)
PROSE = Style(vertical="top", number_format=TEXT_FORMAT)
TITLE = Style(bold=True, size=18, horizontal="center", border=False, heading=True)
NOTE = Style(horizontal="center", border=False)
NOTE_RIGHT = Style(horizontal="right", border=False)
WIDTHS = [14, 20, 50, 21, 36]  # the five columns every form is drawn on: one A4 landscape page wide


def money_style(amount) -> Style:
    """MONEY showing the decimals an amount is written with, at least two (421.910000: six)."""
    exponent = amount.as_tuple().exponent if isinstance(amount, Decimal) else 0
    places = -exponent if isinstance(exponent, int) else 0
    if places <= 2:
        return MONEY
    return replace(MONEY, number_format=f"#,##0.{'0' * places}")


def sheet_name(name: str, fallback: str) -> str:
    """A sheet name (at most 31 characters, none of : \\ / ? * [ ]) from a document's name."""
    return (re.sub(r"[:\\/?*\[\]]", "", name).strip("'") or fallback)[:31]


def prose_cell(text: str | None) -> str:
    """Markdown as a cell's text: a paragraph per line (one Excel line break between paragraphs), a
    line break inside a paragraph as a space and a line break (invisible in the cell); read back by
    workbook_read.cell_prose."""
    if not text:
        return ""
    paragraphs = re.split(r"\n\n", text)
    return "\n".join(paragraph.replace("\n", " \n") for paragraph in paragraphs)


class SheetWriter:
    """Writes cells row by row onto a worksheet and remembers what is needed to size the rows."""

    def __init__(self, worksheet: Worksheet, widths: list[float]):
        self.ws = worksheet
        self.widths = widths
        for index, width in enumerate(widths, 1):
            worksheet.column_dimensions[get_column_letter(index)].width = width
        self.row = 0
        self._text: dict[int, list[tuple[str, float, float]]] = {}  # row → (text, width, size)
        self._spans: list[tuple[int, int, str, float, float]] = []  # rows a tall merged cell covers

    def next_row(self) -> int:
        self.row += 1
        return self.row

    def heading(self, title: str, year: int, note: str = "") -> str:
        """The form's title and （年度） across the grid, and a note below them (金额单位：万元) if any;
        the rows to repeat on every printed page, as print_setup takes them."""
        self.put(self.next_row(), 1, title, TITLE, to_col=5)
        self.put(self.next_row(), 1, f"（{year}年度）", NOTE, to_col=5)
        if note:
            self.put(self.next_row(), 1, note, NOTE_RIGHT, to_col=5)
        return f"1:{self.row}"

    def put(self, row: int, col: int, value, style: Style, *, to_col: int | None = None, to_row: int | None = None):
        """Write `value` at (row, col) (1-based), merged to (to_row, to_col) when given, styled."""
        to_col = to_col or col
        to_row = to_row or row
        cell = self.ws.cell(row=row, column=col)
        if isinstance(value, str) and value == "":
            value = None
        if isinstance(value, str):
            # Control characters (YAML's "\x07") cannot be stored in a workbook: shown as U+FFFD.
            value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.value = value
        if isinstance(value, str):
            cell.data_type = "s"  # text stays text: "=HYPERLINK(…)" is never written as a formula
        first, other = self._style_arrays(style)
        cell._style = copy(first)
        if to_col > col or to_row > row:
            self._merge(row, col, to_row, to_col, other)
        width = sum(self.widths[c - 1] for c in range(col, to_col + 1))
        shown = value if isinstance(value, str) else ("" if value is None else f"{value:,.2f}" if style is MONEY else str(value))
        if to_row == row:
            self._text.setdefault(row, []).append((shown, width, style.size))
        else:
            self._spans.append((row, to_row, shown, width, style.size))
        return cell

    def _style_arrays(self, style: Style) -> tuple[StyleArray, StyleArray | None]:
        """(the written cell's, the other merged cells') style indexes for `style`. Made once per
        workbook: assigning openpyxl's font, border and alignment objects cell by cell hashes each
        against every style the workbook holds, most of the time a year's workbook took."""
        made = self.ws.parent.__dict__.setdefault("_jixiao_styles", {})
        if style not in made:
            probe = Cell(self.ws)
            if style.border:
                probe.border = BORDER
            probe.font = Font(name=HEADING_FONT if style.heading else BODY_FONT, size=style.size, bold=style.bold)
            probe.alignment = Alignment(horizontal=style.horizontal, vertical=style.vertical, wrap_text=True, indent=style.indent)
            probe.number_format = style.number_format
            edge = None
            if style.border:
                bordered = Cell(self.ws)
                bordered.border = BORDER
                edge = bordered._style
            made[style] = (probe._style, edge)
        return made[style]

    def _merge(self, row: int, col: int, to_row: int, to_col: int, other: StyleArray | None) -> None:
        """Merge the range, every cell but the first bordered all round when the style has borders
        (openpyxl's merge_cells works out each edge's sides, a tenth of a second per form)."""
        self.ws.merged_cells.add(MergedCellRange(self.ws, f"{get_column_letter(col)}{row}:{get_column_letter(to_col)}{to_row}"))
        for r in range(row, to_row + 1):
            for c in range(col, to_col + 1):
                if r == row and c == col:
                    continue
                merged = MergedCell(self.ws, row=r, column=c)
                if other is not None:
                    merged._style = copy(other)
                self.ws._cells[(r, c)] = merged

    def fit_rows(self) -> None:
        """Row heights that show every line of every cell (merged tall cells share their rows)."""
        heights: dict[int, float] = {}
        for row, cells in self._text.items():
            heights[row] = max(text_height(text, width, size) for text, width, size in cells)
        for first, last, text, width, size in self._spans:
            need = text_height(text, width, size)
            have = sum(heights.get(r, LINE_HEIGHT) for r in range(first, last + 1))
            if need > have:
                extra = (need - have) / (last - first + 1)
                for r in range(first, last + 1):
                    heights[r] = heights.get(r, LINE_HEIGHT) + extra
        for row, height in heights.items():
            self.ws.row_dimensions[row].height = round(min(MAX_ROW_HEIGHT, max(LINE_HEIGHT + 3, height)), 1)


def write_indicators(w: SheetWriter, indicators: list) -> None:
    """The 绩效指标 grid every form shares, on the five columns: its header row, 一级 and 二级 merged
    downwards, two value columns or one (指标值 across the last two)."""
    from generator.core.fieldpath import label
    from generator.forms.indicators import Indicator, IndicatorCategory, IndicatorGroup, indicator_blocks, single_value_column

    single = single_value_column(indicators)
    r = w.next_row()
    for col, text in enumerate((label(IndicatorCategory, "level1"), label(IndicatorGroup, "level2"), label(Indicator, "level3")), 1):
        w.put(r, col, text, LABEL)
    if single:
        w.put(r, 4, label(Indicator, "value"), LABEL, to_col=5)
    else:
        w.put(r, 4, label(Indicator, "period_value"), LABEL)
        w.put(r, 5, label(Indicator, "annual_value"), LABEL)
    for block in indicator_blocks(indicators):
        for row in block["rows"]:
            r = w.next_row()
            if row["level1"] is not None:
                w.put(r, 1, row["level1"], CENTER, to_row=r + row["level1_rowspan"] - 1)
            if row["level2"] is not None:
                w.put(r, 2, row["level2"], CENTER, to_row=r + row["level2_rowspan"] - 1)
            item = row["item"]
            w.put(r, 3, item.level3, TEXT)
            if single:
                w.put(r, 4, item.value or "", VALUE, to_col=5)
            else:
                w.put(r, 4, item.period_value or "", VALUE)
                w.put(r, 5, item.annual_value or "", VALUE)


def char_units(char: str) -> float:
    """A character's width in column-width units (the width of '0'): CJK and full-width are two."""
    return 2.0 if unicodedata.east_asian_width(char) in ("W", "F") else 1.1


def text_lines(text: str, width: float, size: float = FONT_SIZE) -> int:
    """Lines `text` wraps to in a column `width` units wide (a little margin left for the borders)."""
    usable = max(1.0, (width - 1.5) * FONT_SIZE / size)
    lines = 0
    for line in str(text).split("\n"):
        units = sum(char_units(ch) for ch in line)
        lines += max(1, math.ceil(units / usable))
    return lines


def text_height(text: str, width: float, size: float = FONT_SIZE) -> float:
    return text_lines(text, width, size) * LINE_HEIGHT * size / FONT_SIZE + 4


def print_setup(ws: Worksheet, title_rows: str | None = None) -> None:
    """A4 landscape, one page wide, centred, header rows repeated, 第 N 页 共 M 页 in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = 0.87  # 22 mm: the binding edge of a landscape sheet in an upright file
    ws.page_margins.bottom = 0.6
    ws.page_margins.footer = 0.25
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"
    ws.oddFooter.center.size = 10


FIXED_TIME = dt.datetime(2000, 1, 1)


def save_deterministic(workbook: Workbook, stamp: dt.datetime | None = None) -> bytes:
    """The workbook's bytes, identical for identical content: core.xml dates and zip entry times are
    `stamp` (default 2000-01-01), never the clock."""
    from openpyxl.writer.excel import ExcelWriter

    when = (stamp or FIXED_TIME).replace(tzinfo=None, microsecond=0)
    when = max(when, dt.datetime(1980, 1, 1))  # the earliest a zip entry can say
    workbook.properties.created = when
    workbook.properties.modified = when
    workbook.properties.creator = "jixiao"
    workbook.properties.lastModifiedBy = None
    buffer = io.BytesIO()
    archive = _StampedZip(buffer, when.timetuple()[:6])
    ExcelWriter(workbook, archive).save()  # save() closes the archive
    return buffer.getvalue()


class _StampedZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one fixed time instead of the moment they were written."""

    def __init__(self, file, date_time):
        super().__init__(file, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = date_time

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._date_time)
            zinfo_or_arcname.compress_type = zipfile.ZIP_DEFLATED
            zinfo_or_arcname.external_attr = 0o600 << 16
        return super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        # openpyxl streams each worksheet through a temporary file and adds it with write(), which
        # would stamp the file's mtime: add its bytes with the fixed time instead.
        with open(filename, "rb") as handle:
            data = handle.read()
        return self.writestr(arcname or os.path.basename(filename), data)
