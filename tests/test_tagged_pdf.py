"""The tagged PDF read back (tests/pdf_structure.py): on the seed, every example, a long form cut at
many page breaks and hostile text, the structure tree is whole, no text is untagged, every table is
regular and every value cell names its labels, the tree reads the YAML's text in the YAML's order,
continuation labels and the footer are artifacts, and the PDF/A and PDF/UA identifications agree;
poppler and LibreOffice open the PDFs; each kind of defect planted in a PDF is caught.

Each PDF is rendered once per module.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from fixtures import ROOT, SEED_YAML, squash, synthetic_declaration
from generator.input.load import load_file
from generator.pdf.writer import PdfRenderer
from generator.render.templates import markdown_to_html
from pdf_structure import Element, labels_of, problems, read, reading_text, rows_of
from site_fixtures import hostile_source

EXAMPLES = sorted((ROOT / "examples").rglob("*.yaml"))
# Prose fields go through Markdown: what they print is the text of the HTML it makes.
MARKDOWN_FIELDS = {"overall_goal", "content", "goal", "other_tasks", "expected", "actual", "reason"}
# The budget's two lists are printed side by side, row by row (spending beside income): read in the
# table's order, not one list after the other. Their names are checked to be in the tree, not in order.
SIDE_BY_SIDE = {"budget"}
# Uneven 二级 groups: one-row groups, groups over several pages (test_pdf.LABEL_GROUP_SIZES).
GROUP_SIZES = (1, 40, 2, 60, 1, 90, 3, 100, 3)
LINK = "[区政府网站](https://www.gzns.gov.cn/)"


def rendered(renderer: PdfRenderer, path: Path) -> bytes:
    loaded = load_file(path)
    assert renderer.check(loaded) == []
    data, found = renderer.render(loaded)
    assert found == [], [p.format() for p in found]
    return data


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer()


@pytest.fixture(scope="module")
def long_decl(tmp_path_factory):
    """40 tasks (the fourth about a page and a half), 300 indicators in groups of uneven sizes."""
    synthetic = synthetic_declaration(
        40, 300, long_task=3, long_paragraphs=10, group_sizes=GROUP_SIZES,
        dept_id="tagged-long", department="测试标记长表管理局",
    )
    return synthetic, synthetic.write(tmp_path_factory.mktemp("long"))


@pytest.fixture(scope="module")
def hostile_path(tmp_path_factory) -> Path:
    """The seed with hostile text in every string field, and a real link in the first task's content."""
    source = hostile_source()
    data = yaml.safe_load(source.text)
    data["tasks"][0]["content"] += f"\n\n详见{LINK}。"
    path = tmp_path_factory.mktemp("hostile") / "hostile-dept.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# A task whose content is one long list: cut over pages, an item cut in two (paginate's pg-cont).
LIST_ITEMS = [f"第{n}项清单事项，核对台账、现场复核并在月底前报送镇政府办公室备案，逐项销号管理。" * (1 + n % 3) for n in range(1, 61)]


@pytest.fixture(scope="module")
def list_path(tmp_path_factory) -> Path:
    synthetic = synthetic_declaration(3, 6, dept_id="tagged-list", department="测试标记清单管理局")
    data = yaml.safe_load(synthetic.text)
    data["tasks"][0]["content"] = "\n".join(f"{n}. {item}" for n, item in enumerate(LIST_ITEMS, 1)) + "\n    - 子项甲\n    - 子项乙"
    path = tmp_path_factory.mktemp("list") / "tagged-list.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sources(long_decl, hostile_path, list_path) -> dict[str, Path]:
    named = {"seed": SEED_YAML, "long": long_decl[1], "hostile": hostile_path, "list": list_path}
    named.update({path.relative_to(ROOT / "examples").as_posix(): path for path in EXAMPLES})
    return named


@pytest.fixture(scope="module")
def pdfs(renderer, sources) -> dict[str, bytes]:
    return {name: rendered(renderer, path) for name, path in sources.items()}


