"""A workbook's declared sizes, read from its XML as a stream before any library builds a sheet.

openpyxl makes an object for every cell of every merged range (one `<mergeCell ref="AA1:XFD1048576"/>`
is 17 billion), for every `<c>` written (millions fit in a small zip) and every shared string;
calamine expands an .ods row repeated 99,000 times with a cell repeated 1,000 times into 99 million
values. So each sheet is first read here with expat, which keeps nothing but counts: cells written
and filled, the range they fill, the merged ranges (clipped to that range), shared strings, ODS
repeats. Too much → J603 naming the sheet and what was too big; else the merges are taken out of
the .xlsx the reader sees (grid merges are these, clipped), so no library expands them.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from generator.core.catalogue import WORKBOOK_LIMITS

# Sized so that any workbook within them is read, checked and written in 300 MB and 15 s: a long form
# has a thousand filled cells on its sheet, a bureau's workbook a few dozen such sheets.
MAX_FILLED_CELLS = 10_000  # non-empty cells on one sheet (workbook_read.MAX_SHEET_CELLS)
MAX_BOOK_FILLED = 50_000  # non-empty cells in the whole workbook
MAX_WRITTEN_CELLS = 100_000  # `<c>` elements on one sheet, empty styled ones included
MAX_BOOK_CELLS = 300_000  # `<c>` elements in the whole workbook
MAX_AREA = 2_000_000  # rows × columns of the range a sheet fills (what calamine lays out)
MAX_BOOK_AREA = 4_000_000  # the same for all sheets together
MAX_MERGES = 20_000  # merged ranges on one sheet
MAX_MERGED_CELLS = 400_000  # cells the merged ranges cover once clipped to the filled range
MAX_STRINGS = 500_000  # shared strings
MAX_STRING_CHARS = 20_000_000  # characters of all shared strings together
CHUNK = 1 << 16

TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"


class TooBig(Exception):
    """Raised with the Chinese reason; workbook_read turns it into J603."""


class Malformed(Exception):
    """XML that is no workbook part (a DTD, bad syntax); workbook_read turns it into J601."""


@dataclass
class SheetFacts:
    name: str
    hidden: bool = False
    rows: int = 0  # the range the filled cells span: rows × columns from A1
    columns: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # clipped, 0-based, inclusive
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)  # (row, column) 0-based


def _limit(what: str, **values) -> TooBig:
    return TooBig(WORKBOOK_LIMITS[what].format(**values))


def _parser(start=None, end=None, text=None) -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True

    def no_dtd(*_args):
        raise Malformed("DTD")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd
    if start:
        parser.StartElementHandler = start
    if end:
        parser.EndElementHandler = end
    if text:
        parser.CharacterDataHandler = text
    return parser


def _feed(parser, stream) -> None:
    try:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise Malformed(str(exc)) from None


_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")


def cell_index(ref: str) -> tuple[int, int] | None:
    """'B5' → (4, 1); None for anything else."""
    match = _REF.fullmatch(ref.strip())
    if not match:
        return None
    column = 0
    for letter in match[1].upper():
        column = column * 26 + ord(letter) - 64
    return int(match[2]) - 1, column - 1


def _range(ref: str) -> tuple[int, int, int, int] | None:
    first, _, last = ref.partition(":")
    a, b = cell_index(first), cell_index(last or first)
    if a is None or b is None:
        return None
    return min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])


def clip(merges, rows: int, columns: int, sheet: str) -> list[tuple[int, int, int, int]]:
    """Merged ranges cut to the filled range (beyond it they hold nothing), their cells capped."""
    kept, covered = [], 0
    for r0, c0, r1, c1 in merges:
        if r0 >= rows or c0 >= columns:
            continue
        r1, c1 = min(r1, rows - 1), min(c1, columns - 1)
        covered += (r1 - r0 + 1) * (c1 - c0 + 1)
        if covered > MAX_MERGED_CELLS:
            raise _limit("merged", sheet=sheet, limit=MAX_MERGED_CELLS)
        kept.append((r0, c0, r1, c1))
    return kept


# ---- .xlsx ---------------------------------------------------------------------------------------


def _sheets(archive: zipfile.ZipFile) -> list[tuple[str, str, bool]]:
    """(name, part, hidden) of each worksheet, in the workbook's order."""
    targets: dict[str, str] = {}

    def rel(name, attrs):
        if name.rpartition(" ")[2] == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    if "xl/_rels/workbook.xml.rels" in archive.namelist():
        with archive.open("xl/_rels/workbook.xml.rels") as stream:
            _feed(_parser(start=rel), stream)
    sheets = []

    def sheet(name, attrs):
        if name.rpartition(" ")[2] == "sheet":
            rid = next((value for key, value in attrs.items() if key.rpartition(" ")[2] == "id" and " " in key), "")
            target = targets.get(rid, "")
            part = target.lstrip("/") if target.startswith("/") else "xl/" + target
            sheets.append((attrs.get("name", ""), re.sub(r"/[^/]+/\.\./", "/", part), attrs.get("state", "visible") != "visible"))

    with archive.open("xl/workbook.xml") as stream:
        _feed(_parser(start=sheet), stream)
    return sheets


