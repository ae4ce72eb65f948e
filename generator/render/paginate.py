"""Page breaks a table layout cannot make by itself: merged labels repeated on every page a group of
rows runs over, a long row cut into one row per page with its labels repeated, and a small group
moved to the next page whole rather than split.

WeasyPrint lays out a rowspan cell once, where its rows begin: the rows it spans on the next page
get a blank column. And a row broken at a page foot carries its label cells on the first page only.
So the document is laid out, the pages are read back (which marked row lands on which page), and
the rows are cut where the pages begin, each piece with its own labels; then it is laid out again.
The plan only grows, and a cut is made where the page already broke, so the second layout puts
every row where the first one did: usually the second layout is the last.

The templates say what may be cut, with data attributes, and nothing else here knows the form:

- `data-pg-group="KEY"` on a row group (tbody): its rows, each named `data-pg-index="NAME"` (unique
  in the group and the same in every layout), may be cut into pieces, one a page, each piece a row
  group of its own with the same key. A piece after the first repeats the group's labels.
  `data-pg-keep` on it: a group that fits on a page is moved there whole rather than cut
  (WeasyPrint ignores `break-inside: avoid` on the first row group of a table with a header, and
  would end a page with the header and one row).
- `data-pg-row="KEY"` on a row: it may be cut inside, at a line boundary, into one row a page. Its
  cells marked `data-pg-flow="NAME"` hold text that flows on (the piece's text begins at character
  `data-pg-offset`, 0 if absent); cells marked `data-pg-label` are repeated on every piece and must
  fit whole beside the first piece's text, else the row moves to the next page whole.
- A piece that must begin a page has the class `pg-break` (the stylesheet gives it `break-before:
  page`), on the piece itself or, for the first group of a table, on the table.

A `Plan` says where pieces begin; `cut_rows` and `cut_flows` turn it into pieces for a template.
Offsets count characters that are not white space, in the text of the HTML (the same text the
layout shows: markers and other generated content are not counted).
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Callable, Iterable, Iterator, Mapping, Sequence

from markupsafe import Markup

GROUP = "data-pg-group"
INDEX = "data-pg-index"
KEEP = "data-pg-keep"
ROW = "data-pg-row"
FLOW = "data-pg-flow"
OFFSET = "data-pg-offset"
LABEL = "data-pg-label"
BREAK_CLASS = "pg-break"
CONTINUED_CLASS = "pg-cont"

# Layouts per document at most: the first, and up to three with a plan. Each layout after the first
# settles everything up to the first change that moves what follows it (a group or row moved whole).
MAX_LAYOUTS = 4


# ---- the plan -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Where pieces begin. groups: key → names of the rows that begin a page (the first row's: the
    group moves to a new page whole). rows: key → for each piece after the first, the offset in each
    flow where it begins (all 0: the row moves to a new page whole)."""

    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    rows: Mapping[str, tuple[tuple[tuple[str, int], ...], ...]] = field(default_factory=dict)

    def starts(self, key: str) -> tuple[str, ...]:
        return tuple(self.groups.get(key, ()))

    def cuts(self, key: str) -> list[dict[str, int]]:
        return [dict(cut) for cut in self.rows.get(key, ())]

    def __bool__(self) -> bool:
        return bool(self.groups or self.rows)


def _freeze_cut(cut: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(cut.items()))


# ---- pieces for the templates ---------------------------------------------------------------------


@dataclass(frozen=True)
class RowsPiece:
    """Rows start..end-1 of a group; `continued`: not its first piece; `break_before`: begins a page."""

    start: int
    end: int
    continued: bool
    break_before: bool


def cut_rows(names: Sequence[str], starts: Iterable[str]) -> list[RowsPiece]:
    """A group whose rows are `names` cut before each row named in `starts` (the first row's name:
    the whole group begins a page). Pieces hold positions in `names`."""
    starts = set(starts)
    bounds = sorted(i for i, name in enumerate(names) if i > 0 and name in starts)
    edges = [0, *bounds, len(names)]
    return [
        RowsPiece(a, b, continued=i > 0, break_before=i > 0 or bool(names) and names[0] in starts)
        for i, (a, b) in enumerate(zip(edges, edges[1:]))
    ]