ALL = ["seed", "long", "hostile", "list", *(p.relative_to(ROOT / "examples").as_posix() for p in EXAMPLES)]


def test_there_are_examples_of_every_form():
    assert len(EXAMPLES) >= 4  # project targets and both self-evaluations, beside the seed's department target


@pytest.mark.parametrize("name", ALL)
def test_every_form_passes_the_structural_check(pdfs, name):
    doc = read(pdfs[name])
    assert problems(doc) == []


# ---- reading order: the YAML's text, in the YAML's order ------------------------------------------


def _html_text(html: str) -> str:
    import html as htmllib

    return htmllib.unescape(re.sub(r"<[^>]+>", "", html))


def yaml_leaves(data, path=()) -> list[tuple[tuple, str]]:
    """Each string of the declaration with its path, in the file's order, as it prints."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            out += yaml_leaves(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            out += yaml_leaves(value, (*path, index))
    elif isinstance(data, str):
        key = next((p for p in reversed(path) if isinstance(p, str)), "")
        text = _html_text(str(markdown_to_html(data))) if key in MARKDOWN_FIELDS else data
        out.append((path, squash(text)))
    return out


def _without_labels(doc, element: Element) -> str:
    """The tree's text without list markers (Lbl: 1. or •, which the YAML does not hold)."""
    if element.type == "Lbl":
        return ""
    return "".join(
        _without_labels(doc, kid) if isinstance(kid, Element) else doc.texts.get(kid, "") for kid in element.kids
    )


def _list_paths(data, path=()) -> list[tuple]:
    """The path of every list in the declaration (tasks, indicators, their groups and items …)."""
    out = []
    if isinstance(data, dict):
        for key, value in data.items():
            out += _list_paths(value, (*path, key))
    elif isinstance(data, list):
        out.append(path)
        for index, value in enumerate(data):
            out += _list_paths(value, (*path, index))
    return out


def order_problems(text: str, data, printed: str) -> tuple[list, list]:
    """Leaves that print but are not in the tree's text, and lists whose leaves the tree reads out of
    the YAML's order. The order of a mapping's keys is the form's, not the file's (a YAML mapping has
    none); a list's order is the author's, and the tree must keep it, and within each item the form's
    cells in the YAML's order (name, content, funds, goal; level3, values)."""
    leaves = [(path, leaf) for path, leaf in yaml_leaves(data) if leaf and leaf in printed]
    missing = [path for path, leaf in leaves if leaf not in text]
    order = []
    for prefix in _list_paths(data):
        if prefix[:1] and prefix[0] in SIDE_BY_SIDE:
            continue
        at = 0
        for path, leaf in leaves:
            if path[: len(prefix)] != prefix or path in missing:
                continue
            found = text.find(leaf, at)
            if found < 0:
                order.append(path)
                break
            at = found + len(leaf)
    return missing, order


@pytest.mark.parametrize("name", ALL)
def test_the_tree_reads_the_yaml_text_in_the_yaml_order(pdfs, sources, name):
    doc = read(pdfs[name])
    text = re.sub(r"\s+", "", _without_labels(doc, doc.root))
    data = yaml.safe_load(sources[name].read_text(encoding="utf-8"))
    printed = re.sub(r"\s+", "", subprocess.run(["pdftotext", "-", "-"], input=pdfs[name], capture_output=True, check=True).stdout.decode())
    missing, order = order_problems(text, data, printed)
    assert missing == [] and order == [], (missing[:5], order[:5])
    assert len(yaml_leaves(data)) > 10


