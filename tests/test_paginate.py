"""generator/render/paginate.py: cutting HTML at a character offset without losing or repeating a character,
the pieces a plan makes, and the layouts it takes (real WeasyPrint layouts of real declarations).
The PDFs' labels on every page are checked in test_pdf.py."""

from __future__ import annotations

import re

import pytest
from markupsafe import Markup

from fixtures import SEED_YAML, synthetic_declaration
from generator.input.load import load_file, load_text
from generator.render.paginate import Plan, cut_flows, cut_rows, paginate, plan_breaks, split_html, visible_chars
from generator.pdf.writer import PdfRenderer
from generator.render.templates import markdown_to_html, render_form

SAMPLES = [
    "①丰富文体服务供给。增强宣传工作的主动性，讲好东涌故事。\n\n②做强东涌文旅品牌，控制在 5.5% 以内。",
    "第一行\n第二行 **加粗** 与 *强调*\n\n<不是标签> & “引号”",
    "1. 一项\n2. 第二项较长的内容\n3. 三\n\n- 甲\n- 乙乙",
    "3. 从三开始\n4. 四",
    "",
]


def visible(html: str) -> str:
    """The text a reader sees, white space dropped (what offsets count)."""
    text = re.sub(r"<[^>]+>", "", html)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("source", SAMPLES)
def test_every_cut_keeps_every_character_once(source):
    html = str(markdown_to_html(source))
    total = visible_chars(visible(html))
    for k in range(total + 1):
        left, right = split_html(html, [k])
        assert visible(left) + visible(right) == visible(html), k
        assert len(visible(left)) == k
        for piece in (left, right):
            assert isinstance(piece, Markup)
            # Well formed: every element closed in the piece it opens in.
            opened = re.findall(r"<(p|li|ol|ul|strong|em)[\s>]", piece)
            closed = re.findall(r"</(p|li|ol|ul|strong|em)>", piece)
            assert sorted(opened) == sorted(closed), (k, piece)


def test_several_cuts_at_once_match_cutting_one_after_another():
    html = str(markdown_to_html(SAMPLES[0]))
    total = len(visible(html))
    offsets = [5, 17, total - 3]
    pieces = split_html(html, offsets)
    assert len(pieces) == 4
    assert [len(visible(p)) for p in pieces] == [5, 12, total - 3 - 17, 3]
    assert "".join(visible(p) for p in pieces) == visible(html)


def test_a_list_cut_inside_an_item_goes_on_without_a_second_marker():
    html = str(markdown_to_html(SAMPLES[2]))
    left, right = split_html(html, [len("一项第二")])
    assert right.startswith('<ol class="pg-cont" style="counter-reset: list-item 1"><li class="pg-cont">项较长')
    left, right = split_html(html, [len("一项第二项较长的内容")])
    assert right.startswith('<ol class="pg-cont" style="counter-reset: list-item 2"><li>三</li>')


def test_a_list_cut_several_times_numbers_on_from_where_each_piece_began():
    html = str(markdown_to_html("\n".join(f"{n}. 第{n}项" for n in range(1, 10))))
    pieces = split_html(html, [len("第1项第2项第3项"), len("第1项第2项第3项第4项第5项第6项第7项")])
    # Each piece's list goes on from the items before it; one style and one pg-cont class each.
    assert pieces[1].startswith('<ol class="pg-cont" style="counter-reset: list-item 3"><li>第4项')
    assert pieces[2].startswith('<ol class="pg-cont" style="counter-reset: list-item 7"><li>第8项')


def test_a_line_break_at_the_cut_stays_on_the_first_piece():
    html = str(markdown_to_html("甲乙\n丙丁"))
    left, right = split_html(html, [2])
    assert "<br>" in left and "<br>" not in right


def test_rows_and_flows_are_cut_as_the_plan_says():
    pieces = cut_rows(["0", "1", "2", "3"], ["2"])
    assert [(p.start, p.end, p.continued, p.break_before) for p in pieces] == [(0, 2, False, False), (2, 4, True, True)]
    moved = cut_rows(["0", "1"], ["0"])
    assert [(p.start, p.end, p.continued, p.break_before) for p in moved] == [(0, 2, False, True)]
    html = str(markdown_to_html(SAMPLES[0]))
    flows = cut_flows({"a": html, "b": "<p>乙</p>"}, [{"a": 4, "b": 1}])
    assert [p.offsets for p in flows] == [{"a": 0, "b": 0}, {"a": 4, "b": 1}]
    assert [p.continued for p in flows] == [False, True] and flows[1].break_before
    assert flows[1].flows["b"] == ""
    whole = cut_flows({"a": html}, [{"a": 0}])
    assert len(whole) == 1 and whole[0].break_before and whole[0].flows["a"] == html


# ---- the layouts it takes -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer()


def layouts_of(renderer: PdfRenderer, loaded):
    """paginate() as the PDF renderer runs it, counting the layouts."""
    plans = []

    def layout(plan):
        plans.append(plan)
        return renderer.lay_out(render_form(loaded.form, loaded.declaration, "print.html", plan=plan, date="2024-01-01T00:00:00Z"))

    document, plan = paginate(layout)
    return document, plan, plans


def test_a_form_that_needs_no_cut_is_laid_out_once(renderer):
    loaded = load_text(synthetic_declaration(1, 2, dept_id="once-dept").text, "once-dept.yaml")
    document, plan, plans = layouts_of(renderer, loaded)
    assert len(document.pages) == 1 and not plan and plans == [Plan()]


def test_the_seed_is_laid_out_twice_and_the_plan_is_stable(renderer):
    document, plan, plans = layouts_of(renderer, load_file(SEED_YAML))
    assert len(plans) == 2
    # Its first indicator block moves to the next page whole; two long tasks are cut where pages begin.
    assert plan.starts("indicators-0") == ("0",)
    assert set(plan.rows) == {"task-0", "task-4"}
    assert plan_breaks(document, plan) == plan
