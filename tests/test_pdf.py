"""The filing PDF read back with pypdf and poppler (pdftotext, pdffonts, pdfinfo): the seed's every cell
in order, page size, fonts, metadata, PDF/A-3a and PDF/UA-1 identification, footer, attached source, size,
determinism; WeasyPrint warnings and missing glyphs refused; a long declaration broken across pages
without losing or overprinting anything.

Each PDF is rendered once per module (the seed ~1 s, the long declaration a few seconds).
"""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from fixtures import (
    ROOT,
    SEED_YAML,
    Layout,
    line_of,
    pdf_runs_and_rules,
    pdf_text,
    pdffonts,
    read_layout,
    run,
    seed_reference,
    squash,
    synthetic_declaration,
)
from generator.pdf import writer as pdf_module
from generator.input.load import load_file
from generator.pdf.writer import FontError, FontSettings, PdfRenderer

JIXIAO = Path(sys.executable).parent / "jixiao"
A4_LANDSCAPE = (841.89, 595.28)  # points
FOOTER = re.compile(r"^第(\d+)页共(\d+)页$")
SIZE_LIMIT = 600 * 1024


def page_body(width: float, height: float) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of the page body in points from the top-left, from print.css's @page."""
    css = (ROOT / "templates" / "static" / "print.css").read_text(encoding="utf-8")
    found = re.search(r"@page\s*\{[^}]*?margin:\s*([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm\s+([\d.]+)mm", css)
    assert found, "print.css's @page has no `margin: top right bottom left` in mm"
    top, right, bottom, left = (float(v) * 72 / 25.4 for v in found.groups())
    return left, top, width - right, height - bottom


def seed_data() -> dict:
    return yaml.safe_load(SEED_YAML.read_text(encoding="utf-8"))


def rendered(renderer: PdfRenderer, loaded) -> bytes:
    """The PDF's bytes from a render that must report nothing."""
    assert renderer.check(loaded) == []
    data, problems = renderer.render(loaded)
    assert problems == [], [p.format() for p in problems]
    return data