def test_the_reading_order_check_sees_text_out_of_order_or_missing(pdfs, sources):
    """The check above fails on the seed's tree read against the YAML with two tasks swapped, or with
    a task's name the tree does not have."""
    data = yaml.safe_load(sources["seed"].read_text(encoding="utf-8"))
    doc = read(pdfs["seed"])
    text = re.sub(r"\s+", "", _without_labels(doc, doc.root))
    assert order_problems(text, data, text) == ([], [])
    data["tasks"][0], data["tasks"][1] = data["tasks"][1], data["tasks"][0]
    assert order_problems(text, data, text)[1]
    name = squash(data["tasks"][2]["name"])
    assert order_problems(text.replace(name, ""), data, text)[0] == [("tasks", 2, "name")]


# ---- the parts of the tree a reader meets ----------------------------------------------------------


def _cells(doc, kind: str, text: str) -> list[Element]:
    return [e for e in doc.root.elements() if e.type == kind and squash(doc.text(e)) == squash(text)]


def _table_of(element: Element) -> Element:
    while element.type != "Table":
        element = element.parent
    return element


def test_the_title_is_the_first_heading_and_the_document_title(pdfs):
    doc = read(pdfs["seed"])
    seed = yaml.safe_load(SEED_YAML.read_text(encoding="utf-8"))
    first = next(e for e in doc.root.elements() if doc.text(e).strip() and e.type not in ("Document", "Art"))
    assert (first.type, doc.text(first)) == ("H1", seed["title"])
    assert seed["department"]["name"] in doc.reader.metadata["/Title"]
    assert str(doc.reader.trailer["/Root"]["/Lang"]) == "zh-CN"


def test_value_cells_are_read_with_their_labels(pdfs):
    doc = read(pdfs["seed"])
    seed = yaml.safe_load(SEED_YAML.read_text(encoding="utf-8"))
    name = only(_cells(doc, "TD", seed["department"]["name"]))
    assert labels_of(doc, name, _table_of(name)) == ["部门名称"]
    amount = only(_cells(doc, "TD", "9,830.96"))  # 基本支出
    assert set(labels_of(doc, amount, _table_of(amount))) >= {"基本支出", "预算金额（万元）", "预算整体情况"}
    category = seed["indicators"][0]
    group = category["groups"][0]
    item = group["items"][0]
    value = next(c for c in _cells(doc, "TD", item["period_value"]) if item["level3"] in labels_of(doc, c, _table_of(c)))
    labels = labels_of(doc, value, _table_of(value))
    assert {item["level3"], group["level2"], category["level1"]} <= set(labels)
    assert any(label.startswith("指标值") or "指标值" in label for label in labels), labels
    task = seed["tasks"][0]
    content = next(c for c in doc.root.elements() if c.type == "TD" and squash(doc.text(c)).startswith(squash(task["content"])[:20]))
    assert squash(task["name"]) in [squash(label) for label in labels_of(doc, content, _table_of(content))]


def only(found: list):
    assert len(found) == 1, len(found)
    return found[0]


def test_prose_is_paragraphs_and_links_are_links(pdfs):
    doc = read(pdfs["hostile"])
    kinds = {e.type for e in doc.root.elements()}
    assert {"P", "Table", "TR", "TH", "TD"} <= kinds
    link = [e for e in doc.root.elements() if e.type == "Link"]
    assert [doc.text(e) for e in link] == ["区政府网站"]