@dataclass(frozen=True)
class FlowsPiece:
    """One row's piece: each flow's HTML and the offset it begins at."""

    flows: dict[str, Markup]
    offsets: dict[str, int]
    continued: bool
    break_before: bool


def cut_flows(flows: Mapping[str, str], cuts: Sequence[Mapping[str, int]]) -> list[FlowsPiece]:
    """Cut each flow (HTML) at the offsets in `cuts`, one piece per cut plus the first.

    A cut at offset 0 in every flow, first in the list, moves the row to a new page whole.
    """
    names = list(flows)
    move = bool(cuts) and all(cuts[0].get(n, 0) == 0 for n in names)
    cuts = [c for c in cuts if any(c.get(n, 0) for n in names)]
    parts = {n: split_html(str(flows[n]), [c.get(n, 0) for c in cuts]) for n in names}
    pieces = []
    for i in range(len(cuts) + 1):
        offsets = {n: (cuts[i - 1].get(n, 0) if i else 0) for n in names}
        pieces.append(
            FlowsPiece({n: parts[n][i] for n in names}, offsets, continued=i > 0, break_before=i > 0 or move)
        )
    return pieces


# ---- cutting HTML at a character offset ----------------------------------------------------------

VOID = frozenset({"br", "hr", "img", "wbr"})


def visible_chars(text: str) -> int:
    """How many characters of `text` are not white space: what an offset counts."""
    return sum(1 for ch in text if not ch.isspace())


