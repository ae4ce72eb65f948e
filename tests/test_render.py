"""The form's HTML (templates/form.html through print.html) against a reviewed golden file, and its
table structure checked cell by cell: one header row per block, every th scoped, rowspans that
match the declaration, every row filling the column grid.

Regenerate the golden file after an intended template change with
    JIXIAO_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q tests/test_render.py
and read the diff before committing it.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from fixtures import SEED_YAML, synthetic_declaration
from generator.input.load import load_file, load_text
from generator.render.templates import _is_plain, _markdown_html, markdown_to_html, render_form

GOLDEN = Path(__file__).resolve().parent / "golden" / "seed-form.html"
DATE = "2024-01-01T00:00:00Z"
UPDATE = os.environ.get("JIXIAO_UPDATE_GOLDEN") == "1"


def seed_html() -> str:
    loaded = load_file(SEED_YAML)
    assert loaded.declaration is not None, loaded.problems
    return render_form(loaded.form, loaded.declaration, "print.html", date=DATE)


# ---- a small reader of the tables -------------------------------------------------------------


@dataclass
class HCell:
    tag: str
    attrs: dict
    text: str = ""

    @property
    def rowspan(self) -> int:
        return int(self.attrs.get("rowspan", 1))

    @property
    def colspan(self) -> int:
        return int(self.attrs.get("colspan", 1))


@dataclass
class Section:
    tag: str  # thead or tbody
    attrs: dict
    rows: list[list[HCell]] = field(default_factory=list)


@dataclass
class Table:
    attrs: dict
    cols: list[str] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def section(self, tag: str) -> list[Section]:
        return [s for s in self.sections if s.tag == tag]


class TableReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[Table] = []
        self.cell: HCell | None = None
        self.depth = 0  # nesting of tables (the form has none; a nested one would be a bug)

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag == "table":
            self.depth += 1
            assert self.depth == 1, "a table inside a table"
            self.tables.append(Table(attrs))
        elif not self.tables or self.depth == 0:
            return
        elif tag == "col":
            self.tables[-1].cols.append(attrs.get("class", ""))
        elif tag in ("thead", "tbody"):
            self.tables[-1].sections.append(Section(tag, attrs))
        elif tag == "tr":
            assert self.tables[-1].sections, "a row outside thead/tbody"
            self.tables[-1].sections[-1].rows.append([])
        elif tag in ("th", "td"):
            self.cell = HCell(tag, attrs)
            self.tables[-1].sections[-1].rows[-1].append(self.cell)

    def handle_endtag(self, tag):
        if tag == "table":
            self.depth -= 1
        elif tag in ("th", "td"):
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.text += data


def read_tables(html: str) -> dict[str, Table]:
    reader = TableReader()
    reader.feed(html)
    tables = {}
    for table in reader.tables:
        kind = [c for c in table.classes if c != "form-table"]
        assert len(kind) == 1, table.classes
        tables[kind[0]] = table
    return tables


def grid_problems(table: Table) -> list[str]:
    """Rows that do not fill the table's columns exactly, counting cells carried down by rowspan."""
    problems = []
    width = len(table.cols)
    for s, section in enumerate(table.sections):
        carried = [0] * (len(section.rows) + 64)
        for r, row in enumerate(section.rows):
            used = carried[r] + sum(cell.colspan for cell in row)
            if used != width:
                problems.append(f"section {s} row {r}: {used} columns, the table has {width}")
            for cell in row:
                if r + cell.rowspan > len(section.rows):
                    problems.append(f"section {s} row {r}: rowspan {cell.rowspan} runs out of its section")
                for below in range(r + 1, r + cell.rowspan):
                    carried[below] += cell.colspan
    return problems


def scope_problems(table: Table) -> list[str]:
    """Every th has a scope; a rowgroup header spans the rest of its row group (that is what it labels)."""
    problems = []
    for section in table.sections:
        for r, row in enumerate(section.rows):
            for cell in row:
                if cell.tag != "th":
                    continue
                scope = cell.attrs.get("scope")
                if scope not in ("row", "col", "rowgroup"):
                    problems.append(f"{cell.text!r}: scope {scope!r}")
                elif scope == "rowgroup" and r + cell.rowspan != len(section.rows):
                    problems.append(
                        f"{cell.text!r}: scope=rowgroup but spans rows {r}..{r + cell.rowspan - 1} of {len(section.rows)}"
                    )
    return problems


# ---- the golden file -------------------------------------------------------------------------