def test_a_list_cut_over_pages_is_one_list_of_its_items(pdfs):
    doc = read(pdfs["list"])
    assert len(doc.reader.pages) > 2
    printed = subprocess.run(["pdftotext", "-", "-"], input=pdfs["list"], capture_output=True, check=True).stdout.decode()
    lists = [e for e in doc.root.elements() if e.type == "L"]
    outer = only([e for e in lists if e.parent.type == "TD"])
    items = [k for k in outer.kids if isinstance(k, Element)]
    assert [i.type for i in items] == ["LI"] * len(LIST_ITEMS)
    for item, text in zip(items, LIST_ITEMS):
        kids = [k for k in item.kids if isinstance(k, Element)]
        assert [k.type for k in kids] == ["Lbl", "LBody"], [k.type for k in kids]
        assert squash(doc.text(kids[1])).startswith(squash(text)), (doc.text(kids[1])[:30], text[:30])
    # The numbers read are the numbers printed, 1 to 60 over every page the list is cut at.
    assert [doc.text(i.kids[0]).strip() for i in items] == [f"{n}." for n in range(1, len(LIST_ITEMS) + 1)]
    # The nested list hangs in its item's body, its items read after their parent's text.
    nested = only([e for e in lists if e is not outer])
    assert nested.parent.type == "LBody" and [squash(doc.text(k)) for k in nested.kids if isinstance(k, Element)][-1].endswith("子项乙")
    # The item cut at a page is read once, whole (its second part carries no label of its own).
    assert sum(1 for e in doc.root.elements() if e.type == "Lbl") == len(LIST_ITEMS) + 2
    assert len(printed) > 0


def test_labels_repeated_on_later_pages_and_the_footer_are_artifacts(pdfs, long_decl):
    synthetic, _source = long_decl
    data = pdfs["long"]
    doc = read(data)
    pages = len(doc.reader.pages)
    assert pages > 10
    printed = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    assert "（续）" in printed and f"共 {pages} 页" in printed  # printed, for the eye
    text = reading_text(doc)
    assert "（续）" not in text and "共" + str(pages) + "页" not in text  # not read out
    headers = [squash(doc.text(e)) for e in doc.root.elements() if e.type == "TH"]
    # Each label is one header cell, read once, however many pages its rows run over.
    for _level1, level2 in synthetic.level2_groups:
        assert headers.count(squash(level2)) == 1, level2
    for label in ("一级指标", "年度重点工作任务", "主要实施内容"):
        assert headers.count(label) == 1, label
    for task in synthetic.tasks:
        assert headers.count(squash(task.name)) == 1, task.name


def test_cells_cut_at_page_breaks_are_one_cell_spanning_their_rows(pdfs, long_decl):
    synthetic, _source = long_decl
    doc = read(pdfs["long"])
    long_task = synthetic.tasks[3]
    cells = [e for e in doc.root.elements() if e.type == "TD" and squash(long_task.paragraphs[0])[:30] in squash(doc.text(e))]
    content = squash(doc.text(only(cells)))
    assert all(squash(p) in content for p in long_task.paragraphs)  # the whole task's text in one cell
    table = only([e for e in doc.root.elements() if e.type == "Table" and "一级指标" in doc.text(e)])
    spans = {squash(doc.text(e)): int(e.attrs.get("RowSpan", 1)) for e in table.elements() if e.type == "TH"}
    for (level1, level2), size in zip(synthetic.level2_groups, GROUP_SIZES):
        assert spans[squash(level2)] == size, level2
    for level1 in synthetic.level1_names:
        rows = sum(size for (l1, _l2), size in zip(synthetic.level2_groups, GROUP_SIZES) if l1 == level1)
        assert spans[squash(level1)] == rows, level1
    assert len(rows_of(table)) == 1 + sum(GROUP_SIZES)


def test_the_seed_stays_small_and_tagged_rebuilds_are_identical(pdfs, renderer):
    assert len(pdfs["seed"]) < 300 * 1024
    assert rendered(renderer, SEED_YAML) == pdfs["seed"]


# ---- other readers open them ----------------------------------------------------------------------


def test_poppler_and_libreoffice_open_every_tagged_pdf(pdfs, tmp_path):
    assert shutil.which("soffice"), "LibreOffice (soffice) is not installed"
    folder = tmp_path / "pdf"
    folder.mkdir()
    names = {}
    for index, (name, data) in enumerate(sorted(pdfs.items())):
        path = folder / f"form{index}.pdf"
        path.write_bytes(data)
        names[path.stem] = name
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        title = read(data).reader.metadata["/Title"]
        assert squash(title.split(" ")[0])[:6] in squash(text), name
    out = tmp_path / "odg"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--norestore",
         "--infilter=draw_pdf_import", "--convert-to", "odg", "--outdir", str(out), *sorted(map(str, folder.glob("*.pdf")))],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stderr
    for stem, name in names.items():
        drawing = out / f"{stem}.odg"
        assert drawing.is_file(), name
        content = zipfile.ZipFile(drawing).read("content.xml").decode("utf-8")
        # Draw's import keeps the text: the department's name is on the first page.
        pages = content.count("<draw:page ")
        assert pages == len(PdfReader(io.BytesIO(pdfs[name])).pages), name
        assert "部门" in content or "项目" in content, name


