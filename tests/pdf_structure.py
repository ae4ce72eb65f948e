"""A structural check of a tagged PDF (PDF/UA-1 with PDF/A-3), since no validator can be installed here.

`read(data)` reads the PDF with pypdf: its structure tree (each element's type, attributes and the
text of its marked content, decoded through the fonts' ToUnicode maps) and every piece of text the
pages draw, with the marked-content sequence it is drawn in. `problems(doc)` lists what a
screen reader or an archive would trip on, in words; an empty list is a pass:

- the tree: a StructTreeRoot whose one kid is a Document, each element's /P its parent, standard
  types only, each MCID on its page claimed by exactly one element and the ParentTree agreeing,
  /ID values listed in the IDTree;
- no untagged text: every text-showing operator is inside an Artifact or inside marked content
  with an MCID the tree claims; every glyph shown has a Unicode mapping;
- tables: every row of a Table has the same number of columns once RowSpan and ColSpan are
  counted; every TD with text names its header cells (/Headers), each a TH with text in the same
  table;
- the catalog and the XMP: /Lang, /MarkInfo /Marked, /ViewerPreferences /DisplayDocTitle, the title
  in the info dictionary and in dc:title, pdfaid part 3 conformance A, pdfuaid part 1 with its
  PDF/A extension schema.

Import as `from pdf_structure import ...` (pytest puts tests/ on sys.path).
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from pypdf import PdfReader
from pypdf.generic import ArrayObject, ContentStream, DictionaryObject, IndirectObject, NameObject, NumberObject

# ISO 32000-1, 14.8.4: the standard structure types.
STANDARD_TYPES = frozenset(
    "Document Part Art Sect Div BlockQuote Caption TOC TOCI Index NonStruct Private P H H1 H2 H3 H4 H5 H6 "
    "L LI Lbl LBody Table TR TH TD THead TBody TFoot Span Quote Note Reference BibEntry Code Link Annot "
    "Ruby RB RT RP Warichu WT WP Figure Formula Form".split()
)
NS = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "dc": "http://purl.org/dc/elements/1.1/",
    "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
    "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
    "pdfaSchema": "http://www.aiim.org/pdfa/ns/schema#",
    "pdfaProperty": "http://www.aiim.org/pdfa/ns/property#",
}
_TEXT_OPS = {b"Tj", b"TJ", b"'", b'"'}


@dataclass(eq=False)
class Element:
    type: str
    attrs: dict = field(default_factory=dict)
    ident: str | None = None
    kids: list = field(default_factory=list)  # Element or (page, mcid)
    parent: "Element | None" = None
    ref: object = None

    def elements(self):
        yield self
        for kid in self.kids:
            if isinstance(kid, Element):
                yield from kid.elements()


@dataclass
class Mark:
    """Text drawn on a page: its characters and the marked content it is drawn in."""

    page: int
    text: str
    mcid: int | None  # innermost MCID around it, None if none
    artifact: bool
    unmapped: int  # glyphs without a Unicode mapping


@dataclass
class Doc:
    reader: PdfReader
    root: Element | None
    marks: list[Mark]
    texts: dict[tuple[int, int], str]  # (page, mcid) → text
    problems: list[str]

    def text(self, element: Element) -> str:
        """The element's text: its marked content and its kids', in the tree's order."""
        out = []
        for kid in element.kids:
            out.append(self.text(kid) if isinstance(kid, Element) else self.texts.get(kid, ""))
        return "".join(out)


# ---- reading ----------------------------------------------------------------------------------------


def _cmap(stream) -> dict[int, str]:
    data = stream.get_data().decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            base = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(base + offset)
    return mapping


def _raw(operand) -> bytes:
    original = getattr(operand, "original_bytes", None)
    return bytes(original) if original is not None else bytes(operand)