def test_seed_form_matches_the_golden_file():
    html = seed_html()
    if UPDATE:
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(html, encoding="utf-8")
    assert GOLDEN.is_file(), f"{GOLDEN} is missing; run with JIXIAO_UPDATE_GOLDEN=1 to write it"
    golden = GOLDEN.read_text(encoding="utf-8")
    if html != golden:
        diff = "\n".join(
            list(difflib.unified_diff(golden.splitlines(), html.splitlines(), "golden", "now", lineterm=""))[:80]
        )
        pytest.fail(
            "the seed's form HTML differs from tests/golden/seed-form.html; if the change is intended, "
            f"rerun with JIXIAO_UPDATE_GOLDEN=1 and review the diff\n{diff}"
        )


def test_rendering_is_deterministic_and_dated_as_asked():
    assert seed_html() == seed_html()
    html = seed_html()
    assert html.count(DATE) == 2  # dcterms.created and dcterms.modified


# ---- structure, on the golden file itself and on fresh renders ---------------------------------------


@pytest.fixture(scope="module")
def golden_tables() -> dict[str, Table]:
    return read_tables(GOLDEN.read_text(encoding="utf-8"))


def test_the_form_is_four_stacked_tables_in_order(golden_tables):
    assert list(golden_tables) == ["form-basic", "form-tasks", "form-other", "form-indicators"]


def test_every_row_fills_the_column_grid(golden_tables):
    for name, table in golden_tables.items():
        assert table.cols, name
        assert grid_problems(table) == [], name


def test_one_repeated_header_row_per_block_with_a_header_table(golden_tables):
    for name, table in golden_tables.items():
        heads = table.section("thead")
        if name in ("form-tasks", "form-indicators"):
            assert len(heads) == 1 and len(heads[0].rows) == 1, name
            assert all(cell.tag == "th" for cell in heads[0].rows[0])
            # The header row is first: no body row comes before it.
            assert table.sections[0].tag == "thead"
        else:
            assert heads == [], name
    tasks_head = [c.text for c in golden_tables["form-tasks"].section("thead")[0].rows[0]]
    assert tasks_head == ["年度重点工作任务", "名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"]
    indicators_head = [c.text for c in golden_tables["form-indicators"].section("thead")[0].rows[0]]
    assert indicators_head == ["一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"]


def test_every_header_cell_is_scoped_for_what_it_labels(golden_tables):
    for name, table in golden_tables.items():
        assert scope_problems(table) == [], name
    head = golden_tables["form-indicators"].section("thead")[0].rows[0]
    assert {c.attrs["scope"] for c in head} == {"col"}


def test_scope_check_catches_a_rowgroup_header_that_labels_part_of_its_group():
    table = read_tables(
        '<table class="form-table x"><col><col><tbody>'
        '<tr><th scope="rowgroup" rowspan="1">a</th><td>1</td></tr><tr><th scope="row">b</th><td>2</td></tr>'
        "</tbody></table>"
    )["x"]
    assert scope_problems(table) and not grid_problems(table)


def test_indicator_rowspans_match_the_declaration(golden_tables):
    data = yaml.safe_load(SEED_YAML.read_text(encoding="utf-8"))
    blocks = golden_tables["form-indicators"].section("tbody")
    assert len(blocks) == len(data["indicators"])
    for block, category in zip(blocks, data["indicators"]):
        items = [item for group in category["groups"] for item in group["items"]]
        assert len(block.rows) == len(items)
        level1 = [c for row in block.rows for c in row if "level1" in c.attrs.get("class", "")]
        assert [(c.text, c.rowspan) for c in level1] == [(category["level1"], len(items))]
        assert block.rows[0][0] is level1[0]
        level2 = [c for row in block.rows for c in row if "level2" in c.attrs.get("class", "")]
        assert [(c.text, c.rowspan) for c in level2] == [(g["level2"], len(g["items"])) for g in category["groups"]]
        level3 = [c.text for row in block.rows for c in row if "level3" in c.attrs.get("class", "")]
        assert level3 == [item["level3"] for item in items]


def test_tasks_and_budget_rows_match_the_declaration(golden_tables):
    data = yaml.safe_load(SEED_YAML.read_text(encoding="utf-8"))
    bodies = golden_tables["form-tasks"].section("tbody")
    assert len(bodies) == 1 and len(bodies[0].rows) == len(data["tasks"])
    for row, task in zip(bodies[0].rows, data["tasks"]):
        name = [c for c in row if c.tag == "th"]
        assert [(c.text, c.attrs["scope"]) for c in name] == [(task["name"], "row")]
    budget = [s for s in golden_tables["form-basic"].sections if "budget" in s.attrs.get("class", "")]
    assert len(budget) == 1
    label = budget[0].rows[0][0]
    assert (label.text, label.rowspan) == ("预算整体情况", len(budget[0].rows))


