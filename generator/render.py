"""The Jinja2 environment shared by the PDF and the site: autoescaping, strict undefined, money, safe Markdown."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2
import markdown
import nh3
from markupsafe import Markup

from .model import Declaration
from .paginate import Plan, cut_flows, cut_rows
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


def form_context(declaration: Declaration, plan: Plan | None = None) -> dict:
    """What the form template needs beyond the model: row counts it lays out by, computed here.

    `plan` (from paginate, for the PDF) cuts the indicator blocks and the long rows into one piece a page.
    """
    plan = plan or Plan()
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
        "indicator_blocks": _indicator_blocks(declaration, plan),
        "task_blocks": _task_blocks(declaration, plan),
        "goal_rows": _prose_rows("overall-goal", declaration.overall_goal, plan),
        "other_rows": _prose_rows("other-tasks", declaration.other_tasks, plan),
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


def _indicator_blocks(declaration: Declaration, plan: Plan) -> list[dict]:
    """One row group per 一级指标, or per page it runs over when the plan cuts it: each piece's first
    row carries the 一级 label and the 二级 label of the group it begins in, with their rowspans
    (`continued`: the label goes on from the page before). Rows are numbered within their 一级."""
    blocks = []
    for number, category in enumerate(declaration.indicators):
        key = f"indicators-{number}"
        items = [(group, index, item) for group in category.groups for index, item in enumerate(group.items)]
        for piece in cut_rows([str(i) for i in range(len(items))], plan.starts(key)):
            rows = []
            for i in range(piece.start, piece.end):
                group, index, item = items[i]
                begins = i == piece.start
                rows.append(
                    {
                        "index": i,
                        "level1": category.level1 if begins else None,
                        "level1_rowspan": piece.end - piece.start,
                        "level1_continued": piece.continued,
                        "level2": group.level2 if index == 0 or begins else None,
                        "level2_rowspan": min(i - index + len(group.items), piece.end) - i,
                        "level2_continued": begins and index > 0,
                        "item": item,
                    }
                )
            blocks.append({"key": key, "rows": rows, "break_before": piece.break_before})
    return blocks


def _task_blocks(declaration: Declaration, plan: Plan) -> list[dict]:
    """The task rows, one per task or per page a long task runs over when the plan cuts it, in one
    row group, or one per page when the plan cuts the group there (each closes its label column)."""
    rows = []
    for number, task in enumerate(declaration.tasks):
        key = f"task-{number}"
        flows = {"content": markdown_to_html(task.content), "goal": markdown_to_html(task.goal)}
        pieces = cut_flows(flows, plan.cuts(key))
        for k, piece in enumerate(pieces):
            name = f"{number}.{k}" if k else str(number)
            rows.append({"name": name, "key": key, "task": task, "piece": piece, "short": len(pieces) == 1 and _is_short(task)})
    # A task's piece begins a page: so does a row group.
    starts = {*plan.starts("tasks"), *(row["name"] for row in rows[1:] if row["piece"].break_before)}
    return [
        {"rows": rows[piece.start:piece.end], "break_before": piece.break_before}
        for piece in cut_rows([row["name"] for row in rows], starts)
    ]


def _prose_rows(key: str, text: str | None, plan: Plan) -> list[dict]:
    """A labelled row of prose, or one per page it runs over."""
    return [{"key": key, "piece": piece} for piece in cut_flows({"text": markdown_to_html(text)}, plan.cuts(key))]


def render_form(declaration: Declaration, template: str = "print.html", plan: Plan | None = None, **extra) -> str:
    return environment().get_template(template).render(**form_context(declaration, plan), **extra)