def _page_marks(reader, page, number, fonts_cache, marks, problems):
    resources = page.get("/Resources") or DictionaryObject()
    fonts = resources.get("/Font") or DictionaryObject()
    props = resources.get("/Properties") or DictionaryObject()

    def font_map(name):
        font = fonts.get(name)
        if font is None:
            return None, 1
        key = font.indirect_reference.idnum if font.indirect_reference else id(font)
        if key not in fonts_cache:
            font = font.get_object()
            width = 2 if font.get("/Subtype") == "/Type0" else 1
            unicode = font.get("/ToUnicode")
            fonts_cache[key] = (_cmap(unicode.get_object()) if unicode is not None else None, width)
        return fonts_cache[key]

    content = page.get_contents()
    if content is None:
        return
    stack: list[tuple[str, int | None]] = []
    current = (None, 1)
    for operands, operator in ContentStream(content, reader).operations:
        if operator in (b"BDC", b"BMC"):
            tag = str(operands[0])
            mcid = None
            if operator == b"BDC":
                properties = operands[1]
                if isinstance(properties, NameObject):
                    properties = props.get(properties)
                if properties is not None:
                    properties = properties.get_object()
                    if "/MCID" in properties:
                        mcid = int(properties["/MCID"])
            stack.append((tag, mcid))
        elif operator == b"EMC":
            if not stack:
                problems.append(f"page {number + 1}: EMC without a marked-content sequence")
            else:
                stack.pop()
        elif operator == b"Tf":
            current = font_map(operands[0])
        elif operator == b"Do":
            problems.append(f"page {number + 1}: an XObject is drawn (the check reads page content only)")
        elif operator in _TEXT_OPS:
            strings = operands[0] if operator == b"TJ" else operands[-1:]
            mapping, width = current
            text, unmapped = [], 0
            for item in strings:
                if isinstance(item, (int, float, NumberObject)) or not hasattr(item, "__len__"):
                    continue
                data = _raw(item)
                for at in range(0, len(data) - width + 1, width):
                    code = int.from_bytes(data[at : at + width], "big")
                    char = mapping.get(code) if mapping is not None else None
                    if char is None:
                        unmapped += 1
                    else:
                        text.append(char)
            artifact = any(tag == "/Artifact" for tag, _ in stack)
            mcid = next((m for _t, m in reversed(stack) if m is not None), None)
            marks.append(Mark(number, "".join(text), mcid, artifact, unmapped))
    if stack:
        problems.append(f"page {number + 1}: {len(stack)} marked-content sequences left open")


def read(data: bytes) -> Doc:
    reader = PdfReader(io.BytesIO(data))
    problems: list[str] = []
    pages = {page.indirect_reference.idnum: i for i, page in enumerate(reader.pages)}
    marks: list[Mark] = []
    fonts_cache: dict = {}
    for number, page in enumerate(reader.pages):
        _page_marks(reader, page, number, fonts_cache, marks, problems)
    texts: dict[tuple[int, int], str] = {}
    for mark in marks:
        if mark.mcid is not None and not mark.artifact:
            texts[(mark.page, mark.mcid)] = texts.get((mark.page, mark.mcid), "") + mark.text

    catalog = reader.trailer["/Root"]
    tree = catalog.get("/StructTreeRoot")
    root = None
    if tree is None:
        problems.append("no structure tree (/StructTreeRoot)")
    else:
        tree = tree.get_object()
        seen: set[int] = set()

        def build(ref, parent: Element | None, page: int | None) -> Element | None:
            obj = ref.get_object()
            number = ref.idnum if isinstance(ref, IndirectObject) else None
            if number is not None:
                if number in seen:
                    problems.append(f"structure element {number} appears twice in the tree")
                    return None
                seen.add(number)
            if obj.get("/Type", "/StructElem") != "/StructElem" or "/S" not in obj:
                problems.append(f"structure element {number} has no type (/S)")
                return None
            kind = str(obj["/S"])[1:]
            attrs = {}
            for a in _attribute_dicts(obj.get("/A")):
                for key, value in a.items():
                    attrs[key[1:]] = value
            ident = obj.get("/ID")
            element = Element(kind, attrs, _string(ident) if ident is not None else None, parent=parent, ref=number)
            expected = parent.ref if parent is not None else tree.indirect_reference.idnum if tree.indirect_reference else None
            given = obj.get("/P")
            if given is None or (expected is not None and getattr(given, "idnum", None) != expected):
                problems.append(f"{kind} element {number}: /P is not its parent")
            if "/Pg" in obj:
                page = pages.get(obj.raw_get("/Pg").idnum, page)
            kids = obj.get("/K")
            if kids is None:
                kids = ArrayObject()
            elif not isinstance(kids.get_object(), ArrayObject):
                kids = ArrayObject([obj.raw_get("/K")])
            for kid in kids:
                value = kid.get_object() if isinstance(kid, IndirectObject) else kid
                if isinstance(value, (int, NumberObject)) and not isinstance(value, bool):
                    element.kids.append((page, int(value)))
                elif isinstance(value, DictionaryObject) and value.get("/Type") == "/MCR":
                    where = pages.get(value.raw_get("/Pg").idnum, page) if "/Pg" in value else page
                    element.kids.append((where, int(value["/MCID"])))
                elif isinstance(value, DictionaryObject) and value.get("/Type") == "/OBJR":
                    continue
                elif isinstance(value, DictionaryObject):
                    child = build(kid, element, page)
                    if child is not None:
                        element.kids.append(child)
                else:
                    problems.append(f"{kind} element {number}: a kid of unknown kind")
            return element

        kids = tree.get("/K")
        kids = kids if isinstance(kids, ArrayObject) else [tree.raw_get("/K")] if kids is not None else []
        if len(kids) != 1:
            problems.append(f"the structure tree root has {len(kids)} kids, not one Document")
        else:
            root = build(kids[0], None, None)
            if root is not None and root.type != "Document":
                problems.append(f"the structure tree's top element is {root.type}, not Document")
        if root is not None:
            _check_tree(reader, tree, root, marks, problems)
    return Doc(reader, root, marks, texts, problems)


