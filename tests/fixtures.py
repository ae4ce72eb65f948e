"""Shared test helpers: synthetic declarations of any size, and reading a rendered PDF back.

Synthetic declarations (`synthetic_declaration`, `declaration_yaml`) are deterministic: the same
arguments always give the same YAML text, byte for byte. They pass `jixiao validate` with no error
and no warning: amounts add up, every 二级指标 is an official one under its 一级, every 三级 name
and value is unique (so a test can look for each one), every value has a unit.

The PDF readers use the real tools: pdftotext -bbox for word boxes, pdffonts, and pypdf for the
ruled lines of the tables and the text runs' positions (`pdf_runs_and_rules`). `read_layout`
rebuilds each page as table cells (the rectangles the ruled lines enclose) holding their text, so a
check can ask "is this cell's text there, whole, in this column, on this page, after that one"
without depending on the reading order pdftotext guesses for a table; `Layout.match` follows a cell
that a page break split into the same column on the next page.

Import as `from fixtures import ...` (pytest puts tests/ on sys.path for the test modules).
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
SEED_YAML = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
SEED_TXT = Path(__file__).resolve().parent / "data" / "seed.txt"

# ---- synthetic declarations (one copy, in tools/corpus.py, beside the bureau-corpus generator) ----

sys.path.insert(0, str(ROOT / "tools"))
from corpus import (  # noqa: E402
    DEFAULT_GROUPS,
    IndicatorRow,
    Synthetic,
    SyntheticTask,
    declaration_yaml,
    synthetic_declaration,
)

__all__ = ["DEFAULT_GROUPS", "IndicatorRow", "Synthetic", "SyntheticTask", "declaration_yaml", "synthetic_declaration"]


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the only line containing `needle`."""
    found = [n for n, line in enumerate(text.split("\n"), 1) if needle in line]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def replace_once(text: str, old: str, new: str) -> str:
    """A small edit of a known-good file: `old` must stand there exactly once."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def only(found):
    """The one problem a check found (the list printed when there are more or none)."""
    found = list(found)
    assert len(found) == 1, [p.format() for p in found]
    return found[0]


# ---- reading a PDF back -----------------------------------------------------------------------


def squash(text: str) -> str:
    """Text with every kind of whitespace removed: line breaks in a PDF are where the cell was full."""
    return re.sub(r"\s+", "", text)


def run(*args: str) -> str:
    return subprocess.run(list(args), capture_output=True, text=True, check=True, timeout=120).stdout


def pdf_text(path: Path, first: int | None = None, last: int | None = None) -> str:
    """pdftotext's text of the whole file or of pages first..last."""
    args = ["pdftotext", "-enc", "UTF-8"]
    if first is not None:
        args += ["-f", str(first), "-l", str(last if last is not None else first)]
    return run(*args, str(path), "-")


@dataclass(frozen=True)
class FontRow:
    name: str
    type: str
    embedded: bool
    subset: bool
    unicode: bool


def pdffonts(path: Path) -> list[FontRow]:
    lines = run("pdffonts", str(path)).splitlines()
    assert lines[0].split()[:2] == ["name", "type"] and lines[1].startswith("---"), lines[:2]
    rows = []
    for line in lines[2:]:
        parts = line.split()
        # name, type (may contain spaces), encoding, emb, sub, uni, object, ID
        emb, sub, uni = parts[-5:-2]
        rows.append(FontRow(parts[0], " ".join(parts[1:-6]), emb == "yes", sub == "yes", uni == "yes"))
    return rows


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    x0: float
    y0: float  # from the top of the page, as pdftotext reports it
    x1: float
    y1: float
    text: str

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def cy(self) -> float:
        return (self.y0 + self.y1) / 2


