"""Reading any spreadsheet workbook (.xlsx, .xls, .ods) into plain grids, whatever form it holds.

A grid is one sheet as its cells' *displayed* values: merged cells read as their top-left value on
every cell they cover (the merge is remembered, so a caller can tell one tall cell from two equal
ones), numbers as the cell's number format shows them (Excel's 9830.959999999999 is the 9830.96 on
screen), with labels found by their text whatever whitespace 分散对齐 put inside them.

Readers: openpyxl for .xlsx (number formats, merges, cached formula values), xlrd for .xls (number
formats and merges with formatting_info), python-calamine for .ods (it has neither number formats
nor merges for .ods; numbers are then cleaned to the 15 significant digits a spreadsheet shows).
`SheetReader` is what every form's reader shares: which cells a reading used (the rest are reported,
J607), values read at cells (amounts in 元 or 万元, long text), the heading above a form (title, year,
unit) and the 绩效指标 grid every form has. Nothing here knows any one form's other blocks.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterator

from generator.core.catalogue import FORMULA_PLACEHOLDER, SHEET_MESSAGES, WORKBOOK_ERRORS
from generator.core.catalogue import code as catalogue_code
from generator.core.problems import Problem, Severity
from generator.excel.guard import SheetFacts, TooBig, guard_ods, guard_xlsx

# A filled-in form is tens of kilobytes; a workbook of a whole bureau's forms a few megabytes.
MAX_WORKBOOK_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # what an .xlsx/.ods zip may inflate to (zip bombs)
MAX_SHEET_CELLS = 10_000  # non-empty cells on one sheet (a long form has a thousand)

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


class WorkbookError(Exception):
    """A workbook that cannot be read: the problem code, and why, worded by the catalogue's
    WORKBOOK_ERRORS (a key and its values) or given whole (a guard's finding, already worded)."""

    def __init__(self, code: str, why: str, **values):
        message = WORKBOOK_ERRORS[why].format(**values) if why in WORKBOOK_ERRORS else why
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class RawCell:
    value: Any  # str, int, float, bool, date/datetime as the reader gives it
    number_format: str = "General"


@dataclass
class Grid:
    """One sheet: its non-empty cells (0-based row, column) and merged ranges."""

    book: str  # how the workbook is named in messages
    name: str  # the sheet's name
    cells: dict[tuple[int, int], RawCell] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # first row, col, last row, col
    hidden: bool = False  # a hidden (or very hidden) sheet
    formulas: list[tuple[int, int]] = field(default_factory=list)  # formula cells saved without their value
    _anchor: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict, repr=False)
    _extent: tuple[int, int] = field(default=(0, 0), repr=False)
    _texts: dict = field(default_factory=dict, repr=False)
    _labels: dict = field(default_factory=dict, repr=False)  # text → squashed
    _order: list | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.index_merges()

    def index_merges(self) -> None:
        """Index the merged ranges (and the grid's extent); call again after changing cells or merges."""
        from generator.excel.guard import TooBig, clip

        self._extent = (1 + max((r for r, _ in self.cells), default=-1), 1 + max((c for _, c in self.cells), default=-1))
        self._anchor = {}
        self._order = None
        try:  # beyond the filled range a merge holds nothing; clipped, their cells are bounded
            self.merges = clip(self.merges, *self._extent, self.name)
        except TooBig as exc:
            raise WorkbookError("J603", str(exc)) from None
        for r0, c0, r1, c1 in self.merges:
            if (r1 - r0 + 1) * (c1 - c0 + 1) > MAX_SHEET_CELLS:
                continue  # a whole-column merge: nothing in it but its top-left value matters
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    self._anchor[(r, c)] = (r0, c0)

    @property
    def rows(self) -> int:
        return self._extent[0]

    @property
    def columns(self) -> int:
        return self._extent[1]

    def anchor(self, row: int, col: int) -> tuple[int, int]:
        """The top-left cell of the merged range (row, col) is in, or the cell itself."""
        return self._anchor.get((row, col), (row, col))

    def merged(self, row: int, col: int) -> bool:
        return (row, col) in self._anchor

    def span(self, row: int, col: int) -> tuple[int, int]:
        """(rows, columns) the merged range at (row, col) covers; (1, 1) for a plain cell."""
        r, c = self.anchor(row, col)
        for r0, c0, r1, c1 in self.merges:
            if (r0, c0) == (r, c):
                return r1 - r0 + 1, c1 - c0 + 1
        return 1, 1

    def raw(self, row: int, col: int) -> RawCell | None:
        return self.cells.get(self.anchor(row, col))

    def text(self, row: int, col: int) -> str:
        """What the cell shows (a merged cell: its top-left value), stripped; '' for an empty cell."""
        key = self.anchor(row, col)
        cell = self.cells.get(key)
        return self._shown(key, cell) if cell else ""

    def _shown(self, key: tuple[int, int], cell: RawCell) -> str:
        # A reader asks for the same labels many times over (find() walks every cell): worked out once
        # per cell object, so a cell replaced in place is worked out again.
        known = self._texts.get(key)
        if known is None or known[0] is not cell:
            known = self._texts[key] = (cell, display_text(cell).strip())
        return known[1]

    def label(self, row: int, col: int) -> str:
        text = self.text(row, col)
        known = self._labels.get(text)
        if known is None:
            known = self._labels[text] = squash(text)
        return known

    def address(self, row: int, col: int) -> str:
        return f"{sheet_ref(self.name)}!{cell_name(row, col)}"

    def filled(self) -> Iterator[tuple[int, int]]:
        """Every non-empty cell (merged ranges once, at their top-left), top to bottom, left to right."""
        if self._order is None or len(self._order) != len(self.cells):
            self._order = sorted(self.cells)
        for key in self._order:
            cell = self.cells.get(key)
            if cell is not None and self._shown(key, cell):
                yield key

    def find(self, *labels: str, prefix: bool = False) -> list[tuple[int, int]]:
        """Cells (top-left of merges) whose text is one of `labels`, whitespace and width ignored."""
        wanted = {squash(label) for label in labels}
        found = []
        for row, col in self.filled():
            text = self.label(row, col)
            if text in wanted or (prefix and any(text.startswith(w) for w in wanted)):
                found.append((row, col))
        return found

    def next_right(self, row: int, col: int) -> tuple[int, int] | None:
        """The first non-empty cell right of (row, col) that is not part of the same merge."""
        own = self.anchor(row, col)
        for c in range(col + 1, self.columns):
            if self.anchor(row, c) != own and self.text(row, c):
                return self.anchor(row, c)
        return None