def test_a_synthetic_declaration_renders_a_sound_form():
    synthetic = synthetic_declaration(7, 23, year=2026, dept_id="render-dept")
    loaded = load_text(synthetic.text, "render-dept.yaml")
    assert loaded.declaration is not None, loaded.problems
    tables = read_tables(render_form(loaded.form, loaded.declaration, "print.html", date=DATE))
    for name, table in tables.items():
        assert grid_problems(table) == [], name
        assert scope_problems(table) == [], name
    assert len(tables["form-tasks"].section("tbody")[0].rows) == 7
    blocks = tables["form-indicators"].section("tbody")
    assert sum(len(b.rows) for b in blocks) == 23
    assert [b.rows[0][0].text for b in blocks] == synthetic.level1_names


def test_a_single_value_column_form_is_sound():
    synthetic = synthetic_declaration(2, 5, single_value=True, dept_id="single-dept")
    loaded = load_text(synthetic.text, "single-dept.yaml")
    assert loaded.declaration is not None, loaded.problems
    tables = read_tables(render_form(loaded.form, loaded.declaration, "print.html", date=DATE))
    indicators = tables["form-indicators"]
    assert [c.text for c in indicators.section("thead")[0].rows[0]][-1] == "指标值"
    assert grid_problems(indicators) == [] and scope_problems(indicators) == []
    values = [c.text for b in indicators.section("tbody") for row in b.rows for c in row if "value" in c.attrs.get("class", "").split()]
    assert values == [row.value for row in synthetic.indicators]


def test_text_is_escaped_and_markdown_is_sanitised():
    synthetic = synthetic_declaration(2, 3, dept_id="escape-dept", department="测试<b>部门</b>&局")
    task = synthetic.tasks[0]
    paragraph = task.paragraphs[0]
    text = synthetic.text.replace(paragraph, paragraph + "**加粗**<script>alert(1)</script>", 1)
    loaded = load_text(text, "escape-dept.yaml")
    assert loaded.declaration is not None, loaded.problems
    html = render_form(loaded.form, loaded.declaration, "print.html", date=DATE)
    assert "测试&lt;b&gt;部门&lt;/b&gt;&amp;局" in html and "<b>部门" not in html
    assert "<script" not in html  # raw HTML is off: the tag shows as the text it is
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>加粗</strong>" in html


# ---- plain prose: the shortcut past Markdown gives Markdown's HTML ------------------------------------

# Pieces that make plain prose in any order: Chinese, its punctuation, Latin letters, digits and ASCII
# punctuation inside a line, single spaces between words, line breaks and blank lines.
PLAIN_PIECES = [
    "甲", "乙丙", "，", "。", "“", "”", "《", "》", "（", "）", "①", "、", "％", "ａ", "a", "Z", "甲9", "甲1.5", "甲 乙",
    "甲,", "甲.", "甲-", "甲#", "甲=", "甲+", "甲:", "甲/", "甲%", "甲?", "甲;", "(", ")", "'", '"', "~", "|", "{}", "@$^",
    "\n", "\n\n", "\n\n\n",
]
# Anything Markdown, HTML or white space could make something of.
OTHER_PIECES = [
    " ", "  ", "    ", "1.", "1. ", "1)", "- ", "-", "---", "+ ", "#", "# ", ">", "> ", "=", "===", "*", "**", "_", "`",
    "[", "]", "](http://x)", "!", "<", "<b>", "&", "&amp;", "&#1;", "\\", "\t", "\r", "\r\n", "\xa0", "\u3000",
    "\ufeff", "\u200b", "\x00", "\x02", "\x03", "\x85", "\u2028", "\ufffe", "１.", "http://x.cn",
]
PROSE_SETTINGS = settings(max_examples=400, deadline=None, derandomize=True, database=None)


@PROSE_SETTINGS
@given(st.lists(st.sampled_from(PLAIN_PIECES), min_size=1, max_size=30).map("".join))
def test_plain_prose_takes_the_shortcut_to_the_same_html(text):
    assert _is_plain(text)
    assert str(markdown_to_html(text)) == _markdown_html(text)


@PROSE_SETTINGS
@given(st.lists(st.sampled_from(PLAIN_PIECES + OTHER_PIECES), min_size=1, max_size=30).map("".join))
def test_any_text_the_shortcut_takes_gets_the_same_html(text):
    if _is_plain(text):
        assert str(markdown_to_html(text)) == _markdown_html(text)


def test_the_seeds_prose_is_plain():
    seed = yaml.safe_load(SEED_YAML.read_text(encoding="utf-8"))
    prose = [seed["overall_goal"], *(task[key] for task in seed["tasks"] for key in ("content", "goal"))]
    assert all(_is_plain(text) for text in prose)
    assert not _is_plain("**加粗**") and not _is_plain("1. 第一项") and not _is_plain("甲\u3000乙")
