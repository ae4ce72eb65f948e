"""The PDF's structure tree (tagged PDF, PDF/UA-1), built from the form's HTML rather than page by page.

WeasyPrint 70 tags a PDF one page at a time: a table over three pages becomes three tables, the
header row it repeats is read again on every page, the footer's text is marked but hung nowhere,
`scope="rowgroup"` is taken for a column header and no TH gets a /Scope. And it knows nothing of
generator/paginate.py, which cuts a row or a group of rows into pieces, one a page, repeating the
labels (（续）) on each. So while jixiao writes a PDF, `tagged()` puts this module's tree in the
place of WeasyPrint's:

- one structure element per HTML element, whatever number of pages its boxes fall on;
- the table as the form means it: a row cut into pieces is one TR again, each cut cell one cell,
  a group cut into pieces one TBody whose labels span all its rows (RowSpan counted so);
- artifacts, not content: the footer (margin boxes), a header row repeated on a later page, and
  the labels a piece repeats (the template marks them: `data-pg-repeat` on a cell, or
  `data-pg-continued` on a row piece after the first, whose cells other than `data-pg-flow` ones
  repeat the first piece's);
- each cell tied to its header cells by HTML's own rules (the "assigning header cells" algorithm:
  scope row, col and rowgroup, header blocks; one change, see _scan), written as /Headers and /ID,
  with /Scope on TH.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

REPEAT = "data-pg-repeat"
CONTINUED = "data-pg-continued"
FLOW = "data-pg-flow"
CONTINUED_CLASS = "pg-cont"  # paginate.CONTINUED_CLASS: the rest of an element cut at a piece's end

_ROLES = {
    "article": "Art", "section": "Sect", "blockquote": "BlockQuote", "p": "P",
    "h1": "H1", "h2": "H2", "h3": "H3", "h4": "H4", "h5": "H5", "h6": "H6",
    "ul": "L", "ol": "L", "li": "LI", "table": "Table", "caption": "Caption",
    "thead": "THead", "tbody": "TBody", "tfoot": "TFoot", "tr": "TR", "th": "TH", "td": "TD",
}
# Kept even when empty: a table's grid must stay whole.
_KEEP_EMPTY = {"Link", "Table", "THead", "TBody", "TFoot", "TR", "TH", "TD"}


# ---- the table as the form means it ------------------------------------------------------------------


@dataclass(eq=False)
class _Cell:
    element: object
    row: int
    col: int
    width: int
    height: int
    group: object
    artifact: bool = False
    target: "_Cell | None" = None  # the cell this piece continues
    rows: set = field(default_factory=set)  # logical rows covered (its own and its pieces')
    headers: list = field(default_factory=list)

    header: bool = False
    scope: str = ""
    top: int = 0  # on the logical grid, once the pieces are put together
    span: int = 1

    def __post_init__(self):
        self.header = self.element.tag == "th"
        self.scope = (self.element.get("scope") or "").lower()

    @property
    def empty(self) -> bool:
        return not "".join(self.element.itertext()).strip()


def _resolve(cell: _Cell) -> _Cell:
    while cell.target is not None:
        cell = cell.target
    return cell


class _Table:
    """An HTML table's cells on HTML's grid, then on the logical grid (pieces put together again),
    each cell with its header cells."""

    def __init__(self, table):
        rows = []
        for child in table:
            if child.tag in ("thead", "tbody", "tfoot"):
                rows.extend((tr, child) for tr in child if tr.tag == "tr")
            elif child.tag == "tr":
                rows.append((child, None))
        last = {}
        for index, (_tr, group) in enumerate(rows):
            last[id(group)] = index
        grid: dict[tuple[int, int], _Cell] = {}
        self.cells: list[_Cell] = []
        for r, (tr, group) in enumerate(rows):
            c = 0
            for td in tr:
                if td.tag not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                width = max(1, _int(td.get("colspan")))
                height = _int(td.get("rowspan"))
                end = last[id(group)]
                height = end - r + 1 if height == 0 else max(1, min(height, end - r + 1))
                cell = _Cell(td, r, c, width, height, group)
                for dr in range(height):
                    for dc in range(width):
                        grid[(r + dr, c + dc)] = cell
                self.cells.append(cell)
                c += width
        # Logical rows: a row piece after the first is the row it continues.
        logical, continued = [], []
        for r, (tr, _group) in enumerate(rows):
            goes_on = r > 0 and tr.get(CONTINUED) is not None
            continued.append(goes_on)
            logical.append(logical[-1] if goes_on else (logical[-1] + 1 if logical else 0))
        self.alias: dict[int, object] = {}  # id(element) → the element whose structure element it joins
        for cell in self.cells:
            goes_on = continued[cell.row]
            cell.artifact = cell.element.get(REPEAT) is not None or (goes_on and cell.element.get(FLOW) is None)
            above = grid.get((cell.row - 1, cell.col))
            covered = {logical[r] for r in range(cell.row, cell.row + cell.height)}
            if (cell.artifact or goes_on) and above is not None:
                cell.target = _resolve(above)
                cell.target.rows |= covered
                self.alias[id(cell.element)] = cell.target.element
            else:
                cell.rows |= covered
        previous_tr, previous_group = {}, None
        first_rows = {}
        for r, (tr, group) in enumerate(rows):
            first_rows.setdefault(id(group), r)
        group_of: dict[int, object] = {}
        for r, (tr, group) in enumerate(rows):
            if continued[r]:
                self.alias[id(tr)] = previous_tr[logical[r]]
            else:
                previous_tr[logical[r]] = tr
            if first_rows[id(group)] == r and group is not None:
                starts_piece = continued[r] or any(
                    cell.row == r and cell.target is not None for cell in self.cells
                )
                if starts_piece and previous_group is not None:
                    self.alias[id(group)] = group_of.get(id(previous_group), previous_group)
                group_of[id(group)] = self.alias.get(id(group), group)
                previous_group = group
        own = [cell for cell in self.cells if cell.target is None]
        for cell in own:
            cell.group = group_of.get(id(cell.group), cell.group)
            cell.top, cell.span = min(cell.rows), max(cell.rows) - min(cell.rows) + 1
        self.own = own
        self.group_headers: dict[int, list[_Cell]] = {}
        for cell in own:
            if cell.header and cell.scope == "rowgroup":
                self.group_headers.setdefault(id(cell.group), []).append(cell)
        self.grid = {}
        for cell in own:
            for r in range(cell.top, cell.top + cell.span):
                for c in range(cell.col, cell.col + cell.width):
                    self.grid.setdefault((r, c), cell)
        for cell in own:
            cell.headers = self._headers(cell)

    def _headers(self, cell: _Cell) -> list[_Cell]:
        """HTML's "internal algorithm for scanning and assigning header cells", on the logical grid."""
        found: list[_Cell] = []
        for y in range(cell.top, cell.top + cell.span):
            self._scan(cell, found, cell.col, y, -1, 0)
        for x in range(cell.col, cell.col + cell.width):
            self._scan(cell, found, x, cell.top, 0, -1)
        for other in self.group_headers.get(id(cell.group), ()):
            if other.col <= cell.col and other.top <= cell.top and other is not cell:
                found.append(other)
        return [h for h in dict.fromkeys(found) if h is not cell and not h.empty]

    def _scan(self, principal, found, x, y, dx, dy):
        opaque: list[_Cell] = []
        in_block = principal.header
        block = [principal] if principal.header else []
        while True:
            x, y = x + dx, y + dy
            if x < 0 or y < 0:
                return
            current = self.grid.get((y, x))
            if current is None:
                continue
            if current.header:
                in_block = True
                block.append(current)
                blocked = False
                if dx == 0:
                    blocked = any(o.col == current.col and o.width == current.width for o in opaque)
                    blocked = blocked or not _column_header(current)
                    # Not HTML's rule: a header row inside another row group (the budget's second
                    # header row) heads its own group's columns only, a thead's every group's.
                    blocked = blocked or (current.group is not principal.group and getattr(current.group, "tag", "") != "thead")
                if dy == 0:
                    blocked = any(o.top == current.top and o.span == current.span for o in opaque)
                    blocked = blocked or not _row_header(current)
                if not blocked:
                    found.append(current)
            elif in_block:
                in_block = False
                opaque.extend(block)
                block = []