@dataclass
class _Element:
    tag: str
    attrs: list[tuple[str, str | None]]
    children: list = field(default_factory=list)

    def chars(self) -> int:
        return sum(c.chars() if isinstance(c, _Element) else visible_chars(c) for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Element("", [])
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = _Element(tag, list(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(_Element(tag, list(attrs)))

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def _parse(html: str) -> _Element:
    builder = _TreeBuilder()
    builder.feed(html)
    builder.close()
    return builder.root


def _serialise(nodes: list) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(htmllib.escape(node, quote=False))
            continue
        attrs = "".join(
            f" {name}" if value is None else f' {name}="{htmllib.escape(value, quote=True)}"' for name, value in node.attrs
        )
        out.append(f"<{node.tag}{attrs}>")
        if node.tag not in VOID:
            out.append(_serialise(node.children))
            out.append(f"</{node.tag}>")
    return "".join(out)


def _with_class(attrs: list, name: str) -> list:
    classes = " ".join(v for k, v in attrs if k == "class" and v).split()
    rest = [(k, v) for k, v in attrs if k != "class"]
    return [*rest, ("class", " ".join([*classes, *([name] if name not in classes else [])]))]


_COUNTER = re.compile(r"counter-reset: list-item (\d+)")


def _split_nodes(nodes: list, k: int) -> tuple[list, list, object]:
    """Nodes before the k-th visible character (0-based) and from it on, and the node the cut fell
    inside (None when it fell between nodes). An element that holds the cut is copied into both
    halves, the second copy with the class pg-cont (a list item's marker is not printed twice)."""
    left: list = []
    for position, node in enumerate(nodes):
        n = visible_chars(node) if isinstance(node, str) else node.chars()
        if n <= k or (k <= 0 and n == 0):
            # Whole before the cut; so is white space or an empty element (a <br>) right at it: a
            # <br> opening the next piece would print an empty line.
            left.append(node)
            k -= n
            continue
        if k <= 0:
            return left, list(nodes[position:]), None
        rest = list(nodes[position + 1:])
        if isinstance(node, str):
            seen = 0
            for at, ch in enumerate(node):
                if not ch.isspace():
                    if seen == k:
                        break
                    seen += 1
            return [*left, node[:at]], [node[at:], *rest], node
        inner_left, inner_right, halved = _split_nodes(node.children, k)
        attrs = _with_class(node.attrs, CONTINUED_CLASS)
        if node.tag == "ol":
            # WeasyPrint numbers a list by its counter, not by a start attribute: carry the count on.
            # A list cut again goes on from where its piece began (the count so far is in its style).
            before = next((int(m.group(1)) for k, v in node.attrs if k == "style" and (m := _COUNTER.search(v or ""))), 0)
            items = sum(1 for c in inner_left if isinstance(c, _Element) and c.tag == "li")
            items -= 1 if isinstance(halved, _Element) and halved.tag == "li" else 0
            attrs = [*(a for a in attrs if a[0] != "style"), ("style", f"counter-reset: list-item {before + items}")]
        return [*left, _Element(node.tag, node.attrs, inner_left)], [_Element(node.tag, attrs, inner_right), *rest], node
    return left, [], None


def split_html(html: str, offsets: Sequence[int]) -> list[Markup]:
    """`html` cut before each offset (ascending, in visible characters): len(offsets) + 1 pieces.
    Every character is in exactly one piece; the elements around a cut are repeated in both."""
    root = _parse(html)
    pieces = []
    rest = root.children
    done = 0
    for offset in offsets:
        left, rest, _halved = _split_nodes(rest, offset - done)
        done = offset
        pieces.append(Markup(_serialise(left)))
    pieces.append(Markup(_serialise(rest)))
    return pieces


# ---- reading the layout back ------------------------------------------------------------------------


@dataclass
class _Line:
    bottom: float
    chars: int


@dataclass
class _Part:
    """One page's box of a cuttable row."""

    page: int
    top: float
    flows: dict[str, int]  # visible characters of each flow on this page
    lines: dict[str, list[_Line]]
    limits: dict[str, float]  # how low a flow's last line may reach, leaving its cell's bottom edge room
    label_chars: int


@dataclass
class _Piece:
    """One row element (a piece of a cuttable row) and its boxes, page by page."""

    offsets: dict[str, int]
    forced: bool
    parts: list[_Part] = field(default_factory=list)


@dataclass
class _Scan:
    bottoms: list[float] = field(default_factory=list)  # each page's content bottom
    # group key → row name → (page, top, bottom) of each of its boxes; rows in document order
    group_rows: dict[str, dict[str, list[tuple[int, float, float]]]] = field(default_factory=dict)
    piece_starts: dict[str, set[str]] = field(default_factory=dict)  # rows that begin a row group
    keep: set[str] = field(default_factory=set)
    rows: dict[str, list[_Piece]] = field(default_factory=dict)


def _is_generated(box) -> bool:
    return "::" in (box.element_tag or "")


def _text_boxes(box) -> Iterator:
    from weasyprint.formatting_structure import boxes

    for child in box.descendants():
        if isinstance(child, boxes.TextBox) and not _is_generated(child):
            yield child


def _lines(cell) -> list[_Line]:
    from weasyprint.formatting_structure import boxes

    lines = []
    for box in cell.descendants():
        if isinstance(box, boxes.LineBox):
            chars = sum(visible_chars(t.text) for t in _text_boxes(box))
            lines.append(_Line(box.position_y + box.height, chars))
    return lines


def _scan(document) -> _Scan:
    from weasyprint.formatting_structure import boxes

    scan = _Scan()
    pieces: dict[int, _Piece] = {}
    for number, page in enumerate(document.pages):
        page_box = page._page_box
        bottom = page_box.content_box_y() + page_box.height
        scan.bottoms.append(bottom)
        for box in page_box.descendants():
            if isinstance(box, boxes.TableRowGroupBox) and box.element is not None and box.element.get(GROUP):
                key = box.element.get(GROUP)
                if box.element.get(KEEP) is not None:
                    scan.keep.add(key)
                rows = scan.group_rows.setdefault(key, {})
                named = [row for row in box.children if row.element is not None and row.element.get(INDEX) is not None]
                for row in named:
                    rows.setdefault(row.element.get(INDEX), []).append(
                        (number, row.position_y, row.position_y + row.height)
                    )
                first_row = next((child for child in box.element if child.tag == "tr"), None)
                if first_row is not None and first_row.get(INDEX) is not None:
                    scan.piece_starts.setdefault(key, set()).add(first_row.get(INDEX))
            elif isinstance(box, boxes.TableRowBox) and box.element is not None and box.element.get(ROW):
                element = box.element
                piece = pieces.get(id(element))
                if piece is None:
                    offsets = {}
                    for cell in box.children:
                        if cell.element is not None and cell.element.get(FLOW):
                            offsets[cell.element.get(FLOW)] = int(cell.element.get(OFFSET) or 0)
                    forced = BREAK_CLASS in (element.get("class") or "").split()
                    piece = pieces[id(element)] = _Piece(offsets, forced)
                    scan.rows.setdefault(element.get(ROW), []).append(piece)
                part = _Part(number, box.position_y, {}, {}, {}, 0)
                for cell in box.children:
                    if cell.element is None:
                        continue
                    name = cell.element.get(FLOW)
                    if name:
                        part.lines[name] = _lines(cell)
                        part.flows[name] = sum(line.chars for line in part.lines[name])
                        part.limits[name] = bottom - cell.padding_bottom - cell.border_bottom_width
                    elif cell.element.get(LABEL) is not None:
                        part.label_chars += sum(visible_chars(t.text) for t in _text_boxes(cell))
                piece.parts.append(part)
    return scan


# ---- planning ---------------------------------------------------------------------------------------


@dataclass
class _Change:
    at: tuple[int, float]  # page and height where it takes effect; what comes after it may move
    moves_the_rest: bool
    kind: str  # "group" or "row"
    key: str
    start: str | None = None  # group: the row that begins a page
    cut: dict[str, int] | None = None  # row: where the new piece begins
    drop_after: bool = False  # the plan after this point was made for a layout that has changed


def _group_changes(scan: _Scan, plan: Plan) -> Iterator[_Change]:
    for key, rows in scan.group_rows.items():
        indexes = list(rows)  # document order
        if not indexes:
            continue
        first = {i: rows[i][0] for i in indexes}  # (page, top, bottom) of each row's first box
        planned = set(plan.starts(key))
        # A page begins with row i (not inside the row before it, which a row cut handles).
        breaks = [i for before, i in zip(indexes, indexes[1:]) if first[i][0] > rows[before][-1][0]]
        # A break where a row group begins is one the plan (or the template) already made.
        new = [i for i in breaks if i not in planned and i not in scan.piece_starts.get(key, ())]
        if not new:
            continue
        if key in scan.keep and not planned:
            # Would the whole group fit on the page its second part begins, below the header?
            height = 0.0
            for page in sorted({first[i][0] for i in indexes}):
                on_page = [first[i] for i in indexes if first[i][0] == page]
                height += max(b for _p, _t, b in on_page) - min(t for _p, t, _b in on_page)
            page, top, _bottom = first[new[0]]
            start_page, start_top, _ = first[indexes[0]]
            # A group that already begins as high as a page lets it (right under the header) stays.
            if height <= scan.bottoms[page] - top + 0.01 and start_top > top + 0.5:
                yield _Change((start_page, start_top), True, "group", key, start=indexes[0])
                continue
        for i in new:
            before = indexes[indexes.index(i) - 1]
            at = (first[before][0], first[before][2])
            # A break inside a piece that is not the group's last: the piece grew (a repeated label
            # taking more lines) and pushed a row over; the pieces after it were planned for the old layout.
            later = [s for s in planned if s in first and first[s][:2] > first[i][:2]]
            yield _Change(at, bool(later), "group", key, start=i, drop_after=bool(later))


def _row_changes(scan: _Scan, plan: Plan) -> Iterator[_Change]:
    for key, pieces in scan.rows.items():
        for number, piece in enumerate(pieces):
            if len(piece.parts) < 2:
                continue
            last_piece = number == len(pieces) - 1
            first = piece.parts[0]
            labels_whole = not any(part.label_chars for part in piece.parts[1:])
            if not (labels_whole and any(first.flows.values())):
                # The labels would not fit beside the text the page has room for, or there is no
                # room for any text: the row moves to the next page whole. A piece already at the
                # top of a page cannot: it breaks where it must.
                if not piece.forced:
                    yield _Change((first.page, first.top), True, "row", key, cut=dict(piece.offsets))
                continue
            done = dict(piece.offsets)
            for before in piece.parts[:-1]:
                cut, trimmed = {}, False
                for name in piece.offsets:
                    # Lines reaching into the room the cell's bottom edge needs go to the next piece.
                    kept = before.flows.get(name, 0)
                    for line in reversed(before.lines.get(name, [])):
                        if line.bottom <= before.limits[name] + 0.01:
                            break
                        kept -= line.chars
                        trimmed = True
                    done[name] += kept
                    cut[name] = done[name]
                # A break inside a piece that is not the row's last: that piece grew (its label took
                # more lines); the pieces after it were planned for the old layout.
                moves = trimmed or not last_piece
                yield _Change((before.page, scan.bottoms[before.page]), moves, "row", key, cut=cut, drop_after=not last_piece)
                if moves:
                    break


def plan_breaks(document, plan: Plan) -> Plan:
    """The plan grown by the breaks `document` (laid out with `plan`) shows: every cut up to, and
    including, the first change that moves what follows it."""
    scan = _scan(document)
    changes = sorted([*_group_changes(scan, plan), *_row_changes(scan, plan)], key=lambda c: (c.at, c.kind, c.key))
    groups = {k: set(v) for k, v in plan.groups.items()}
    rows = {k: [dict(c) for c in v] for k, v in plan.rows.items()}
    for change in changes:
        if change.drop_after:
            _drop_after(scan, groups, rows, change)
        if change.kind == "group":
            groups.setdefault(change.key, set()).add(change.start)
        else:
            cuts = rows.setdefault(change.key, [])
            if change.cut not in cuts:
                cuts.append(change.cut)
                cuts.sort(key=lambda c: tuple(sorted(c.items())))
        if change.moves_the_rest:
            break
    return Plan(
        {k: tuple(sorted(v)) for k, v in sorted(groups.items()) if v},
        {k: tuple(_freeze_cut(c) for c in v) for k, v in sorted(rows.items()) if v},
    )


def _drop_after(scan: _Scan, groups: dict, rows: dict, change: _Change) -> None:
    """Forget the planned breaks that lie after `change`: they were made for a layout it changes."""
    for key, starts in groups.items():
        found = scan.group_rows.get(key, {})
        for start in sorted(starts):
            boxes = found.get(start)
            if boxes and (boxes[0][0], boxes[0][1]) > change.at:
                starts.discard(start)
    for key, cuts in rows.items():
        pieces = scan.rows.get(key, [])
        keep = []
        for cut in cuts:
            piece = next((p for p in pieces if p.offsets == cut and p.parts), None)
            if piece is None or (piece.parts[0].page, piece.parts[0].top) <= change.at:
                keep.append(cut)
        rows[key] = keep


def paginate(layout: Callable[[Plan], object], max_layouts: int = MAX_LAYOUTS):
    """Lay out with an empty plan, then with the plan the pages call for, until nothing changes.
    `layout(plan)` returns a WeasyPrint Document. Returns the last document and its plan."""
    plan = Plan()
    document = layout(plan)
    for _ in range(max_layouts - 1):
        better = plan_breaks(document, plan)
        if better == plan:
            break
        plan = better
        document = layout(plan)
    return document, plan
