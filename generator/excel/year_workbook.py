"""A year's workbook put together from its documents' own workbooks instead of written cell by cell.

openpyxl writes a sheet in about 4.5 ms; a year of 550 forms took 2.5 s, after every one-file
change. Each document's workbook (output/xlsx/<location>.xlsx) already holds its sheet as XML, with
its text inline (openpyxl writes no shared strings) and its cells' styles as numbers into that
workbook's style table. The year's workbook is openpyxl's own, written with every sheet empty
(the titles, print titles and everything else of the workbook as openpyxl makes them), into which
each document's sheet is put with its style numbers mapped onto one style table, the union of all.

It is used only where that is sure to give the same workbook as openpyxl's: a document's workbook
holding anything else (shared strings, links, drawings, defined names other than print titles)
sends the whole year back to openpyxl (assembled() returns None). tests/test_xlsx.py compares the
two cell by cell."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence

# The parts a one-sheet workbook of openpyxl's has; any other means a feature this does not map.
PARTS = {
    "[Content_Types].xml", "_rels/.rels", "docProps/app.xml", "docProps/core.xml", "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/theme/theme1.xml", "xl/worksheets/sheet1.xml",
}
LISTS = (("numFmts", "numFmt"), ("fonts", "font"), ("fills", "fill"), ("borders", "border"), ("cellXfs", "xf"))
CUSTOM_FORMATS = 164  # number formats below are Excel's built-in ones, the same in every workbook
_DEFINED = re.compile(r"<definedName ([^>]*)>([^<]*)</definedName>")
_TITLES = re.compile(r"'(?:[^']|'')*'!\$(\d+):\$(\d+)|[^!']+!\$(\d+):\$(\d+)")
_CELL_STYLE = re.compile(r'(<c r="[A-Z]+[0-9]+" s=")([0-9]+)(")')


_STYLED_CELL = re.compile(r'<c [^>]*\ss="')
_ROW_OR_COLUMN_STYLE = re.compile(r'<row [^>]*\ss="|<col [^>]*\sstyle="')


def _rest(styles: str) -> str:
    """A styles.xml without the lists StyleUnion maps: what must be the same in every workbook."""
    for name, _ in LISTS:
        styles = re.sub(rf"<{name} count=\"[0-9]+\"\s*/>|<{name} count=\"[0-9]+\">.*?</{name}>", "", styles, count=1, flags=re.S)
    return styles


def _section(styles: str, name: str) -> list[str]:
    """The elements of one list of a styles.xml (<fonts count="3"><font>…</font>…</fonts>), as written."""
    found = re.search(rf"<{name} count=\"[0-9]+\"\s*/>|<{name} count=\"[0-9]+\">(.*?)</{name}>", styles, re.S)
    if found is None:
        raise ValueError(name)
    body = found.group(1) or ""
    item = dict(LISTS)[name]
    elements = re.findall(rf"<{item}\b[^>]*/>|<{item}\b[^>]*>.*?</{item}>", body, re.S)
    if "".join(elements) != body:
        raise ValueError(name)
    return elements


class StyleUnion:
    """One style table holding every document's styles; each document's style numbers mapped onto it."""

    def __init__(self, styles: str):
        self.template = styles
        self.lists: dict[str, list[str]] = {name: [] for name, _ in LISTS}
        self.index: dict[str, dict[str, int]] = {name: {} for name, _ in LISTS}
        self.add(styles)

    def _put(self, name: str, element: str) -> int:
        known = self.index[name]
        if element not in known:
            known[element] = len(self.lists[name])
            self.lists[name].append(element)
        return known[element]

    def add(self, styles: str) -> dict[int, int]:
        """A document's styles.xml taken in: its cell style numbers → the union's."""
        formats = {}
        for element in _section(styles, "numFmts"):
            number = int(re.search(r'numFmtId="([0-9]+)"', element)[1])
            code = re.search(r'formatCode="([^"]*)"', element)[1]
            known = [re.search(r'formatCode="([^"]*)"', e)[1] for e in self.lists["numFmts"]]
            new = CUSTOM_FORMATS + (known.index(code) if code in known else len(known))
            formats[number] = new
            self._put("numFmts", f'<numFmt numFmtId="{new}" formatCode="{code}" />')
        maps = {
            "fontId": [self._put("fonts", e) for e in _section(styles, "fonts")],
            "fillId": [self._put("fills", e) for e in _section(styles, "fills")],
            "borderId": [self._put("borders", e) for e in _section(styles, "borders")],
        }

        def mapped(match: re.Match) -> str:
            attribute, value = match[1], int(match[2])
            if attribute == "numFmtId":
                value = formats.get(value, value) if value >= CUSTOM_FORMATS else value
            else:
                value = maps[attribute][value]
            return f'{attribute}="{value}"'

        cells = {}
        for number, element in enumerate(_section(styles, "cellXfs")):
            head, rest = re.match(r"(<xf\b[^>]*>)(.*)", element, re.S).groups()
            head = re.sub(r'\b(numFmtId|fontId|fillId|borderId)="([0-9]+)"', mapped, head)
            cells[number] = self._put("cellXfs", head + rest)
        return cells

    def xml(self) -> str:
        styles = self.template
        for name, _ in LISTS:
            items = self.lists[name]
            whole = f'<{name} count="{len(items)}">{"".join(items)}</{name}>' if items else f'<{name} count="0" />'
            styles = re.sub(rf"<{name} count=\"[0-9]+\"\s*/>|<{name} count=\"[0-9]+\">.*?</{name}>", lambda _m: whole, styles, count=1, flags=re.S)
        return styles


def _print_titles(workbook_xml: str) -> str | None:
    """The rows a one-sheet workbook repeats on every printed page ("1:3"), None for none; raises
    ValueError for any other defined name."""
    rows = None
    for attributes, value in _DEFINED.findall(workbook_xml):
        if 'name="_xlnm.Print_Titles"' not in attributes or 'localSheetId="0"' not in attributes:
            raise ValueError(attributes)
        found = _TITLES.fullmatch(value)
        if found is None:
            raise ValueError(value)
        first, last = found[1] or found[3], found[2] or found[4]
        rows = f"{first}:{last}"
    return rows


def assembled(titles: Sequence[str], books: Sequence[bytes], stamp) -> bytes | None:
    """The year's workbook: a sheet titled titles[i] made of books[i]'s (a one-sheet workbook of
    openpyxl's, written by excel/write.py); None when a book holds what this cannot carry over."""
    from openpyxl import Workbook

    from generator.excel.write import save_deterministic

    sheets, styles_of, titled = [], [], []
    try:
        for book in books:
            with zipfile.ZipFile(io.BytesIO(book)) as archive:
                if set(archive.namelist()) != PARTS:
                    return None
                sheets.append(archive.read("xl/worksheets/sheet1.xml").decode("utf-8"))
                styles_of.append(archive.read("xl/styles.xml").decode("utf-8"))
                titled.append(_print_titles(archive.read("xl/workbook.xml").decode("utf-8")))
    except (ValueError, KeyError, zipfile.BadZipFile, UnicodeDecodeError):
        return None
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in zip(titles, titled, strict=True):
        sheet = workbook.create_sheet(title)
        if rows:
            sheet.print_title_rows = rows
    skeleton = save_deterministic(workbook, stamp)
    try:
        with zipfile.ZipFile(io.BytesIO(skeleton)) as archive:
            union = StyleUnion(archive.read("xl/styles.xml").decode("utf-8"))
            parts = {}
            for number, (sheet, styles) in enumerate(zip(sheets, styles_of), start=1):
                if _rest(styles) != _rest(union.template) or _ROW_OR_COLUMN_STYLE.search(sheet):
                    return None  # named styles, row or column styles: not mapped here
                cells = union.add(styles)
                sheet, mapped = _CELL_STYLE.subn(lambda m, cells=cells: f"{m[1]}{cells[int(m[2])]}{m[3]}", sheet)
                if mapped != len(_STYLED_CELL.findall(sheet)):
                    return None  # a styled cell written otherwise than <c r=… s=…>
                parts[f"xl/worksheets/sheet{number}.xml"] = sheet.encode("utf-8")
            parts["xl/styles.xml"] = union.xml().encode("utf-8")
            out = io.BytesIO()
            with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as made:
                for info in archive.infolist():
                    made.writestr(info, parts.get(info.filename) or archive.read(info.filename))
    except (ValueError, KeyError, TypeError):
        return None
    return out.getvalue()