def _column_header(cell: _Cell) -> bool:
    return cell.scope == "col" or (cell.scope not in ("row", "rowgroup", "colgroup") and cell.group is not None and cell.group.tag == "thead")


def _row_header(cell: _Cell) -> bool:
    return cell.scope == "row" or (cell.scope not in ("col", "rowgroup", "colgroup") and not _column_header(cell))


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 1


# ---- what is drawn as an artifact -------------------------------------------------------------------


def artifact_boxes(document) -> set[int]:
    """ids of the text boxes drawn as artifacts: the margin boxes', a header row's on every page after
    the first it is laid out on, and the repeated labels' (see the module's docstring)."""
    from weasyprint.formatting_structure import boxes

    found: set[int] = set()
    heads: set[int] = set()

    def walk(box, artifact, row):
        if isinstance(box, boxes.MarginBox):
            artifact = True
        element = box.element
        if element is not None:
            if isinstance(box, boxes.TableRowGroupBox) and element.tag == "thead":
                artifact = artifact or id(element) in heads
                seen.add(id(element))
            elif isinstance(box, boxes.TableRowBox):
                row = element
            elif isinstance(box, boxes.TableCellBox):
                continued = row is not None and row.get(CONTINUED) is not None
                if element.get(REPEAT) is not None or (continued and element.get(FLOW) is None):
                    artifact = True
        if artifact and isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
            found.add(id(box))
        for child in getattr(box, "children", ()):
            walk(child, artifact, row)

    for page in document.pages:
        seen: set[int] = set()
        walk(page._page_box, False, None)
        heads |= seen
    return found


