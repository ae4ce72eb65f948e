"""The Jinja2 environment shared by the PDF and the site: autoescaping, strict undefined, money, safe Markdown."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
import markdown
import nh3
from markupsafe import Markup

from .model import Declaration
from .problems import format_money

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# What Markdown in a declaration may become; anything else (raw HTML, scripts, styles) is dropped.
ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "code", "blockquote", "sup", "sub"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
URL_SCHEMES = {"http", "https", "mailto"}


def markdown_to_html(text: str | None) -> Markup:
    """Markdown → sanitised HTML. Line breaks stay line breaks, as the author typed them.

    Raw HTML is off: every `<` is escaped before Markdown sees it, so a tag typed into a
    declaration shows as the text it is. nh3 then keeps only the tags Markdown makes and
    links to http, https and mailto (an <a> whose URL it drops stays as plain link text).
    """
    if not text or not text.strip():
        return Markup("")
    html = markdown.markdown(text.replace("<", "&lt;"), extensions=["nl2br", "sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel=None,  # a rel without an href is invalid HTML; these links open in the same tab anyway
        strip_comments=True,
    )
    return Markup(clean)


@lru_cache(maxsize=None)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["money"] = format_money
    env.filters["markdown"] = markdown_to_html
    return env


def form_context(declaration: Declaration) -> dict:
    """What the form template needs beyond the model: row counts it lays out by, computed here."""
    budget = declaration.budget
    first_rows = max(2, len(budget.income))
    second_rows = max(len(budget.development), len(budget.by_level), 1)
    spending = [("基本支出", budget.spending.basic), ("项目支出", budget.spending.project)]
    return {
        "d": declaration,
        "budget_first": _pair_rows(spending, [(x.label, x.amount) for x in budget.income], first_rows),
        "budget_second": _pair_rows(
            [(x.label, x.amount) for x in budget.development], [(x.label, x.amount) for x in budget.by_level], second_rows
        ),
        "budget_rowspan": first_rows + second_rows + 2,
        "indicator_blocks": _indicator_blocks(declaration),
        "short_tasks": {i for i, task in enumerate(declaration.tasks) if _is_short(task)},
        "single_value": declaration.single_value_column,
    }


# A task row this short (about a third of a landscape page) is kept on one page rather than split.
SHORT_TASK_CHARS = 450


def _is_short(task) -> bool:
    return len(task.content) <= SHORT_TASK_CHARS and len(task.goal) <= SHORT_TASK_CHARS // 2


def _pair_rows(left: list, right: list, rows: int) -> list[tuple]:
    """Two columns of (label, amount) side by side, padded with empty cells to the same length."""
    empty = (None, None)
    return [(left[i] if i < len(left) else empty, right[i] if i < len(right) else empty) for i in range(rows)]


def _indicator_blocks(declaration: Declaration) -> list[list[dict]]:
    """One list of rows per 一级指标; the first row of each 一级 and 二级 carries its rowspan."""
    blocks = []
    for category in declaration.indicators:
        rows = []
        category_rows = sum(len(group.items) for group in category.groups)
        for group in category.groups:
            for index, item in enumerate(group.items):
                rows.append(
                    {
                        "level1": category.level1 if not rows else None,
                        "level1_rowspan": category_rows,
                        "level2": group.level2 if index == 0 else None,
                        "level2_rowspan": len(group.items),
                        "item": item,
                    }
                )
        blocks.append(rows)
    return blocks


def render_form(declaration: Declaration, template: str = "print.html", **extra) -> str:
    return environment().get_template(template).render(**form_context(declaration), **extra)
