"""The print HTML's own parser (generator/render/html_tree.py) builds the tree tinyhtml5 builds, on every
form jixiao renders, hostile text and cut pieces included; and hands anything else to tinyhtml5."""

from __future__ import annotations


import pytest
import tinyhtml5

from generator.render.html_tree import parse, weasyprint_html
from generator.input.load import load_file, load_text
from generator.render.paginate import Plan
from generator.render.templates import TEMPLATES, render_form
from fixtures import ROOT, SEED_YAML, synthetic_declaration
from site_fixtures import hostile_source


def _tree(root) -> list[tuple]:
    """Each element in document order: tag, attributes, and text. White space alone between
    blocks renders as nothing, and HTML5 moves some of it (the end of <body>): it reads as ""."""

    def text(value):
        return "" if value is None or not value.strip() else value

    return [(e.tag, sorted(e.attrib.items()), text(e.text), text(e.tail)) for e in root.iter()]


def _documents():
    yield "seed", load_file(SEED_YAML)
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        yield path.name, load_file(path)
    hostile = hostile_source()
    yield "hostile", load_text(hostile.text, "hostile-dept.yaml")
    long = synthetic_declaration(12, 60, long_task=2, dept_id="long-dept")
    yield "long", load_text(long.text, "long-dept.yaml")


DOCUMENTS = list(_documents())


def _plan_for(loaded) -> Plan:
    """A plan that cuts every group after its first row and every long row in two: pieces with
    repeated labels, continued lists and cut prose, as paginate makes them."""
    from weasyprint import HTML

    html = render_form(loaded.form, loaded.declaration, "print.html", plan=Plan(), date="2024-01-01T00:00:00Z")
    root = HTML(string=html).etree_element
    groups = {}
    rows = {}
    for element in root.iter():
        if element.get("data-pg-group"):
            names = [row.get("data-pg-index") for row in element if row.get("data-pg-index") is not None]
            if len(names) > 1:
                groups[element.get("data-pg-group")] = (names[1],)
        if element.get("data-pg-row"):
            flows = [cell.get("data-pg-flow") for cell in element if cell.get("data-pg-flow")]
            rows[element.get("data-pg-row")] = (tuple((flow, 5) for flow in sorted(flows)),)
    return Plan(groups, rows)


@pytest.mark.parametrize("name,loaded", DOCUMENTS, ids=[name for name, _ in DOCUMENTS])
def test_the_print_html_parses_to_the_tree_tinyhtml5_builds(name, loaded):
    for plan in (Plan(), _plan_for(loaded)):
        html = render_form(loaded.form, loaded.declaration, "print.html", plan=plan, date="2024-01-01T00:00:00Z")
        ours = parse(html)
        assert ours is not None, f"{name}: the print HTML needed HTML5's error recovery"
        assert _tree(ours) == _tree(tinyhtml5.parse(html, namespace_html_elements=False))


def test_a_cut_plan_makes_pieces_the_comparison_covers():
    _, loaded = DOCUMENTS[0]
    plan = _plan_for(loaded)
    assert plan.groups and plan.rows
    html = render_form(loaded.form, loaded.declaration, "print.html", plan=plan, date="2024-01-01T00:00:00Z")
    assert "pg-break" in html and "pg-cont" in html


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


@pytest.mark.parametrize(
    "html",
    [
        _page("<table><tr><td>行</td></tr></table>"),  # HTML5 adds a <tbody>
        _page("<p>段<div>块</div></p>"),  # a block closes the paragraph
        _page("<ul><li>一<li>二</ul>"),  # an end tag left out
        _page("<b><i>x</b></i>"),  # misnested
        _page("<script>if (a < b) {}</script>"),  # raw text
        _page("<td>cell</td>"),  # a cell outside a row
        _page("<svg><circle/></svg>"),  # foreign content
        _page("<div>unclosed"),
        _page("<p>一\0二</p>"),  # HTML5 drops a NUL here and replaces it there
        "<html><body><p>no head</p></body></html>",  # HTML5 adds a <head>
        "<p>no html element</p>",
    ],
)
def test_what_needs_html5_error_recovery_goes_to_tinyhtml5(html):
    assert parse(html) is None
    assert parse(_page("<p>段</p>")) is not None  # the same page without the fault is ours
    document = weasyprint_html(html, str(TEMPLATES))
    assert _tree(document.etree_element) == _tree(tinyhtml5.parse(html, namespace_html_elements=False))


def test_line_breaks_as_html5_preprocesses_them():
    html = _page("<p>一\r\n二\r三</p>")
    ours = parse(html)
    assert _tree(ours) == _tree(tinyhtml5.parse(html, namespace_html_elements=False))
    assert ours.find("body/p").text == "一\n二\n三"