# ---- the tree -------------------------------------------------------------------------------------


class _Node:
    __slots__ = ("role", "element", "page", "kids", "attrs", "body", "ident")

    def __init__(self, role, element, page):
        self.role, self.element, self.page = role, element, page
        self.kids: list = []
        self.attrs: dict = {}
        self.body = None  # an LI's LBody
        self.ident = None

    def child(self, role, element, page) -> "_Node":
        node = _Node(role, element, page)
        self.kids.append(node)
        return node

    def lbody(self, page) -> "_Node":
        if self.body is None:
            self.body = self.child("LBody", None, page)
        return self.body


class _B:
    """WeasyPrint's box classes, imported when the first tree is built."""

    @classmethod
    def load(cls) -> None:
        from weasyprint.formatting_structure import boxes
        from weasyprint.layout.absolute import AbsolutePlaceholder

        cls.placeholder, cls.text, cls.margin = AbsolutePlaceholder, boxes.TextBox, boxes.MarginBox
        cls.line, cls.page, cls.replaced = boxes.LineBox, boxes.PageBox, boxes.ReplacedBox


class _Builder:
    def __init__(self):
        self.root = _Node("Document", None, 0)
        self.nodes: dict[int, _Node] = {}
        self.alias: dict[int, object] = {}
        self.tables: list[tuple[_Table, dict]] = []
        self.mcids: dict[int, dict[int, _Node]] = {}  # page → mcid → node
        self.links: list[tuple[_Node, object, int]] = []

    def walk(self, box, parent: _Node, page: int, tags: dict) -> None:
        kind = type(box)
        if kind is _B.placeholder:
            box = box._box
            kind = type(box)
        if kind is _B.text:
            self._content(box, parent, page, tags)
            return
        if kind is _B.margin:
            return  # the footer: drawn as an artifact
        node = parent
        element = box.element
        tag = (box.element_tag or "") if element is not None else ""
        if tag.endswith("::marker"):
            if parent.role != "Lbl":  # the marker's own anonymous boxes are marker boxes too
                node = parent.child("Lbl", None, page)
        elif element is not None and element is not parent.element and "::" not in tag:
            if kind is not _B.line and kind is not _B.page:
                node = self._node(box, element, parent, page)
        if box.link_annotation is not None:
            node = node.child("Link", None, page)
            self.links.append((node, box.link_annotation, page))
        if issubclass(kind, _B.replaced):
            self._content(box, node, page, tags)
        for child in getattr(box, "children", ()):
            target = node
            if node.role == "LI" and not (child.element_tag or "").endswith("::marker"):
                target = node.lbody(page)
            self.walk(child, target, page, tags)

    def _content(self, box, node: _Node, page: int, tags: dict) -> None:
        kid = tags.pop(box, None)
        if kid is None:
            return  # drawn as an artifact, or not drawn
        node.kids.append((page, kid["mcid"]))
        self.mcids.setdefault(page, {})[kid["mcid"]] = node

    def _node(self, box, element, parent: _Node, page: int) -> _Node:
        key = id(self.alias.get(id(element), element))
        if key in self.nodes:
            return self.nodes[key]
        role = _ROLES.get(element.tag)
        if role is None:
            return parent  # a wrapper (div, header) or inline markup (strong, em): its text joins the parent's
        if CONTINUED_CLASS in (element.get("class") or "").split():
            last = parent.kids[-1] if parent.kids and isinstance(parent.kids[-1], _Node) else None
            if last is not None and last.element is not None and last.element.tag == element.tag:
                self.nodes[key] = last  # the rest of an element cut at a page: the same element
                return last
        node = parent.child(role, element, page)
        self.nodes[key] = node
        if role == "Table":
            table = _Table(element)
            self.alias.update(table.alias)
            self.tables.append((table, self.nodes))
        return node

    # ---- written out

    def finish_tables(self) -> None:
        count = 0
        for table, nodes in self.tables:
            for cell in table.own:
                node = nodes.get(id(cell.element))
                if node is None:
                    continue
                attrs = {"O": "/Table"}
                if cell.span != 1:
                    attrs["RowSpan"] = cell.span
                if cell.width != 1:
                    attrs["ColSpan"] = cell.width
                if cell.header:
                    attrs["Scope"] = "/Column" if _column_header(cell) else "/Row"
                node.attrs = attrs
            for cell in table.own:
                node = nodes.get(id(cell.element))
                if node is None or not cell.headers:
                    continue
                ids = []
                for header in cell.headers:
                    header_node = nodes.get(id(header.element))
                    if header_node is None:
                        continue
                    if header_node.ident is None:
                        count += 1
                        header_node.ident = f"th{count}"
                    ids.append(header_node.ident)
                if ids:
                    node.attrs["Headers"] = ids