@dataclass
class _Scan:
    facts: SheetFacts
    written: int = 0
    filled: int = 0
    row: int = -1
    column: int = -1
    cell: tuple[int, int] | None = None
    cell_filled: bool = False
    has_formula: bool = False
    has_value: bool = False
    in_value: bool = False
    merge_start: int | None = None  # byte offsets of <mergeCells>…</mergeCells>
    merge_end: int | None = None
    raw_merges: list = field(default_factory=list)
    book_written: int = 0


def _scan_sheet(archive: zipfile.ZipFile, part: str, facts: SheetFacts, before: int) -> tuple[_Scan, int]:
    scan = _Scan(facts, book_written=before)
    parser = _parser()

    def start(name, attrs):
        _, _, local = name.rpartition(" ")
        if local == "c":
            scan.written += 1
            if scan.written > MAX_WRITTEN_CELLS:
                raise _limit("written", sheet=facts.name, limit=MAX_WRITTEN_CELLS)
            if scan.book_written + scan.written > MAX_BOOK_CELLS:
                raise _limit("book", limit=MAX_BOOK_CELLS)
            where = cell_index(attrs.get("r", "")) if "r" in attrs else None
            scan.cell = where or (scan.row, scan.column + 1)
            scan.row, scan.column = scan.cell
            scan.cell_filled = attrs.get("t") == "inlineStr"
            scan.has_formula = scan.has_value = False
        elif local == "row":
            row = attrs.get("r", "")
            scan.row = int(row) - 1 if row.isdigit() else scan.row + 1
            scan.column = -1
        elif local == "v":
            scan.in_value = True
        elif local == "f":
            scan.has_formula = True
        elif local == "mergeCells":
            scan.merge_start = parser.CurrentByteIndex
        elif local == "mergeCell":
            if len(scan.raw_merges) >= MAX_MERGES:
                raise _limit("merges", sheet=facts.name, limit=MAX_MERGES)
            found = _range(attrs.get("ref", ""))
            if found:
                scan.raw_merges.append(found)

    def end(name):
        _, _, local = name.rpartition(" ")
        if local == "c" and scan.cell is not None:
            if scan.has_formula and not scan.has_value:
                facts.formulas_without_value.append(scan.cell)
            if scan.cell_filled:
                scan.filled += 1
                if scan.filled > MAX_FILLED_CELLS:
                    raise _limit("filled", sheet=facts.name, limit=MAX_FILLED_CELLS)
                facts.rows = max(facts.rows, scan.cell[0] + 1)
                facts.columns = max(facts.columns, scan.cell[1] + 1)
            scan.cell = None
        elif local == "v":
            scan.in_value = False
        elif local == "mergeCells":
            scan.merge_end = parser.CurrentByteIndex

    def text(data):
        if scan.in_value and data.strip():  # openpyxl writes a formula's missing value as <v/>
            scan.has_value = scan.cell_filled = True

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    with archive.open(part) as stream:
        _feed(parser, stream)
    if facts.rows * facts.columns > MAX_AREA * 50:  # openpyxl keeps cells sparse; only absurd extents
        raise _limit("area", sheet=facts.name, rows=facts.rows, columns=facts.columns)
    facts.merges = clip(scan.raw_merges, facts.rows, facts.columns, facts.name)
    return scan, before + scan.written


def _shared_strings(archive: zipfile.ZipFile) -> None:
    if "xl/sharedStrings.xml" not in archive.namelist():
        return
    count = chars = 0

    def start(name, attrs):
        nonlocal count
        if name.rpartition(" ")[2] == "si":
            count += 1
            if count > MAX_STRINGS:
                raise _limit("strings", limit=MAX_STRINGS)

    def text(data):
        nonlocal chars
        chars += len(data)
        if chars > MAX_STRING_CHARS:
            raise _limit("string_chars", limit=MAX_STRING_CHARS)

    with archive.open("xl/sharedStrings.xml") as stream:
        _feed(_parser(start=start, text=text), stream)


def _without(archive: zipfile.ZipFile, part: str, start: int, end: int) -> bytes:
    """The part with bytes [start, end) and the end tag at `end` left out: its <mergeCells> element."""
    out = io.BytesIO()
    with archive.open(part) as stream:
        out.write(stream.read(start))
        stream.read(end - start)
        rest = stream.read(CHUNK)
        out.write(rest[rest.index(b">") + 1 :] if b">" in rest else rest)  # the end tag itself
        while chunk := stream.read(CHUNK):
            out.write(chunk)
    return out.getvalue()