def squash(text: str) -> str:
    """A label as compared: NFKC (full-width letters and brackets folded), every whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def cell_name(row: int, col: int) -> str:
    letters = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row + 1}"


def sheet_ref(name: str) -> str:
    """A sheet name as a formula writes it: quoted when it is not a plain word."""
    if re.fullmatch(r"[^\s!'\[\]:*?/\\()（）,，-]+", name):
        return name
    return "'" + name.replace("'", "''") + "'"


# ---- displayed values ---------------------------------------------------------------------------


def _format_decimals(number_format: str) -> int | None:
    """Decimal places a number format shows (0.00 → 2, #,##0 → 0); None for General or text."""
    fmt = number_format.split(";")[0]
    fmt = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt)  # quoted text, colours, escapes
    if not fmt or fmt.lower() == "general" or fmt == "@" or not re.search(r"[0#?]", fmt):
        return None
    match = re.search(r"\.([0#?]+)", fmt)
    return len(match.group(1)) if match else 0


def _is_percent(number_format: str) -> bool:
    fmt = re.sub(r'"[^"]*"|\\.', "", number_format.split(";")[0])
    return "%" in fmt


def _groups(number_format: str) -> bool:
    return "#,##" in number_format.split(";")[0] or "#,#" in number_format.split(";")[0]


def _shown(value: float) -> Decimal:
    """A float as a spreadsheet shows it in General format: at most 15 significant digits."""
    return Decimal(format(value, ".15g")) if value else Decimal(0)