def _prune(node: _Node) -> bool:
    """Drop empty elements other than a table's (an element cut at a page may leave an empty half)."""
    kept = []
    for kid in node.kids:
        if isinstance(kid, _Node) and not _prune(kid):
            continue
        kept.append(kid)
    node.kids = kept
    return bool(kept) or node.role in _KEEP_EMPTY


def add_tags(pdf, document, pdf_version, page_streams) -> None:
    """WeasyPrint's add_tags, the tree built as the module says."""
    import pydyf

    from weasyprint.logger import LOGGER

    _B.load()
    builder = _Builder()
    for number, (page, stream) in enumerate(zip(document.pages, page_streams)):
        tags = stream._tags
        builder.walk(page._page_box, builder.root, number, tags)
        if tags:
            raise RuntimeError(f"page {number + 1}: {len(tags)} marked content sequences outside the structure tree")
    builder.finish_tables()
    _prune(builder.root)

    parent_tree = pydyf.Dictionary({})
    pdf.add_object(parent_tree)
    root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": parent_tree.reference})
    pdf.add_object(root)
    pages = pdf.page_references
    refs: dict[int, object] = {}
    written: dict[int, object] = {}
    ids: list = []

    def emit(node: _Node, parent_ref) -> object:
        element = pydyf.Dictionary({"Type": "/StructElem", "S": f"/{node.role}", "P": parent_ref, "Pg": pages[node.page]})
        pdf.add_object(element)
        refs[id(node)] = element.reference
        written[id(node)] = element
        if node.ident is not None:
            element["ID"] = pydyf.String(node.ident)
            ids.append((node.ident, element.reference))
        if node.attrs:
            attrs = pydyf.Dictionary({})
            for key, value in node.attrs.items():
                attrs[key] = pydyf.Array([pydyf.String(v) for v in value]) if key == "Headers" else value
            element["A"] = attrs
        kids = pydyf.Array()
        for kid in node.kids:
            if isinstance(kid, _Node):
                kids.append(emit(kid, element.reference))
            else:
                page, mcid = kid
                if page == node.page:
                    kids.append(mcid)
                else:
                    kids.append(pydyf.Dictionary({"Type": "/MCR", "Pg": pages[page], "MCID": mcid}))
        element["K"] = kids
        return element.reference

    document_ref = emit(builder.root, root.reference)
    root["K"] = pydyf.Array([document_ref])
    if ids:
        # Elements with an ID are listed in the tree root's IDTree (ISO 32000-1, 14.7.2).
        tree = pydyf.Dictionary({"Names": pydyf.Array()})
        for ident, reference in sorted(ids):
            tree["Names"].extend([pydyf.String(ident), reference])
        pdf.add_object(tree)
        root["IDTree"] = tree.reference
    nums = pydyf.Array()
    for number in range(len(document.pages)):
        marks = builder.mcids.get(number, {})
        nums.extend([number, pydyf.Array([refs[id(marks[mcid])] for mcid in range(len(marks))])])
    for index, (node, annotation, page) in enumerate(builder.links, start=len(document.pages)):
        objr = pydyf.Dictionary({"Type": "/OBJR", "Obj": annotation.reference, "Pg": pages[page]})
        pdf.add_object(objr)
        written[id(node)]["K"].append(objr.reference)  # the link's text, then its annotation
        annotation["StructParent"] = index
        nums.extend([index, refs[id(node)]])
    parent_tree["Nums"] = nums
    pdf.catalog["StructTreeRoot"] = root.reference
    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    pdf.catalog["MarkInfo"] = pydyf.Dictionary({"Marked": "true"})
    if "Lang" not in pdf.catalog:
        LOGGER.error('Missing required "lang" attribute at the root of the document')