def _attribute_dicts(value):
    if value is None:
        return []
    value = value.get_object()
    if isinstance(value, ArrayObject):
        return [v.get_object() for v in value if isinstance(v.get_object(), DictionaryObject)]
    return [value] if isinstance(value, DictionaryObject) else []


def _string(value) -> str:
    return str(value.get_object())


def _check_tree(reader, tree, root: Element, marks: list[Mark], problems: list[str]) -> None:
    claimed: dict[tuple[int, int], Element] = {}
    for element in root.elements():
        if element.type not in STANDARD_TYPES:
            problems.append(f"{element.type}: not a standard structure type")
        for kid in element.kids:
            if isinstance(kid, tuple):
                if kid in claimed:
                    problems.append(f"page {kid[0] + 1} MCID {kid[1]}: claimed by two elements")
                claimed[kid] = element
    drawn = {(m.page, m.mcid) for m in marks if m.mcid is not None}
    for key, element in claimed.items():
        if key not in drawn and key[0] is not None:
            # A claimed MCID need not show text (a space), but it must be a sequence on its page.
            pass
    # Every marked sequence with an MCID on a page belongs to the tree, and the ParentTree agrees.
    parent_tree = tree.get("/ParentTree")
    nums = {}
    if parent_tree is None:
        problems.append("no /ParentTree")
    else:
        array = parent_tree.get_object().get("/Nums", ArrayObject())
        for key, value in zip(array[0::2], array[1::2]):
            nums[int(key)] = value.get_object()
    refs = {}
    for element in root.elements():
        refs[element.ref] = element
    for number, page in enumerate(reader.pages):
        index = page.get("/StructParents")
        mcids = {m.mcid for m in marks if m.page == number and m.mcid is not None}
        if mcids and index is None:
            problems.append(f"page {number + 1}: marked content but no /StructParents")
            continue
        mapping = nums.get(int(index)) if index is not None else None
        for mcid in sorted(mcids):
            if (number, mcid) not in claimed:
                problems.append(f"page {number + 1} MCID {mcid}: marked content the structure tree does not claim")
                continue
            if mapping is None or mcid >= len(mapping) or getattr(mapping[mcid], "idnum", None) != claimed[(number, mcid)].ref:
                problems.append(f"page {number + 1} MCID {mcid}: the ParentTree does not name the element that claims it")
    ids = {e.ident for e in root.elements() if e.ident is not None}
    if ids:
        listed = set()
        id_tree = tree.get("/IDTree")
        if id_tree is not None:
            names = id_tree.get_object().get("/Names", ArrayObject())
            listed = {str(n) for n in names[0::2]}
        if ids - listed:
            problems.append(f"{len(ids - listed)} element IDs missing from the IDTree")