def number_value(value: int | float, number_format: str = "General") -> Decimal:
    """The exact number a cell shows. Float noise (9830.959999999999) is rounded away: to the
    format's decimals when that changes the value by noise only, else to 15 significant digits.
    A format showing fewer decimals than the value holds does not lose them (9830.96 in a 0 format)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, int):
        # 20 in a 0.000000 format shows 20.000000: the decimals a project's amount is written with
        places = _format_decimals(number_format)
        if places and not _is_percent(number_format):
            try:
                return Decimal(value).quantize(Decimal(1).scaleb(-places))
            except InvalidOperation:
                pass
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    exact = Decimal(value)  # the float's exact binary value
    places = _format_decimals(number_format)
    if places is not None:
        if _is_percent(number_format):
            places += 2
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if abs(rounded - exact) <= abs(exact) * Decimal("1e-12"):
            return rounded
    shown = _shown(value)
    if shown == shown.to_integral_value():
        return shown.quantize(Decimal(1))
    return shown


def _plain(number: Decimal) -> str:
    return format(number, "f")


def display_text(cell: RawCell) -> str:
    """The text a spreadsheet shows for a cell (numbers by their format's decimals, % and grouping)."""
    value, fmt = cell.value, cell.number_format
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, (int, float, Decimal)):
        number = number_value(value, fmt)
        places = _format_decimals(fmt)
        if _is_percent(fmt):
            shown = number * 100
            if places is not None:
                shown = shown.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
            return _plain(shown.normalize() if places is None else shown) + "%"
        if places is not None:
            number = number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if _groups(fmt):
            return f"{number:,f}"
        return _plain(number)
    return str(value)


# ---- amounts and counts written every which way ---------------------------------------------------

_AMOUNT_TEXT = re.compile(r"^([-+]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?$")