# PDF/UA-1's identification in the XMP, with the PDF/A extension schema PDF/A asks for any property
# outside its predefined schemas (ISO 19005-3, 6.6.2.3).
_UA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" \
xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">\
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">\
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>\
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>\
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>\
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">\
<pdfaProperty:name>part</pdfaProperty:name><pdfaProperty:valueType>Integer</pdfaProperty:valueType>\
<pdfaProperty:category>internal</pdfaProperty:category>\
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>\
</rdf:li></rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>\
<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/" pdfuaid:part="1"/>"""


def identify_ua(pdf) -> None:
    """Add PDF/UA-1's identification to the XMP WeasyPrint wrote for PDF/A (a finisher's step)."""
    reference = pdf.catalog.get("Metadata")
    if reference is None:
        raise RuntimeError("no XMP metadata to identify PDF/UA-1 in")
    stream = pdf.objects[int(bytes(reference).split()[0])]
    content = b"".join(bytes(chunk) for chunk in stream.stream)
    end = content.rindex(b"</rdf:RDF>")
    stream.stream = [content[:end] + _UA_XMP + content[end:]]


@contextmanager
def tagged(document):
    """While `document` is written: its structure tree built by this module, and the text of
    artifact_boxes(document) drawn as artifacts."""
    import weasyprint.pdf as pdf_module
    from weasyprint.pdf.stream import Stream

    artifacts = artifact_boxes(document)
    original_marked, original_add_tags = Stream.marked, pdf_module.add_tags

    def marked(stream, box, tag):
        if stream._tags is not None and id(box) in artifacts:
            return stream.artifact()
        return original_marked(stream, box, tag)

    Stream.marked = marked
    pdf_module.add_tags = add_tags
    try:
        yield
    finally:
        Stream.marked, pdf_module.add_tags = original_marked, original_add_tags