# ---- the checks ----------------------------------------------------------------------------------------


def untagged(doc: Doc) -> list[str]:
    """Text drawn neither as an artifact nor in marked content the tree claims, and glyphs without Unicode."""
    claimed = set()
    if doc.root is not None:
        for element in doc.root.elements():
            claimed.update(k for k in element.kids if isinstance(k, tuple))
    out = []
    for mark in doc.marks:
        if mark.unmapped:
            out.append(f"page {mark.page + 1}: {mark.unmapped} glyphs without a Unicode mapping near {mark.text[:20]!r}")
        if mark.artifact:
            continue
        if mark.mcid is None or (mark.page, mark.mcid) not in claimed:
            out.append(f"page {mark.page + 1}: untagged text {mark.text[:30]!r}")
    return out


def rows_of(table: Element) -> list[Element]:
    rows = []
    for kid in table.kids:
        if isinstance(kid, Element):
            if kid.type == "TR":
                rows.append(kid)
            elif kid.type in ("THead", "TBody", "TFoot"):
                rows.extend(k for k in kid.kids if isinstance(k, Element) and k.type == "TR")
    return rows


def table_problems(doc: Doc) -> list[str]:
    out = []
    if doc.root is None:
        return out
    for number, table in enumerate(e for e in doc.root.elements() if e.type == "Table"):
        rows = rows_of(table)
        taken: set[tuple[int, int]] = set()
        widths = []
        headers = {}
        for r, row in enumerate(rows):
            c = 0
            for cell in (k for k in row.kids if isinstance(k, Element)):
                if cell.type not in ("TH", "TD"):
                    out.append(f"table {number + 1} row {r + 1}: a {cell.type} among the cells")
                    continue
                while (r, c) in taken:
                    c += 1
                rowspan, colspan = int(cell.attrs.get("RowSpan", 1)), int(cell.attrs.get("ColSpan", 1))
                for dr in range(rowspan):
                    for dc in range(colspan):
                        taken.add((r + dr, c + dc))
                c += colspan
                if cell.type == "TH" and cell.ident is not None:
                    headers[cell.ident] = cell
            widths.append(max([c for (rr, c) in taken if rr == r], default=-1) + 1)
        if any(rr >= len(rows) for rr, _c in taken):
            out.append(f"table {number + 1}: a cell spans past the last row")
        if len(set(widths)) > 1:
            out.append(f"table {number + 1}: rows have {widths} columns after spans")
        for cell in table.elements():
            if cell.type != "TD" or not doc.text(cell).strip():
                continue
            names = [str(n) for n in cell.attrs.get("Headers", [])]
            labels = [headers.get(n) for n in names]
            if not names:
                out.append(f"table {number + 1}: value cell {doc.text(cell)[:20]!r} is tied to no label")
            elif None in labels:
                out.append(f"table {number + 1}: value cell {doc.text(cell)[:20]!r} names a header not in its table")
            elif not any(doc.text(label).strip() for label in labels):
                out.append(f"table {number + 1}: value cell {doc.text(cell)[:20]!r} is tied to empty labels only")
    return out


def labels_of(doc: Doc, cell: Element, table: Element) -> list[str]:
    """The text of the header cells a cell names: what a screen reader announces with it."""
    headers = {e.ident: e for e in table.elements() if e.type == "TH" and e.ident}
    return [doc.text(headers[str(n)]) for n in cell.attrs.get("Headers", []) if str(n) in headers]