# ---- the check catches each kind of defect -------------------------------------------------------------


def _edited(data: bytes, edit) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    edit(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _untag_cell(text: str):
    """The cell's marked content made a plain (MCID-less) sequence: its text belongs to no element."""

    def edit(writer):
        doc = read(_written(writer))
        cell = only(_cells(doc, "TD", text))
        page, mcid = next(k for k in cell.kids if isinstance(k, tuple))
        target = writer.pages[page]
        content = target.get_contents().get_data()
        marked = f"/Span\n<</MCID {mcid}>>\nBDC".encode()
        assert content.count(marked) == 1
        stream = DecodedStreamObject()
        stream.set_data(content.replace(marked, b"/Span\nBMC"))
        target.replace_contents(stream)

    return edit


def _written(writer) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _unlabel_cell(text: str):
    """The cell's /Headers removed: a value read without its label."""

    def edit(writer):
        doc = read(_written(writer))
        cell = only(_cells(doc, "TD", text))
        element = writer.get_object(cell.ref)
        del element["/A"][NameObject("/Headers")]

    return edit


def _unspan_cell(text: str):
    """The cell's ColSpan removed: its row is shorter than the others."""

    def edit(writer):
        doc = read(_written(writer))
        cell = only(_cells(doc, "TD", text))
        del writer.get_object(cell.ref)["/A"][NameObject("/ColSpan")]

    return edit


def _drop_ua(writer):
    root = writer._root_object
    metadata = root["/Metadata"].get_object()
    data = metadata.get_data().replace(b'pdfuaid:part="1"', b"")
    metadata.set_data(data)


def _artifact_to_text(writer):
    """The footer's artifact marks removed: its text drawn outside any marked content."""
    page = writer.pages[0]
    content = page.get_contents().get_data()
    mark = b"/Artifact\nBMC"
    # The last artifact that draws text (BT … ET) is the footer's: margin boxes are painted last.
    starts = [m.start() for m in re.finditer(re.escape(mark), content)]
    footer = next(s for s in reversed(starts) if b"BT" in content[s : content.index(b"EMC", s)])
    end = content.index(b"EMC", footer)
    stream = DecodedStreamObject()
    stream.set_data(content[:footer] + b"q" + content[footer + len(mark) : end] + b"Q" + content[end + 3 :])
    page.replace_contents(stream)


DEFECTS = {
    "an untagged cell": (lambda: _untag_cell("广州市南沙区东涌镇人民政府"), "untagged text"),
    "a value cell tied to no label": (lambda: _unlabel_cell("广州市南沙区东涌镇人民政府"), "tied to no label"),
    "a row shorter than the others": (lambda: _unspan_cell("广州市南沙区东涌镇人民政府"), "columns after spans"),
    "no PDF/UA identification": (lambda: _drop_ua, "PDF/UA identification"),
}


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_the_check_catches_each_planted_defect(pdfs, defect):
    make, expected = DEFECTS[defect]
    assert problems(read(pdfs["seed"])) == []
    found = problems(read(_edited(pdfs["seed"], make())))
    assert any(expected in problem for problem in found), found


def test_the_check_catches_the_footer_drawn_as_text(pdfs):
    found = problems(read(_edited(pdfs["seed"], _artifact_to_text)))
    assert any("untagged text" in problem and "页" in problem for problem in found), found