def pdf_words(path: Path) -> tuple[list[tuple[float, float]], list[Word]]:
    """(page sizes, every word with its box) from pdftotext -bbox."""
    xml = run("pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-")
    root = ET.fromstring(xml)
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    sizes, words = [], []
    for number, page in enumerate(root.iter("{http://www.w3.org/1999/xhtml}page"), 1):
        sizes.append((float(page.get("width")), float(page.get("height"))))
        for word in page.findall("h:word", ns):
            words.append(
                Word(number, *(float(word.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")), word.text or "")
            )
    return sizes, words


@dataclass(frozen=True)
class Run:
    """A piece of text as pypdf's visitor reports it: its baseline origin, from the top of the page."""

    page: int
    x: float
    y: float
    size: float
    font: str
    text: str


def _multiply(m: Sequence[float], n: Sequence[float]) -> list[float]:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return [a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F]


def pdf_runs_and_rules(data: bytes):
    """Per page: the text runs (pypdf visitor_text) and the ruled lines (m … l in the content stream).

    Rules come back as ('v', x, y_top, y_bottom) or ('h', y, x_left, x_right), in points from the
    top-left corner, like pdftotext's word boxes.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = []
    for number, page in enumerate(reader.pages, 1):
        height = float(page.mediabox.height)
        runs: list[Run] = []
        segments: list[tuple[float, float, float, float]] = []
        start: list[float | None] = [None]

        def point(x: float, y: float, cm) -> tuple[float, float]:
            a, b, c, d, e, f = cm
            return a * x + c * y + e, height - (b * x + d * y + f)

        def before(operator, operands, cm, tm):
            if operator == b"m":
                start[0] = point(float(operands[0]), float(operands[1]), cm)
            elif operator == b"l" and start[0] is not None:
                end = point(float(operands[0]), float(operands[1]), cm)
                segments.append((*start[0], *end))
                start[0] = end

        def text(content, cm, tm, font, size):
            if not content.strip():
                return
            m = _multiply(tm, cm)
            name = str(font.get("/BaseFont", "")) if font else ""
            scale = (m[2] ** 2 + m[3] ** 2) ** 0.5  # the font size in points after both matrices
            runs.append(Run(number, m[4], height - m[5], size * scale, name, content))

        page.extract_text(visitor_text=text, visitor_operand_before=before)
        vertical = [(x0, min(y0, y1), max(y0, y1)) for x0, y0, x1, y1 in segments if abs(x0 - x1) < 0.01]
        horizontal = [(y0, min(x0, x1), max(x0, x1)) for x0, y0, x1, y1 in segments if abs(y0 - y1) < 0.01]
        rules = [("v", *r) for r in _merge(vertical)] + [("h", *r) for r in _merge(horizontal)]
        pages.append((runs, rules))
    return pages


def _merge(segments: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Collinear segments (same position within 0.1 pt) that touch or overlap, joined into one line:
    WeasyPrint draws a table's rules cell edge by cell edge."""
    merged: list[list[float]] = []
    for at, start, end in sorted(segments, key=lambda s: (round(s[0], 1), s[1])):
        last = merged[-1] if merged else None
        if last and round(last[0], 1) == round(at, 1) and start <= last[2] + 1.0:
            last[2] = max(last[2], end)
        else:
            merged.append([at, start, end])
    return [tuple(m) for m in merged]


@dataclass
class Cell:
    """A rectangle enclosed by ruled lines on one page and the words inside it, in reading order;
    or, `loose`, a run of words on one line outside every table (the title, the footer)."""

    page: int
    left: float
    top: float
    right: float
    bottom: float
    words: list[Word] = field(default_factory=list)
    loose: bool = False

    @property
    def text(self) -> str:
        return squash("".join(w.text for w in self.words))

    def column(self) -> tuple[float, float]:
        return (round(self.left, 1), round(self.right, 1))


@dataclass
class Layout:
    """A rendered PDF as pages of cells, in reading order: page, then top edge, then left edge."""

    sizes: list[tuple[float, float]]
    words: list[Word]
    runs: list[Run]
    cells: list[Cell]

    @property
    def pages(self) -> int:
        return len(self.sizes)

    def page_cells(self, page: int) -> list[Cell]:
        return [c for c in self.cells if c.page == page]

    def find(self, text: str) -> list[Cell]:
        """Cells whose whole text is `text` (whitespace ignored)."""
        want = squash(text)
        return [c for c in self.cells if c.text == want]

    def match(self, text: str, start: int = 0) -> tuple[int, list[Cell]] | None:
        """The first cell at or after index `start` holding `text` whole, or the cells holding it split
        over page breaks (its start on page p, the rest in the same column on page p+1, …).
        Returns the index of the (first) cell and the cells; None if there is none."""
        want = squash(text)
        if not want:
            return None
        for index in range(start, len(self.cells)):
            got = self.cells[index].text
            if got == want:
                return index, [self.cells[index]]
            if got and want.startswith(got):
                chain = self._continue(self.cells[index], want[len(got):])
                if chain is not None:
                    return index, [self.cells[index], *chain]
        return None

    def _continue(self, cell: Cell, rest: str) -> list[Cell] | None:
        for nxt in self.page_cells(cell.page + 1):
            if nxt.loose or nxt.column() != cell.column() or not nxt.text:
                continue
            if nxt.text == rest:
                return [nxt]
            if rest.startswith(nxt.text):
                more = self._continue(nxt, rest[len(nxt.text):])
                if more is not None:
                    return [nxt, *more]
        return None


def _cell_of(word: Word, rules) -> tuple[float, float, float, float] | None:
    """The rectangle of ruled lines closest around a word's centre, or None outside any table.

    A row broken by a page break has no rule under it on the first page (nor has the open column
    under the tasks' row label): there the cell ends where its side rules end.
    """
    cx, cy = word.cx, word.cy
    slack = 1.0
    lefts = [r for r in rules if r[0] == "v" and r[1] < cx and r[2] - slack <= cy <= r[3] + slack]
    rights = [r for r in rules if r[0] == "v" and r[1] > cx and r[2] - slack <= cy <= r[3] + slack]
    if not (lefts and rights):
        return None
    left = max(lefts, key=lambda r: r[1])
    right = min(rights, key=lambda r: r[1])
    tops = [r[1] for r in rules if r[0] == "h" and r[1] < cy and r[2] - slack <= cx <= r[3] + slack]
    bottoms = [r[1] for r in rules if r[0] == "h" and r[1] > cy and r[2] - slack <= cx <= r[3] + slack]
    top = max([*tops, max(left[2], right[2])])
    bottom = min([*bottoms, min(left[3], right[3])])
    return left[1], top, right[1], bottom


def _lines(words: list[Word]) -> list[list[Word]]:
    """Words grouped into lines (centres within 3 pt), top to bottom, each line left to right."""
    lines: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.cy, w.x0)):
        if lines and abs(lines[-1][0].cy - word.cy) <= 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def read_layout(path: Path) -> Layout:
    """Rebuild the tables of a PDF from its ruled lines and word boxes."""
    data = Path(path).read_bytes()
    sizes, words = pdf_words(path)
    pages = pdf_runs_and_rules(data)
    assert len(pages) == len(sizes)
    cells: dict[tuple, Cell] = {}
    loose: dict[int, list[Word]] = {}
    for word in words:
        rect = _cell_of(word, pages[word.page - 1][1])
        if rect is None:
            loose.setdefault(word.page, []).append(word)
            continue
        key = (word.page, *(round(v, 1) for v in rect))
        cells.setdefault(key, Cell(word.page, *rect)).words.append(word)
    found = list(cells.values())
    for cell in found:
        cell.words = [w for line in _lines(cell.words) for w in line]
    for page, page_words in loose.items():
        for line in _lines(page_words):
            # Words on one line a gap of less than two line heights apart read as one run.
            run_ = [line[0]]
            for word in line[1:]:
                if word.x0 - run_[-1].x1 < 2 * (word.y1 - word.y0):
                    run_.append(word)
                else:
                    found.append(_loose_cell(page, run_))
                    run_ = [word]
            found.append(_loose_cell(page, run_))
    found.sort(key=lambda c: (c.page, round(c.top, 1), round(c.left, 1)))
    runs = [run for page_runs, _rules in pages for run in page_runs]
    return Layout(sizes=sizes, words=words, runs=runs, cells=found)


def _loose_cell(page: int, words: list[Word]) -> Cell:
    return Cell(
        page, min(w.x0 for w in words), min(w.y0 for w in words), max(w.x1 for w in words),
        max(w.y1 for w in words), list(words), loose=True,
    )


# ---- the seed's reference text ---------------------------------------------------------------


def seed_reference(path: Path = SEED_TXT) -> list[list[str]]:
    """tests/data/seed.txt as rows of non-empty cells: <p> tags stripped, whitespace squashed out.

    The dump flattens merged cells (an empty cell stands where a merged one continues) and shifts two
    indicator rows by a column (see the design notes); dropping the empty cells keeps every row's
    cells in their reading order, which is what a check of order needs.
    """
    rows = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        cells = [squash(re.sub(r"</?p>", "", cell)) for cell in line.split("\t")]
        cells = [re.sub(r"^#+", "", cell) for cell in cells]  # the dump marks the title as a heading
        cells = [cell for cell in cells if cell]
        if cells:
            rows.append(cells)
    return rows


# An empty key the skeleton of `jixiao new` leaves for the user, with its comment kept.
EMPTY_KEY = re.compile(r"^(?P<lead>\s*(?:- )?)(?P<key>[a-z_0-9]+):(?P<gap>[ \t]*)(?P<rest>(?:>-\s*)?(?:#.*)?)$")


def fill_skeleton(skeleton: str, fill: dict[str, list[str]]) -> str:
    """Type a value after every empty key of a skeleton, in the order the keys appear, keeping every
    comment; `fill` maps a key to the values it takes, one per occurrence, and all must be used."""
    todo = {key: list(values) for key, values in fill.items()}
    out = skeleton.split("\n")
    for i, line in enumerate(out):
        match = EMPTY_KEY.match(line)
        if not match or not todo.get(match["key"]):
            continue
        value = todo[match["key"]].pop(0)
        if match["rest"].startswith(">-"):
            # A folded block: the skeleton leaves an indented blank line for the text.
            assert out[i + 1].strip() == "", out[i + 1]
            out[i + 1] = out[i + 1] + value
        else:
            out[i] = f"{match['lead']}{match['key']}: {value}{match['gap']}{match['rest']}"
    assert all(not values for values in todo.values()), f"skeleton had fewer empty keys than expected: {todo}"
    return "\n".join(out)