# ---- module fixtures: one renderer, each PDF rendered once ----------------------------------------


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer()


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory) -> Path:
    """The seed built by the real command, as a user runs it."""
    out = tmp_path_factory.mktemp("seed-out")
    result = subprocess.run(
        [str(JIXIAO), "build", "pdf", "--out", str(out), "declarations/2024/nansha-dongchong.yaml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    path = out / "pdf" / "2024" / "nansha-dongchong.pdf"
    assert path.is_file(), result.stdout + result.stderr
    return path


@pytest.fixture(scope="module")
def seed_layout(seed_pdf) -> Layout:
    return read_layout(seed_pdf)


@pytest.fixture(scope="module")
def long_decl(tmp_path_factory):
    """60 tasks (the sixth longer than a page), 300 indicators over nine 二级 groups under three 一级."""
    synthetic = synthetic_declaration(60, 300, long_task=5, dept_id="long-dept", department="测试长表综合管理局")
    folder = tmp_path_factory.mktemp("long")
    return synthetic, synthetic.write(folder)


@pytest.fixture(scope="module")
def long_pdf(long_decl, renderer, tmp_path_factory) -> Path:
    synthetic, source = long_decl
    path = tmp_path_factory.mktemp("long-out") / "long-dept.pdf"
    path.write_bytes(rendered(renderer, load_file(source)))
    return path


@pytest.fixture(scope="module")
def long_layout(long_pdf) -> Layout:
    return read_layout(long_pdf)


# ---- the seed: every cell of the reference text, in order ------------------------------------------


def reference_cells() -> list[str]:
    """seed.txt's cells in reading order. A row whose first cell repeats an earlier row's first cell is
    the block label the original PDF printed again after a page break (年度重点工作任务): that
    repetition is dropped, as form-notes.md reads the dump."""
    cells, labels = [], set()
    for row in seed_reference():
        if row[0] in labels:
            row = row[1:]
        else:
            labels.add(row[0])
        cells.extend(row)
    return cells


def test_reference_text_is_read_as_the_notes_describe():
    cells = reference_cells()
    assert cells[0] == "部门整体预算绩效目标申报表"
    assert cells.count("年度重点工作任务") == 1
    assert "其他需完成的任务（可选填）" in cells
    assert not any("<p>" in c or re.search(r"\s", c) for c in cells)
    assert len(cells) > 100


def test_every_reference_cell_is_in_the_pdf_whole_and_in_order(seed_layout):
    position, missing, found = 0, [], []
    for cell in reference_cells():
        match = seed_layout.match(cell, position)
        if match is None:
            missing.append((cell[:40], position))
            continue
        position = match[0] + 1
        found.append(match)
    assert not missing, f"not found (whole, after the previous cell): {missing}"
    # The tasks' long cells broke across pages and were still found whole.
    assert any(len(cells) > 1 for _index, cells in found)


def test_blocks_tasks_and_indicators_come_in_order(seed_layout):
    data = seed_data()

    def where(text: str, after: int = 0) -> int:
        match = seed_layout.match(text, after)
        assert match is not None, text
        return match[0]

    blocks = ["部门名称", "基本信息", "预算整体情况", "总体绩效目标", "年度重点工作任务", "其他需完成的任务（可选填）", "一级指标"]
    indexes = [where(label) for label in blocks]
    assert indexes == sorted(indexes) and len(set(indexes)) == len(indexes)
    tasks = [where(task["name"]) for task in data["tasks"]]
    assert tasks == sorted(tasks) and indexes[4] < tasks[0] < indexes[5]
    level3 = [
        item["level3"] for cat in data["indicators"] for group in cat["groups"] for item in group["items"]
    ]
    rows = [where(name) for name in level3]
    assert rows == sorted(rows) and indexes[6] < rows[0]


def test_amounts_are_printed_as_filed(seed_layout, seed_pdf):
    data = seed_data()
    budget = data["budget"]
    raw = [budget["spending"]["basic"], budget["spending"]["project"]]
    raw += [line["amount"] for key in ("income", "development", "by_level") for line in budget[key]]
    raw += [task["funds"] for task in data["tasks"]]
    text = squash(pdf_text(seed_pdf))
    for amount in raw:
        shown = f"{Decimal(str(amount)):,.2f}"
        assert seed_layout.find(shown), f"no cell reads {shown}"
        if Decimal(str(amount)) >= 1000:
            assert f"{Decimal(str(amount)):.2f}" not in text  # never without the separator
    for literal in ("9,830.96", "52,906.00"):
        assert len(seed_layout.find(literal)) == 1


def test_no_amount_is_printed_before_its_task_name(seed_layout, long_layout, long_decl):
    """A task row broken at a page foot never leaves its amount there without (the start of) its name:
    the amount is in the row where the name begins, or, the name itself running over, beside its end."""
    seed_tasks = [(t["name"], f"{Decimal(str(t['funds'])):,.2f}") for t in seed_data()["tasks"]]
    long_tasks = [(t.name, f"{t.funds:,.2f}") for t in long_decl[0].tasks]
    assert len({amount for _name, amount in long_tasks}) == len(long_tasks)  # each amount findable
    for layout, tasks, strict in ((seed_layout, seed_tasks, True), (long_layout, long_tasks, False)):
        position = 0
        for name, amount in tasks:
            index, name_cells = layout.match(name, position)
            amounts = [i for i in range(position, len(layout.cells)) if layout.cells[i].text == amount]
            assert amounts and amounts[0] > index, (name, amount)  # not before its name
            cell, start = layout.cells[amounts[0]], name_cells[0]
            in_first_row = (cell.page, round(cell.top, 1)) == (start.page, round(start.top, 1))
            beside_the_rest = cell.page == name_cells[-1].page > start.page
            assert in_first_row or (beside_the_rest and not strict), (name, amount, cell.page, start.page)
            position = index + 1


# ---- the seed: page, fonts, metadata, attachment, footer, size -------------------------------------


def test_every_page_is_a4_landscape(seed_pdf):
    reader = PdfReader(seed_pdf)
    assert len(reader.pages) >= 2
    for page in reader.pages:
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(A4_LANDSCAPE, abs=0.01)
    assert "A4" in run("pdfinfo", str(seed_pdf))


def test_fonts_are_embedded_subsets_of_two_faces(seed_pdf):
    fonts = pdffonts(seed_pdf)
    assert fonts
    for font in fonts:
        assert font.embedded and font.subset and font.unicode, font
        assert re.fullmatch(r"[A-Z]{6}\+\S+", font.name), font.name
    faces = {font.name.split("+", 1)[1].replace("-", " ") for font in fonts}
    assert faces == {"Noto Serif CJK SC", "Noto Sans CJK SC Bold"}
    # Every font program is in the file (FontFile, FontFile2 or FontFile3 on each descriptor).
    reader = PdfReader(seed_pdf)
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            for descendant in ref.get_object().get("/DescendantFonts", [ref]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), descriptor


def test_metadata_language_and_pdfa_identification(seed_pdf):
    data = seed_data()
    name, year, title = data["department"]["name"], str(data["year"]), data["title"]
    reader = PdfReader(seed_pdf)
    info = reader.metadata
    assert info.title == f"{name} {year}年度{title}"
    assert info.author == name
    assert year in info.subject and title in info.subject
    keywords = [k.strip() for k in info["/Keywords"].split(",")]
    assert year in keywords and name in keywords and title in keywords
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "zh-CN"
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    assert len(reader.trailer["/ID"]) == 2
    # PDF/A-3 is built on PDF 1.7; the header WeasyPrint writes for it must survive post-processing.
    from weasyprint.pdf import VARIANTS

    assert reader.pdf_header == f"%PDF-{VARIANTS[pdf_module.PDF_VARIANT][1]['pdf_version']}"
    xmp = ET.fromstring(root["/Metadata"].get_object().get_data())
    ns = {
        "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "pdfaid": "http://www.aiim.org/pdfa/ns/id/",
        "pdfuaid": "http://www.aiim.org/pdfua/ns/id/",
        "dc": "http://purl.org/dc/elements/1.1/",
    }
    descriptions = xmp.findall(".//rdf:Description", ns)
    part = {d.get(f"{{{ns['pdfaid']}}}part") for d in descriptions} - {None}
    conformance = {d.get(f"{{{ns['pdfaid']}}}conformance") for d in descriptions} - {None}
    # PDF/A-3a (tagged, README "PDF"), and PDF/UA-1 beside it.
    assert part == {"3"} and conformance == {"A"}
    assert {d.get(f"{{{ns['pdfuaid']}}}part") for d in descriptions} - {None} == {"1"}
    assert [e.text for e in xmp.findall(".//dc:title//rdf:li", ns)] == [info.title]
    assert [e.text for e in xmp.findall(".//dc:creator//rdf:li", ns)] == [name]


def test_the_yaml_source_is_attached_byte_for_byte(seed_pdf):
    reader = PdfReader(seed_pdf)
    attachments = reader.attachments
    assert list(attachments) == ["nansha-dongchong.yaml"]
    assert attachments["nansha-dongchong.yaml"] == [SEED_YAML.read_bytes()]
    root = reader.trailer["/Root"]
    names = root["/Names"]["/EmbeddedFiles"].get_object()["/Names"]
    filespec = names[1].get_object()
    assert filespec["/AFRelationship"] == "/Source"
    assert filespec["/UF"] == "nansha-dongchong.yaml"
    assert [ref.idnum for ref in root["/AF"]] == [names[1].idnum]  # listed once (WeasyPrint writes it twice)
    assert filespec["/EF"]["/F"].get_object()["/Type"] == "/EmbeddedFile"
    assert filespec["/EF"]["/F"].get_object()["/Subtype"] == "/application/yaml"


def test_footer_numbers_every_page(seed_pdf, seed_layout, long_layout):
    for path, layout in ((seed_pdf, seed_layout), (None, long_layout)):
        total = layout.pages
        if path is not None:
            assert re.search(rf"^Pages:\s+{total}$", run("pdfinfo", str(path)), re.M)
        for page in range(1, total + 1):
            footers = [c for c in layout.page_cells(page) if FOOTER.match(c.text)]
            assert [FOOTER.match(c.text).groups() for c in footers] == [(str(page), str(total))], page
            width, height = layout.sizes[page - 1]
            _left, _top, _right, bottom = page_body(width, height)
            footer = footers[0]
            assert footer.loose and footer.top >= bottom  # in the bottom margin, outside any table
            assert (footer.left + footer.right) / 2 == pytest.approx(width / 2, abs=3)


def test_seed_pdf_is_small(seed_pdf):
    size = seed_pdf.stat().st_size
    print(f"seed PDF: {size:,} bytes")
    assert size < SIZE_LIMIT


# ---- determinism and warnings ------------------------------------------------------------------


def test_render_logs_no_warning_and_matches_the_command_byte_for_byte(caplog, seed_pdf):
    caplog.set_level(logging.DEBUG, logger="weasyprint")
    in_process = rendered(PdfRenderer(), load_file(SEED_YAML))
    warnings = [r for r in caplog.records if r.name.startswith("weasyprint") and r.levelno >= logging.WARNING]
    assert warnings == []
    assert in_process == seed_pdf.read_bytes()


def test_two_runs_of_the_command_write_identical_files(seed_pdf, tmp_path):
    result = subprocess.run(
        [str(JIXIAO), "build", "pdf", "--out", str(tmp_path), "declarations/2024/nansha-dongchong.yaml"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "pdf" / "2024" / "nansha-dongchong.pdf").read_bytes() == seed_pdf.read_bytes()


@pytest.fixture
def small_declaration(tmp_path) -> Path:
    return synthetic_declaration(2, 3, dept_id="small-dept").write(tmp_path)


def test_a_stylesheet_problem_fails_the_render(tmp_path, monkeypatch, caplog, small_declaration):
    templates = tmp_path / "templates"
    shutil.copytree(pdf_module.TEMPLATES, templates)
    with (templates / "static" / "print.css").open("a", encoding="utf-8") as css:
        css.write("\n.form-table td { colr: red; }\n")
    monkeypatch.setattr(pdf_module, "TEMPLATES", templates)
    caplog.set_level(logging.WARNING, logger="weasyprint")
    renderer = PdfRenderer()
    data, problems = renderer.render(load_file(small_declaration))
    assert data is None
    assert {p.code for p in problems} == {"J510"} and all(p.is_error for p in problems)
    assert any("colr" in p.message for p in problems)
    assert any("colr" in r.getMessage() for r in caplog.records)  # caplog sees WeasyPrint's warnings


def test_a_problem_found_while_laying_out_fails_the_render(renderer, monkeypatch, small_declaration):
    real = pdf_module.render_form

    def with_bad_style(*args, **kwargs):
        return real(*args, **kwargs).replace("</head>", "<style>p { colour: red; }</style></head>")

    monkeypatch.setattr(pdf_module, "render_form", with_bad_style)
    data, problems = renderer.render(load_file(small_declaration))
    assert data is None
    assert [p.code for p in problems] == ["J510"]
    assert "colour" in problems[0].message


def test_a_face_that_is_not_installed_is_refused():
    with pytest.raises(FontError, match="Jixiao No Such Serif"):
        PdfRenderer(FontSettings(body="Jixiao No Such Serif"))
    with pytest.raises(FontError, match="Jixiao No Such Sans"):
        PdfRenderer(FontSettings(heading="Jixiao No Such Sans"))


# ---- characters the fonts lack ------------------------------------------------------------------


def test_a_character_the_fonts_lack_is_refused_with_field_and_line(renderer, tmp_path):
    synthetic = synthetic_declaration(3, 4, dept_id="tofu-dept")
    name, goal = synthetic.tasks[2].name, synthetic.tasks[1].goal
    text = synthetic.text.replace(name, name + "𓀀").replace(goal, goal + "\U0010fffd")
    path = tmp_path / "2025" / "tofu-dept.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    problems = sorted(renderer.check(load_file(path)), key=lambda p: p.line)
    assert [p.code for p in problems] == ["J501", "J501"]
    goal_problem, name_problem = problems
    assert name_problem.line == line_of(text, name + "𓀀")
    assert name_problem.field.startswith("tasks[3].name")
    assert "「𓀀」（U+13000）" in name_problem.message
    assert goal_problem.line == line_of(text, goal + "\U0010fffd")
    assert goal_problem.field.startswith("tasks[2].goal")
    assert "U+10FFFD" in goal_problem.message
    assert all(p.file == str(path) and p.is_error for p in problems)


# ---- a long declaration --------------------------------------------------------------------------


def test_long_declaration_breaks_across_pages(long_layout):
    assert long_layout.pages >= 10
    for width, height in long_layout.sizes:
        assert (width, height) == pytest.approx(A4_LANDSCAPE, abs=0.01)


def test_long_declaration_loses_no_text(long_layout, long_decl, long_pdf):
    synthetic, _source = long_decl
    position = 0
    for task in synthetic.tasks:
        for text in (task.name, task.content.replace("\n\n", ""), f"{task.funds:,.2f}", task.goal):
            match = long_layout.match(text, position)
            assert match is not None, text[:40]
        position = long_layout.match(task.name, position)[0] + 1
    position = 0
    for row in synthetic.indicators:
        for text in (row.level3, *row.values):
            match = long_layout.match(text, position)
            assert match is not None, text
            position = match[0] + 1
    assert position > 0


def test_long_task_is_whole_over_several_pages_with_every_sentinel_once(long_layout, long_decl):
    synthetic, _source = long_decl
    long_task = synthetic.tasks[5]
    match = long_layout.match(long_task.content.replace("\n\n", ""))
    assert match is not None
    _index, cells = match
    assert len({cell.page for cell in cells}) >= 3  # longer than a page: it spans at least three
    joined = "".join(cell.text for cell in cells)
    assert len(synthetic.sentinels) == 36
    for token in synthetic.sentinels:
        assert joined.count(token) == 1, token
    everything = squash(" ".join(w.text for w in long_layout.words))
    for token in synthetic.sentinels:  # and nowhere else in the document
        assert everything.count(token) <= 1


def header_pages(layout: Layout, labels: list[str]) -> dict[int, float]:
    """Pages on which all `labels` head one row, left to right: page → the row's top."""
    found = {}
    for page in range(1, layout.pages + 1):
        cells = {c.text: c for c in layout.page_cells(page) if not c.loose}
        if all(label in cells for label in labels):
            row = [cells[label] for label in labels]
            tops = {round(c.top, 1) for c in row}
            lefts = [c.left for c in row]
            if len(tops) == 1 and lefts == sorted(lefts):
                found[page] = row[0].top
    return found


def spanned_pages(layout: Layout, texts: list[str]) -> tuple[int, int]:
    first = layout.match(texts[0])
    last = layout.match(texts[-1], first[0])
    return first[1][0].page, last[1][-1].page


def test_header_rows_repeat_on_every_page_their_table_spans(long_layout, long_decl):
    synthetic, _source = long_decl
    for labels, texts in (
        (
            ["年度重点工作任务", "名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"],
            [synthetic.tasks[0].name, synthetic.tasks[-1].goal],
        ),
        (
            ["一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"],
            [synthetic.indicators[0].level3, synthetic.indicators[-1].annual_value],
        ),
    ):
        first, last = spanned_pages(long_layout, texts)
        assert last > first
        heads = header_pages(long_layout, labels)
        for page in range(first, last + 1):
            assert page in heads, (labels[1], page)
            # The header heads the table: no cell of its table above it on the page.
            body = [c for c in long_layout.page_cells(page) if not c.loose and c.top < heads[page] - 1]
            assert all(c.bottom <= heads[page] + 1 for c in body), page


def test_merged_indicator_cells_keep_their_text_where_their_rows_begin(long_layout, long_decl):
    synthetic, _source = long_decl
    rows = synthetic.indicators
    level1_column = long_layout.find("一级指标")[0].column()
    level2_column = long_layout.find("二级指标")[0].column()
    for names, column in ((synthetic.level1_names, level1_column), (synthetic.level2_groups, level2_column)):
        for key in names:
            label = key if isinstance(key, str) else key[1]
            members = [r for r in rows if (r.level1 if isinstance(key, str) else (r.level1, r.level2)) == key]
            first_row = long_layout.find(members[0].level3)[0]
            last_row = long_layout.find(members[-1].level3)[0]
            cells = [c for c in long_layout.find(label) if c.column() == column]
            assert cells, label
            cell = cells[0]
            # Drawn once at least, on the page where its first row is, beside that row.
            assert cell.page == first_row.page, label
            assert abs(cell.top - first_row.top) < 1, label
            assert last_row.page >= cell.page
    groups_over_a_break = [
        g for g in synthetic.level2_groups
        if len({long_layout.find(r.level3)[0].page for r in rows if (r.level1, r.level2) == g}) > 1
    ]
    assert groups_over_a_break  # the case in question did occur


def text_inside(layout: Layout) -> list[str]:
    """Everything drawn outside the page body, other than the footer."""
    outside = []
    for page in range(1, layout.pages + 1):
        width, height = layout.sizes[page - 1]
        left, top, right, bottom = page_body(width, height)
        footer = [c for c in layout.page_cells(page) if FOOTER.match(c.text)]
        footer_words = {id(w) for c in footer for w in c.words}
        for word in layout.words:
            if word.page != page or id(word) in footer_words:
                continue
            # pdftotext's box spans the font's ascent and descent: allow a point either side.
            if word.x0 < left - 1 or word.x1 > right + 1 or word.y0 < top - 1 or word.y1 > bottom + 1:
                outside.append(f"p{page} word {word.text!r} at {word.x0:.1f},{word.y0:.1f}-{word.x1:.1f},{word.y1:.1f}")
        for run_ in layout.runs:
            if run_.page != page or FOOTER.match(squash(run_.text)):
                continue
            # pypdf's visitor gives each run's baseline origin.
            if not (top <= run_.y <= bottom and left - 1 <= run_.x <= right):
                outside.append(f"p{page} run {run_.text[:20]!r} at {run_.x:.1f},{run_.y:.1f}")
    return outside


def overprinted(layout: Layout) -> list[str]:
    """Pairs of words whose boxes (shrunk to their middle half in height) overlap on a page."""
    clashes = []
    for page in range(1, layout.pages + 1):
        words = sorted((w for w in layout.words if w.page == page), key=lambda w: w.y0)
        boxes = [(w, w.x0 + 0.5, w.y0 + (w.y1 - w.y0) / 4, w.x1 - 0.5, w.y1 - (w.y1 - w.y0) / 4) for w in words]
        for i, (a, ax0, ay0, ax1, ay1) in enumerate(boxes):
            for b, bx0, by0, bx1, by1 in boxes[i + 1:]:
                if by0 >= ay1 + 20:
                    break
                if ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1:
                    clashes.append(f"p{page}: {a.text!r} / {b.text!r}")
    return clashes


def test_nothing_is_drawn_in_the_margins_or_over_other_text(seed_layout, long_layout):
    for layout in (seed_layout, long_layout):
        assert layout.runs and layout.words
        assert text_inside(layout) == []
        assert overprinted(layout) == []


def test_the_margin_check_sees_text_in_the_margin(seed_layout):
    """The check above can fail: a page whose body is shrunk by 2 cm leaves text outside it."""
    import copy

    shrunk = copy.copy(seed_layout)
    shrunk.sizes = [(w - 60, h - 60) for w, h in seed_layout.sizes]
    assert text_inside(shrunk)


def test_long_pdf_size(long_pdf):
    size = long_pdf.stat().st_size
    print(f"long PDF: {size:,} bytes")
    assert size < SIZE_LIMIT


# ---- page breaks: labels on every page, groups kept whole, rules closed, nothing outside the grid -----

# Nine 二级 groups of very different sizes: one-row groups (their （续） label is longer than the row),
# groups over several pages, and a last one small enough to be moved whole.
LABEL_GROUP_SIZES = (1, 40, 2, 60, 1, 90, 3, 100, 3)


@pytest.fixture(scope="module")
def labels_decl(tmp_path_factory):
    """40 tasks (the fourth about a page and a half), 300 indicators in groups of uneven sizes."""
    synthetic = synthetic_declaration(
        40, 300, long_task=3, long_paragraphs=10, group_sizes=LABEL_GROUP_SIZES,
        dept_id="labels-dept", department="测试续页标签管理局",
    )
    return synthetic, synthetic.write(tmp_path_factory.mktemp("labels"))


@pytest.fixture(scope="module")
def labels_layout(labels_decl, renderer, tmp_path_factory) -> Layout:
    _synthetic, source = labels_decl
    path = tmp_path_factory.mktemp("labels-out") / "labels-dept.pdf"
    path.write_bytes(rendered(renderer, load_file(source)))
    return read_layout(path)


def column_of(layout: Layout, header: str) -> tuple[float, float]:
    return layout.find(header)[0].column()


def label_problems(layout: Layout, synthetic) -> tuple[list[str], set[int]]:
    """Indicator rows without their 一级/二级 label beside them (the name where the group begins,
    name（续） where it goes on from the page before), labels printed as themselves more than once,
    names and values not printed exactly once; and the pages that have indicator rows."""
    problems = []
    rows = {squash(r.level3): r for r in synthetic.indicators}
    columns = {"level1": column_of(layout, "一级指标"), "level2": column_of(layout, "二级指标")}
    pages = set()
    for cell in layout.cells:
        row = rows.get(cell.text)
        if row is None or cell.loose:
            continue
        pages.add(cell.page)
        middle = (cell.top + cell.bottom) / 2
        for level, column in columns.items():
            name = getattr(row, level)
            beside = [
                c.text for c in layout.page_cells(cell.page)
                if not c.loose and c.column() == column and c.top < middle < c.bottom
            ]
            if beside not in ([name], [name + "（续）"]):
                problems.append(f"p{cell.page} {row.level3} {level}: {beside}")
    for level, names in (("level1", synthetic.level1_names), ("level2", [g[1] for g in synthetic.level2_groups])):
        for name in names:
            printed = [c for c in layout.find(name) if c.column() == columns[level]]
            if len(printed) != 1:
                problems.append(f"{level} {name} printed {len(printed)} times")
    counts = Counter(c.text for c in layout.cells if not c.loose)
    for row in synthetic.indicators:
        for text in (row.level3, *row.values):
            if counts[squash(text)] != 1:
                problems.append(f"{text} printed {counts[squash(text)]} times")
    return problems, pages


def test_every_page_names_the_level1_and_level2_of_its_indicator_rows(labels_layout, labels_decl):
    """Beside every indicator row, on whatever page, its 一级 and 二级 labels: the name where the group
    begins, name（续） where it goes on from the page before, and nothing blank; every 三级 name and
    value printed once."""
    synthetic, _source = labels_decl
    problems, pages = label_problems(labels_layout, synthetic)
    assert problems == []
    assert len(pages) >= 8  # the indicators run over many pages
    assert len(synthetic.indicators) == 300
    columns = [column_of(labels_layout, "一级指标"), column_of(labels_layout, "二级指标")]
    for column in columns:  # the continued labels were printed
        assert any(c.text.endswith("（续）") and c.column() == column for c in labels_layout.cells)


def test_the_label_check_sees_a_blank_label(labels_layout, labels_decl):
    """The check above can fail: without the continued labels, the rows they stand beside have none."""
    import copy

    synthetic, _source = labels_decl
    blanked = copy.copy(labels_layout)
    blanked.cells = [c for c in labels_layout.cells if not c.text.endswith("（续）")]
    problems, _pages = label_problems(blanked, synthetic)
    assert problems and all("[]" in p for p in problems)


def test_a_task_cut_at_a_page_break_shows_its_name_and_amount_on_each_page(labels_layout, labels_decl):
    synthetic, _source = labels_decl
    layout = labels_layout
    task = synthetic.tasks[3]
    match = layout.match(task.content.replace("\n\n", ""))
    assert match is not None
    _index, pieces = match
    assert len({c.page for c in pieces}) == len(pieces) >= 2  # one piece a page, on two pages at least
    joined = "".join(c.text for c in pieces)
    for token in synthetic.sentinels:
        assert joined.count(token) == 1, token
    name_column, amount_column = column_of(layout, "名称"), column_of(layout, "拟投入的资金（万元）")
    for number, piece in enumerate(pieces):
        beside = [c for c in layout.page_cells(piece.page) if not c.loose and c.top < piece.bottom - 1 and c.bottom > piece.top + 1]
        names = [c.text for c in beside if c.column() == name_column]
        amounts = [c.text for c in beside if c.column() == amount_column]
        assert names == [squash(task.name) + ("（续）" if number else "")], (piece.page, names)
        assert amounts == [f"{task.funds:,.2f}"], (piece.page, amounts)


def test_every_page_of_the_form_ends_with_a_rule_across_the_grid(seed_pdf, long_pdf, labels_layout):
    """No row is left open at a page foot: the bottom of each page's table has a rule from the grid's
    left edge to its right edge (a broken row had none, nor had the tasks' label column)."""
    for data in (seed_pdf.read_bytes(), long_pdf.read_bytes()):
        for number, (_runs, rules) in enumerate(pdf_runs_and_rules(data), 1):
            verticals = [r for r in rules if r[0] == "v"]
            left, right = min(r[1] for r in verticals), max(r[1] for r in verticals)
            bottom = max(r[3] for r in verticals)
            under = [r for r in rules if r[0] == "h" and abs(r[1] - bottom) < 1]
            assert under and min(r[2] for r in under) <= left + 1 and max(r[3] for r in under) >= right - 1, number


def test_no_rule_is_drawn_outside_the_grid(seed_pdf, seed_layout):
    """The 其他需完成的任务 row ends on the grid's right edge, like every other row (its second column
    was 91% wide on a 10% first one, so its right rule stood 1% of the page out)."""
    width, height = seed_layout.sizes[0]
    body_left, _top, body_right, _bottom = page_body(width, height)
    label = seed_layout.find("其他需完成的任务（可选填）")[0]
    pages = pdf_runs_and_rules(seed_pdf.read_bytes())
    _runs, rules = pages[label.page - 1]
    middle = (label.top + label.bottom) / 2
    crossing = [r[1] for r in rules if r[0] == "v" and r[2] < middle < r[3]]
    task_head = [c for c in seed_layout.page_cells(label.page) if c.text == "年度重点工作任务"]
    head_middle = (task_head[0].top + task_head[0].bottom) / 2 if task_head else None
    grid = [r[1] for r in rules if r[0] == "v" and head_middle is not None and r[2] < head_middle < r[3]]
    assert grid, "the tasks' header is on the page of 其他需完成的任务"
    assert max(crossing) == pytest.approx(max(grid), abs=0.05)
    assert min(crossing) == pytest.approx(min(grid), abs=0.05)
    for number, (_runs, page_rules) in enumerate(pages, 1):
        for rule in page_rules:
            ends = (rule[1],) if rule[0] == "v" else (rule[2], rule[3])
            assert all(body_left - 1 <= x <= body_right + 1 for x in ends), (number, rule)


def test_a_group_that_fits_on_a_page_is_not_split_and_no_page_ends_with_a_header(seed_layout, labels_layout, long_layout):
    # The seed: its 产出指标 block (four rows) used to begin under the header at the foot of page 5.
    for category in seed_data()["indicators"]:
        names = [item["level3"] for group in category["groups"] for item in group["items"]]
        pages = {seed_layout.find(name)[0].page for name in names}
        assert len(pages) == 1, (category["level1"], pages)
    heads = (
        ["年度重点工作任务", "名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"],
        ["一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"],
    )
    for layout in (seed_layout, labels_layout, long_layout):
        for labels in heads:
            for page, top in header_pages(layout, labels).items():
                row = [c for c in layout.page_cells(page) if c.text in labels and abs(c.top - top) < 1]
                below = [
                    c for c in layout.page_cells(page)
                    if not c.loose and c.top >= min(h.bottom for h in row) - 1 and c not in row
                ]
                # A row of its table under it (min: the tasks' header label reads down its open column).
                assert below, (labels[0], page)


def test_the_signature_rows_keep_each_label_on_one_line(renderer, tmp_path):
    synthetic = synthetic_declaration(2, 5, dept_id="sign-dept")
    text = synthetic.text + "filing:\n  unit: 测试市示范区综合事务管理局\n  phone: 020-12345678\n"
    path = tmp_path / "2025" / "sign-dept.yaml"
    path.parent.mkdir()
    path.write_text(text, encoding="utf-8")
    pdf = tmp_path / "sign-dept.pdf"
    pdf.write_bytes(rendered(renderer, load_file(path)))
    layout = read_layout(pdf)
    labels = ["填报单位（盖章）", "单位负责人", "填报人", "联系电话", "填报日期"]
    cells = {}
    for label in labels:
        found = layout.find(label)
        assert len(found) == 1, label
        cell = cells[label] = found[0]
        assert not cell.loose  # inside a ruled cell
        assert max(w.cy for w in cell.words) - min(w.cy for w in cell.words) < 3, (label, cell.words)
    assert layout.find("测试市示范区综合事务管理局") and layout.find("020-12345678")
    # Under the grid, on its columns, with room to sign: every row well over one line high.
    grid = layout.find("三级指标")[0]
    assert all(c.top > grid.bottom for c in cells.values() if c.page == grid.page)
    assert cells["填报单位（盖章）"].left == pytest.approx(layout.find("一级指标")[0].left, abs=0.5)
    assert cells["填报单位（盖章）"].right == pytest.approx(layout.find("二级指标")[0].right, abs=0.5)
    for cell in cells.values():
        assert cell.bottom - cell.top > 2 * (cell.words[0].y1 - cell.words[0].y0)