def guard_xlsx(data: bytes) -> tuple[bytes, dict[str, SheetFacts]]:
    """The workbook as openpyxl may read it (merged ranges taken out), and each sheet's facts by name."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        _shared_strings(archive)
        names = set(archive.namelist())
        facts: dict[str, SheetFacts] = {}
        cuts: dict[str, tuple[int, int]] = {}
        written = filled = 0
        for name, part, hidden in _sheets(archive):
            if part not in names:
                continue
            sheet = facts[name] = SheetFacts(name, hidden)
            scan, written = _scan_sheet(archive, part, sheet, written)
            filled += scan.filled
            if filled > MAX_BOOK_FILLED:
                raise _limit("book_filled", limit=MAX_BOOK_FILLED)
            if scan.merge_start is not None:  # <mergeCells/> ends where it starts
                cuts[part] = (scan.merge_start, max(scan.merge_end or scan.merge_start, scan.merge_start))
        if not cuts:
            return data, facts
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as copy:
            for info in archive.infolist():
                if info.filename in cuts:
                    copy.writestr(info.filename, _without(archive, info.filename, *cuts[info.filename]))
                else:
                    with archive.open(info) as source, copy.open(info.filename, "w") as target:
                        while chunk := source.read(CHUNK):
                            target.write(chunk)
        return out.getvalue(), facts


# ---- .ods ----------------------------------------------------------------------------------------


def guard_ods(data: bytes) -> dict[str, SheetFacts]:
    """Each table's facts, repeats counted as the cells they stand for, before calamine expands them."""
    facts: dict[str, SheetFacts] = {}
    state = {"sheet": None, "row": 0, "column": 0, "row_repeat": 1, "filled": 0, "row_filled": [], "in_cell": 0, "book": 0}
    raw: list = []
    hidden_styles: set[str] = set()
    style = {"name": ""}

    def number(attrs, name) -> int:
        value = attrs.get(f"{TABLE} {name}", "1")
        return int(value) if value.isdigit() and int(value) > 0 else 1

    def start(name, attrs):
        if name == f"{STYLE} style":
            style["name"] = attrs.get(f"{STYLE} name", "")
        elif name == f"{STYLE} table-properties" and attrs.get(f"{TABLE} display") == "false":
            hidden_styles.add(style["name"])
        if name == f"{TABLE} table":
            sheet = SheetFacts(attrs.get(f"{TABLE} name", ""))
            sheet.hidden = attrs.get(f"{TABLE} style-name") in hidden_styles
            facts[sheet.name] = sheet
            state.update(sheet=sheet, row=0, filled=0)
            raw.clear()
        elif state["sheet"] is None:
            return
        elif name == f"{TABLE} table-row":
            state.update(column=0, row_repeat=number(attrs, "number-rows-repeated"), row_filled=[])
        elif name in (f"{TABLE} table-cell", f"{TABLE} covered-table-cell"):
            repeat = number(attrs, "number-columns-repeated")
            filled = f"{OFFICE} value-type" in attrs
            if f"{TABLE} formula" in attrs and not filled:
                state["sheet"].formulas_without_value.append((state["row"], state["column"]))
            state["cell"] = [state["column"], repeat, filled]
            rows_spanned, columns_spanned = number(attrs, "number-rows-spanned"), number(attrs, "number-columns-spanned")
            if (rows_spanned > 1 or columns_spanned > 1) and name == f"{TABLE} table-cell":
                if len(raw) >= MAX_MERGES:
                    raise _limit("merges", sheet=state["sheet"].name, limit=MAX_MERGES)
                raw.append((state["row"], state["column"], state["row"] + rows_spanned - 1, state["column"] + columns_spanned - 1))
            state["column"] += repeat
            state["in_cell"] = 1
        elif state["in_cell"] and name.startswith("urn:oasis:names:tc:opendocument:xmlns:text:1.0 "):
            state["cell"][2] = True  # text in the cell

    def end(name):
        sheet = state["sheet"]
        if sheet is None:
            return
        if name in (f"{TABLE} table-cell", f"{TABLE} covered-table-cell"):
            column, repeat, filled = state.pop("cell")
            state["in_cell"] = 0
            if filled:
                state["row_filled"].append((column, repeat))
        elif name == f"{TABLE} table-row":
            repeat = state["row_repeat"]
            if state["row_filled"]:
                cells = sum(count for _, count in state["row_filled"]) * repeat
                state["filled"] += cells
                state["book"] += cells
                if state["filled"] > MAX_FILLED_CELLS:
                    raise _limit("filled", sheet=sheet.name, limit=MAX_FILLED_CELLS)
                if state["book"] > MAX_BOOK_FILLED:
                    raise _limit("book_filled", limit=MAX_BOOK_FILLED)
                sheet.rows = state["row"] + repeat
                sheet.columns = max(sheet.columns, max(column + count for column, count in state["row_filled"]))
                if sheet.rows * sheet.columns > MAX_AREA:
                    raise _limit("area", sheet=sheet.name, rows=sheet.rows, columns=sheet.columns)
            state["row"] += repeat
        elif name == f"{TABLE} table":
            sheet.merges = clip(raw, sheet.rows, sheet.columns, sheet.name)
            state["sheet"] = None
            state["area"] = state.get("area", 0) + sheet.rows * sheet.columns
            if state["area"] > MAX_BOOK_AREA:
                raise _limit("book_area", limit=MAX_BOOK_AREA)

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if "content.xml" in archive.namelist():
            with archive.open("content.xml") as stream:
                _feed(_parser(start=start, end=end), stream)
    return facts
