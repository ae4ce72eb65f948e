"""templates/static/print-ua.css, WeasyPrint's user-agent stylesheet cut to the print HTML's
elements, gives the very PDF the full one gives: on every form we render, with hostile text, long
forms cut into pieces, and prose using everything Markdown makes."""

from __future__ import annotations

import pytest

import generator.pdf.writer as pdf_stage
from generator.render.html_tree import weasyprint_html
from generator.input.load import load_file, load_text
from generator.pdf.writer import PdfRenderer
from fixtures import ROOT, SEED_YAML, synthetic_declaration
from site_fixtures import _source, hostile_source, seed_data


# Everything Markdown makes in a prose field (headings, rules and code blocks leave only their text).
EVERY_MARKDOWN = """**粗体** *斜体* `代码` [链接](https://example.org/) 行末
换行

> 引用一段

1. 第一项
2. 第二项
   - 嵌套一
     - 再嵌套
3. 第三项

- 甲
- 乙

# 标题

---

    代码块
"""


def _documents():
    yield "seed", load_file(SEED_YAML)
    for path in sorted((ROOT / "examples").rglob("*.yaml")):
        yield path.name, load_file(path)
    yield "hostile", load_text(hostile_source().text, "hostile-dept.yaml")
    data = seed_data()
    data["department"]["id"] = "markdown-dept"
    data["overall_goal"] = EVERY_MARKDOWN
    data["tasks"][0]["content"] = EVERY_MARKDOWN * 8  # long enough to be cut over a page
    yield "markdown", load_text(_source(data).text, "markdown-dept.yaml")
    long = synthetic_declaration(40, 300, long_task=3, long_paragraphs=10, dept_id="long-dept")
    yield "long", load_text(long.text, "long-dept.yaml")


DOCUMENTS = list(_documents())


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer()


@pytest.mark.parametrize("name,loaded", DOCUMENTS, ids=[name for name, _ in DOCUMENTS])
def test_the_cut_user_agent_stylesheet_makes_the_same_pdf(renderer, monkeypatch, name, loaded):
    trimmed, _ = renderer.render(loaded)
    # The same renderer with WeasyPrint's own user-agent stylesheet.
    monkeypatch.setattr(pdf_stage, "weasyprint_html", lambda html, base, user_agent=None: weasyprint_html(html, base))
    full, _ = renderer.render(loaded)
    assert trimmed is not None and trimmed == full, name


def test_the_markdown_document_holds_every_element_the_sanitiser_keeps():
    from generator.render.paginate import Plan
    from generator.render.templates import render_form

    _name, loaded = next(item for item in DOCUMENTS if item[0] == "markdown")
    html = render_form(loaded.form, loaded.declaration, "print.html", plan=Plan(), date="2024-01-01T00:00:00Z")
    for tag in ("p", "br", "strong", "em", "code", "a", "blockquote", "ol", "ul", "li"):
        assert f"<{tag}" in html, tag