def parse_number_text(text: str) -> Decimal | None:
    """'１２,４０５．５０', '12,405.50', ' 12405.5 ' → Decimal; None when it is not a plain number."""
    folded = unicodedata.normalize("NFKC", text)
    folded = folded.replace("，", ",").replace("．", ".").replace("－", "-")
    folded = re.sub(r"\s+", "", folded)
    match = _AMOUNT_TEXT.match(folded)
    if not match:
        return None
    sign, whole, fraction = match.groups()
    try:
        return Decimal(f"{sign}{whole.replace(',', '')}" + (f".{fraction}" if fraction else ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only digits
        return None


def cell_number(cell: RawCell | None) -> Decimal | None:
    """A cell holding a number, or text that is one; None for anything else (empty included)."""
    if cell is None or cell.value is None or isinstance(cell.value, bool):
        return None
    if isinstance(cell.value, (int, float, Decimal)):
        return number_value(cell.value, cell.number_format)
    if isinstance(cell.value, str):
        return parse_number_text(cell.value)
    return None


YUAN_PER_WAN = Decimal(10000)


def unit_of(text: str) -> str | None:
    """'单位：元', '金额单位:万元', '预算金额（元）' → '元' / '万元'; None when no unit is named."""
    folded = squash(text)
    # 元 must end the word: 填报单位：元宝区财政局 names no unit
    match = re.search(r"单位[:：]?(万元|元)(?![\u4e00-\u9fff])", folded) or re.search(r"[（(](万元|元)[)）]", folded)
    return match.group(1) if match else None


def to_wan(amount: Decimal, unit: str) -> Decimal:
    """An amount in `unit` as 万元, exactly (元 ÷ 10000 as a decimal shift, no rounding)."""
    if unit == "元":
        return amount.scaleb(-4)
    return amount


# ---- opening a workbook -------------------------------------------------------------------------


def read_workbook(path: Path, display: str | None = None) -> list[Grid]:
    """Every sheet of the workbook at `path`, as grids; WorkbookError (with a Chinese message) for a
    file too large, encrypted, corrupt, empty or of another kind. Nothing large is parsed."""
    display = display or str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise WorkbookError("J000", "missing") from None
    except OSError as exc:
        raise WorkbookError("J601", "unreadable", reason=exc.strerror or exc) from None
    if size > MAX_WORKBOOK_BYTES:
        raise WorkbookError("J603", "file_size", size=f"{size / 1024 / 1024:.1f}", limit=MAX_WORKBOOK_BYTES // 1024 // 1024)
    if size == 0:
        raise WorkbookError("J601", "empty_file")
    try:
        with path.open("rb") as stream:
            data = stream.read(MAX_WORKBOOK_BYTES + 1)
    except OSError as exc:
        raise WorkbookError("J601", "unreadable", reason=exc.strerror or exc) from None
    return read_workbook_bytes(data, display)


def read_workbook_bytes(data: bytes, display: str) -> list[Grid]:
    if len(data) > MAX_WORKBOOK_BYTES:
        raise WorkbookError("J603", "too_large", limit=MAX_WORKBOOK_BYTES // 1024 // 1024)
    if data.startswith(OLE_MAGIC):
        if _ole_encrypted_package(data):
            raise WorkbookError("J602", "encrypted")
        grids = _read_xls(data, display)
    elif data.startswith(ZIP_MAGIC):
        kind = _zip_kind(data)
        grids = _read_ods(data, display, _guarded(guard_ods, data)) if kind == "ods" else _read_xlsx(*_guarded(guard_xlsx, data), display)
    else:
        raise WorkbookError("J601", "not_workbook")
    if not any(grid.cells for grid in grids):
        raise WorkbookError("J601", "no_cells")
    return grids


def _guarded(guard, data: bytes):
    """What workbook_guard finds, its refusals as WorkbookError."""
    try:
        return guard(data)
    except TooBig as exc:
        raise WorkbookError("J603", str(exc)) from None
    except Exception as exc:  # Malformed, a broken zip member, a missing part: a corrupt file
        raise WorkbookError("J601", "corrupt", reason=type(exc).__name__) from None


def _ole_encrypted_package(data: bytes) -> bool:
    """A password-protected .xlsx is an OLE container with EncryptionInfo/EncryptedPackage streams."""
    return "EncryptedPackage".encode("utf-16-le") in data[:1 << 20] or "EncryptionInfo".encode("utf-16-le") in data


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
                raise WorkbookError("J603", "zip_bomb")
            names = {info.filename for info in infos}
            if "mimetype" in names and b"opendocument.spreadsheet" in archive.read("mimetype"):
                return "ods"
            if "xl/workbook.xml" in names:
                return "xlsx"
    except zipfile.BadZipFile:
        raise WorkbookError("J601", "broken_zip") from None
    raise WorkbookError("J601", "other_zip")


def _read_xlsx(data: bytes, facts: dict[str, SheetFacts], display: str) -> list[Grid]:
    import warnings

    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about data validation, headers …
            book = openpyxl.load_workbook(io.BytesIO(data), data_only=True, read_only=False, rich_text=False)
    except WorkbookError:
        raise
    except Exception as exc:  # openpyxl raises anything from KeyError to lxml errors on a broken file
        raise WorkbookError("J601", "corrupt_as", kind=".xlsx", reason=type(exc).__name__) from None
    grids = []
    for sheet in book.worksheets:  # chart sheets have no cells
        grid = Grid(display, sheet.title)
        count = 0
        for (row, col), cell in sheet._cells.items():  # only the cells written (not max_row × max_column)
            if cell.value is None or (isinstance(cell.value, str) and not cell.value.strip()):
                continue
            count += 1
            if count > MAX_SHEET_CELLS:
                raise WorkbookError("J603", "sheet_cells", sheet=sheet.title, limit=f"{MAX_SHEET_CELLS:,}")
            grid.cells[(row - 1, col - 1)] = RawCell(cell.value, cell.number_format or "General")
        if sheet.title in facts:  # taken out of what openpyxl read: the guard's, clipped
            grid.merges = list(facts[sheet.title].merges)
        else:
            grid.merges = [(m.min_row - 1, m.min_col - 1, m.max_row - 1, m.max_col - 1) for m in sheet.merged_cells.ranges]
        _apply(grid, facts.get(sheet.title))
        grids.append(grid)
    return grids


def _apply(grid: Grid, facts: SheetFacts | None) -> None:
    """The guard's findings on a sheet: its merges (taken out of what the reader saw), whether it is
    hidden, and its formula cells without a value, each holding a placeholder so that no neighbour
    is read in its place."""
    if facts is not None:
        grid.hidden = grid.hidden or facts.hidden
        for cell in facts.formulas_without_value:
            if cell not in grid.cells:
                grid.cells[cell] = RawCell(FORMULA_PLACEHOLDER)
                grid.formulas.append(cell)
    grid.index_merges()


def _read_xls(data: bytes, display: str) -> list[Grid]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True, on_demand=False, logfile=io.StringIO())
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise WorkbookError("J602", "encrypted") from None
        raise WorkbookError("J601", "corrupt_as", kind=".xls", reason=exc) from None
    except Exception as exc:
        raise WorkbookError("J601", "corrupt_as", kind=".xls", reason=type(exc).__name__) from None
    grids = []
    for sheet in book.sheets():
        grid = Grid(display, sheet.name)
        if sheet.nrows * sheet.ncols > 1_000_000:
            raise WorkbookError("J603", "sheet_large", sheet=sheet.name)
        for row in range(sheet.nrows):
            for col in range(sheet.ncols):
                cell = sheet.cell(row, col)
                value = _xls_value(cell, book)
                if value is None or (isinstance(value, str) and not value.strip()):
                    continue
                fmt = "General"
                try:
                    fmt = book.format_map[book.xf_list[cell.xf_index].format_key].format_str or "General"
                except (IndexError, KeyError, TypeError):
                    pass
                grid.cells[(row, col)] = RawCell(value, fmt)
        grid.merges = [(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells]
        grid.hidden = bool(getattr(sheet, "visibility", 0))
        grid.index_merges()
        grids.append(grid)
    return grids


def _xls_value(cell, book) -> Any:
    import xlrd

    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
        return None
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if cell.ctype == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate.xldate_as_datetime(cell.value, book.datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return cell.value
    if cell.ctype == xlrd.XL_CELL_NUMBER:
        value = cell.value
        return int(value) if float(value).is_integer() and abs(value) < 2**53 else value
    return cell.value


def _read_ods(data: bytes, display: str, facts: dict[str, SheetFacts]) -> list[Grid]:
    import python_calamine

    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except python_calamine.PasswordError:
        raise WorkbookError("J602", "encrypted") from None
    except Exception as exc:
        raise WorkbookError("J601", "corrupt_as", kind=".ods", reason=type(exc).__name__) from None
    grids = []
    with book:
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            grid = Grid(display, name)
            for row, values in enumerate(sheet.to_python(skip_empty_area=False)):
                for col, value in enumerate(values):
                    if value is None or value == "" or (isinstance(value, str) and not value.strip()):
                        continue
                    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
                        value = int(value)
                    grid.cells[(row, col)] = RawCell(value)
                    if len(grid.cells) > MAX_SHEET_CELLS:
                        raise WorkbookError("J603", "sheet_cells", sheet=name, limit=f"{MAX_SHEET_CELLS:,}")
            merges = sheet.merged_cell_ranges or []
            grid.merges = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merges]
            _apply(grid, facts.get(name))
            grids.append(grid)
    return grids


# ---- reading a form off a grid: what every form's reader shares ---------------------------------------


@dataclass
class Placement:
    """Which cells (top-left of merges) a reading used, and the non-empty ones it did not."""

    placed: set[tuple[int, int]] = field(default_factory=set)
    unplaced: list[tuple[str, str]] = field(default_factory=list)  # (Sheet!C12, text)


def short(text: str, limit: int = 40) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def cell_prose(text: str) -> str:
    """A cell's text as Markdown. Each Excel line break (Alt+Enter) starts a paragraph (a blank line
    between); blank lines typed in the cell count as one. A line break after a trailing space stays a
    line break inside the paragraph: that is how workbook_write.prose_cell writes one, so the round
    trip is exact."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("_x000D_", "")
    out = ""
    joiner = None
    for line in text.split("\n"):
        if not line.strip():
            joiner = "\n\n" if out else None
            continue
        if out:
            out += joiner or "\n\n"
        out += line.rstrip()
        joiner = "\n" if line.endswith(" ") else "\n\n"
    return out.strip()


class SheetReader:
    """Reads one form off a grid, remembering every cell it used; `finish()` reports the others."""

    def __init__(self, grid: Grid):
        self.g = grid
        self.placement = Placement()
        self.problems: list[Problem] = []
        self.unit = "万元"

    # bookkeeping
    def take(self, row: int, col: int) -> str:
        self.placement.placed.add(self.g.anchor(row, col))
        return self.g.text(row, col)

    def problem(self, code: str, severity: Severity, at: tuple[int, int] | None, field_: str, message: str) -> None:
        row, col = at if at else (0, 0)
        where = self.g.address(row, col) if at else sheet_ref(self.g.name)
        self.problems.append(Problem(self.g.book, row + 1, col + 1, code, severity, field_, message, where=where))

    def one(self, label: str, prefix: bool = False, after: int = -1) -> tuple[int, int] | None:
        found = [at for at in self.g.find(label, prefix=prefix) if at[0] > after]
        return found[0] if found else None

    def report(self, code: str, at: tuple[int, int] | None, field_: str, why: str, **values) -> None:
        """A problem at a cell, worded by the catalogue's SHEET_MESSAGES."""
        self.problem(code, catalogue_code(code).severity, at, field_, SHEET_MESSAGES[why].format(**values))

    def need(self, label: str, field_: str, prefix: bool = False, after: int = -1) -> tuple[int, int] | None:
        at = self.one(label, prefix, after)
        if at is None:
            self.report("J605", None, field_, "no_column", label=label)
        else:
            self.take(*at)
        return at

    def in_row(self, row: int, *labels: str, prefix: bool = False, start: int = 0) -> int | None:
        wanted = [squash(label) for label in labels]
        for col in range(start, self.g.columns):
            if self.g.anchor(row, col) != (row, col):
                continue
            text = self.g.label(row, col)
            if text and any(text == w or (prefix and text.startswith(w)) for w in wanted):
                self.take(row, col)
                return col
        return None

    # values
    def text_at(self, row: int, col: int | None) -> str | None:
        if col is None:
            return None
        text = self.take(row, col)
        return text or None

    def prose_at(self, row: int, col: int | None) -> str | None:
        text = self.text_at(row, col)
        return cell_prose(text) if text else None

    def value_right(self, at: tuple[int, int]) -> tuple[int, int] | None:
        right = self.g.next_right(*at)
        if right is not None and right[0] != at[0]:
            return None
        return right

    def amount_at(self, row: int, col: int | None, unit: str, field_: str):
        """The amount at a cell in 万元 (exact; `unit` is the column's), the text itself when it is no
        amount (reported, J606), None for an empty cell."""
        if col is None:
            return None
        text = self.take(row, col)
        if not text:
            return None
        number = cell_number(self.g.raw(row, col))
        own_unit = unit
        if number is None:
            match = re.fullmatch(r"(.*?)\s*(万元|元)", unicodedata.normalize("NFKC", text))
            if match:
                number = parse_number_text(match.group(1))
                own_unit = match.group(2)
        if number is None:
            self.report("J606", (row, col), field_, "not_amount", text=short(text))
            return text
        if number < 0:
            self.report("J606", (row, col), field_, "negative_amount", text=text)
        return to_wan(number, own_unit)

    # the heading above the form: title, budget year, unit
    def read_heading(self, first_row: int, default_title: str) -> tuple[str, int | None]:
        title, year = None, None
        wide = []  # cells spanning the form's width: the title when none names itself 申报表/目标表
        for row, col in self.g.filled():
            if row >= first_row:
                break
            if self.g.anchor(row, col) in self.placement.placed:
                continue
            text = self.g.text(row, col)
            folded = squash(text)
            if unit_of(text) and re.fullmatch(r"(金额)?单位[:：]?(万元|元)", folded):
                self.unit = unit_of(text)
                self.take(row, col)
                continue
            match = re.fullmatch(r"[（(]?(\d{4})年度?[)）]?", folded)
            if match and year is None:
                year = int(match.group(1))
                self.take(row, col)
                continue
            if title is None and re.search(r"(绩效目标|申报表|目标表)", folded):
                lead = re.match(r"^\s*(\d{4})\s*年度?\s*", text)
                if lead:
                    year = year or int(lead.group(1))
                    text = text[lead.end():]
                title = text.strip()
                self.take(row, col)
                continue
            if unit_of(text):  # a unit inside a longer line (填报单位：… 单位：元): used, cell still listed
                self.unit = unit_of(text) or self.unit
            elif self.g.span(row, col)[1] >= 3:
                wide.append((row, col))
        if title is None and wide:
            title = self.take(*wide[0])
        return title or default_title, year

    # the 绩效指标 grid
    def read_indicators(self, stops: Iterator[int] | list[int] = ()) -> list:
        """The grid below its 三级指标 header, to the end of the sheet or the first of `stops` below it."""
        header = self.need("三级指标", "indicators")
        if header is None:
            return []
        for at in self.g.find("绩效指标", "年度绩效指标", "实施期绩效指标"):  # a block label beside the grid
            if at[0] >= header[0] and at[1] < header[1]:
                self.take(*at)
        row = header[0]
        c1 = self.in_row(row, "一级指标")
        c2 = self.in_row(row, "二级指标")
        c3 = header[1]
        start = row + 1
        period = annual = single = None
        for r in (row, row + 1):
            period = self.in_row(r, "实施周期指标值", "实施周期目标值")
            annual = self.in_row(r, "年度指标值", "年度目标值")
            if period is not None or annual is not None:
                start = max(start, r + 1)
                break
        if period is None and annual is None:
            single = self.in_row(row, "指标值", "目标值", "指标值（包含数字及文字描述）")
        elif self.in_row(row, "指标值") is not None:
            pass  # 指标值 spanning the two value columns, which the next row names
        for col, label in ((c1, "一级指标"), (c2, "二级指标")):
            if col is None:
                self.report("J605", header, "indicators", "no_indicator_column", label=label)
        if period is None and annual is None and single is None:
            self.report("J605", header, "indicators", "no_value_column")
        stop = min([r for r in stops if r > row] + [self.g.rows])
        categories: list[dict] = []
        previous = None
        for r in range(start, stop):
            level3 = self.text_at(r, c3)
            values = [self.text_at(r, c) if c is not None else None for c in (period, annual, single)]
            own1 = c1 is not None and self.g.anchor(r, c1)[0] == r and self.g.text(r, c1)
            own2 = c2 is not None and self.g.anchor(r, c2)[0] == r and self.g.text(r, c2)
            if not level3 and not any(values) and not own1 and not own2:
                continue
            level1 = self.text_at(r, c1) if c1 is not None else None
            level2 = self.text_at(r, c2) if c2 is not None else None
            if previous is None or not self.same(previous, r, c1):
                categories.append({"level1": level1, "groups": []})
                if not level1:
                    self.report("J606", (r, c1 or 0), "indicators", "empty_level1")
            groups = categories[-1]["groups"]
            if not groups or previous is None or not self.same(previous, r, c2) or not self.same(previous, r, c1):
                groups.append({"level2": level2, "items": []})
                if not level2:
                    self.report("J606", (r, c2 or 0), "indicators", "empty_level2")
            item: dict[str, Any] = {"level3": level3}
            if single is not None:
                item["value"] = values[2]
            else:
                item["period_value"], item["annual_value"] = values[0], values[1]
            groups[-1]["items"].append(item)
            previous = r
        return categories

    def same(self, previous: int, row: int, col: int | None) -> bool:
        """Does `row` continue the 一级/二级 of `previous` in column `col`? Yes when one merged cell covers
        both, when the cell is blank (inherited), or when neither is merged and the text is equal."""
        if col is None:
            return True
        a, b = self.g.anchor(previous, col), self.g.anchor(row, col)
        if a == b or not self.g.text(row, col):
            return True
        if self.g.merged(row, col) or self.g.merged(previous, col):
            return False
        return self.g.text(row, col) == self.g.text(previous, col)

    def finish(self) -> None:
        """Report every non-empty cell the reading did not use (J607): nothing is dropped silently."""
        for row, col in self.g.filled():
            if (row, col) in self.placement.placed:
                continue
            text = self.g.text(row, col)
            address = self.g.address(row, col)
            self.placement.unplaced.append((address, text))
            self.report("J607", (row, col), "（未导入）", "not_imported", text=short(text))


def sheet_notes(display: str, grid) -> list:
    """What an imported form's sheet must be told: hidden (J612), formula cells saved without their
    value (J613, at each cell; the cell holds a placeholder, so nothing else was read in its place)."""
    from generator.core.catalogue import code

    notes = []
    if grid.hidden:
        entry = code("J612")
        notes.append(Problem(display, 0, 0, "J612", entry.severity, "（工作表）", entry.text(sheet=grid.name), where=sheet_ref(grid.name)))
    entry = code("J613")
    for row, column in sorted(grid.formulas):
        notes.append(
            Problem(display, row + 1, column + 1, "J613", entry.severity, "（单元格）", entry.text(cell=cell_name(row, column)),
                    where=grid.address(row, column))
        )
    return notes