def metadata_problems(doc: Doc) -> list[str]:
    out = []
    reader = doc.reader
    catalog = reader.trailer["/Root"]
    if not str(catalog.get("/Lang", "")).startswith("zh"):
        out.append(f"/Lang is {catalog.get('/Lang')!r}, not Chinese")
    mark_info = catalog.get("/MarkInfo")
    if mark_info is None or mark_info.get_object().get("/Marked") != True:  # noqa: E712 (a BooleanObject)
        out.append("/MarkInfo /Marked is not true")
    prefs = catalog.get("/ViewerPreferences")
    if prefs is None or prefs.get_object().get("/DisplayDocTitle") != True:  # noqa: E712
        out.append("/ViewerPreferences /DisplayDocTitle is not true")
    title = (reader.metadata or {}).get("/Title")
    if not title:
        out.append("no /Title in the document information")
    metadata = catalog.get("/Metadata")
    if metadata is None:
        return [*out, "no XMP metadata"]
    xmp = metadata.get_object().get_data()
    root = ET.fromstring(xmp[xmp.index(b"<x:xmpmeta") : xmp.rindex(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")])
    descriptions = root.findall(".//rdf:Description", NS)

    def prop(namespace, name):
        values = {d.get(f"{{{NS[namespace]}}}{name}") for d in descriptions} - {None}
        values |= {e.text for d in descriptions for e in d.findall(f"{namespace}:{name}", NS)}
        return values - {None}

    if prop("pdfaid", "part") != {"3"} or prop("pdfaid", "conformance") != {"A"}:
        out.append(f"XMP PDF/A identification is {prop('pdfaid', 'part')} {prop('pdfaid', 'conformance')}, not 3 A")
    if prop("pdfuaid", "part") != {"1"}:
        out.append(f"XMP PDF/UA identification is {prop('pdfuaid', 'part')}, not 1")
    schemas = {(e.findtext("pdfaSchema:namespaceURI", None, NS), e.findtext("pdfaSchema:prefix", None, NS)) for e in root.iter() if e.find("pdfaSchema:prefix", NS) is not None}
    if (NS["pdfuaid"], "pdfuaid") not in schemas:
        out.append("pdfuaid is used without a PDF/A extension schema")
    titles = {li.text for li in root.findall(".//dc:title/rdf:Alt/rdf:li", NS)}
    if title and titles != {title}:
        out.append(f"dc:title {titles} is not the document title {title!r}")
    for number, page in enumerate(reader.pages):
        if page.get("/Tabs") != "/S":
            out.append(f"page {number + 1}: /Tabs is not /S")
    return out


def problems(doc: Doc) -> list[str]:
    """Every problem the check finds; empty when the PDF passes."""
    return [*doc.problems, *untagged(doc), *table_problems(doc), *metadata_problems(doc)]


def reading_text(doc: Doc) -> str:
    """The tree's text in order (what a screen reader reads), white space removed."""
    return re.sub(r"\s+", "", doc.text(doc.root)) if doc.root is not None else ""


def dump(doc: Doc, page: int | None = None) -> str:
    """The tree as indented text, each element's type and its own text; `page`: only elements with
    content on that page (0-based) and their ancestors."""

    def marked(element: Element) -> bool:
        return any(marked(k) if isinstance(k, Element) else True for k in element.kids)

    def on_page(element: Element) -> bool:
        return any(on_page(k) if isinstance(k, Element) else k[0] == page for k in element.kids)

    lines = []

    def walk(element: Element, depth: int):
        if page is not None and marked(element) and not on_page(element):
            return  # an empty element (an empty cell) is shown where its parent is
        own = "".join(doc.texts.get(k, "") for k in element.kids if isinstance(k, tuple) and (page is None or k[0] == page))
        extra = []
        for key in ("RowSpan", "ColSpan", "Scope"):
            if key in element.attrs:
                extra.append(f"{key}={str(element.attrs[key]).lstrip('/')}")
        if element.ident:
            extra.append(f"ID={element.ident}")
        if "Headers" in element.attrs:
            extra.append("Headers=" + ",".join(str(h) for h in element.attrs["Headers"]))
        text = re.sub(r"\s+", " ", own).strip()
        line = "  " * depth + element.type + (f" [{' '.join(extra)}]" if extra else "") + (f" “{text}”" if text else "")
        lines.append(line)
        for kid in element.kids:
            if isinstance(kid, Element):
                walk(kid, depth + 1)

    if doc.root is not None:
        walk(doc.root, 0)
    return "\n".join(lines)
