"""What the department form shows: the rows its template lays out, its CSVs, charts and comparison."""

from __future__ import annotations


from generator.render.charts import bar_chart
from generator.render.compare import Comparison, compare_indicators, compare_lines
from generator.core.fields import format_money
from generator.forms.indicators import indicator_blocks, indicator_rows, indicator_table
from generator.render.paginate import Plan, cut_rows
from generator.render.templates import flow_pieces, markdown_to_html, prose_rows
from generator.core.form import Column, Table
from generator.forms.department_target.model import label, DepartmentTarget


# A task row this short (about a third of a landscape page) is kept on one page rather than split.
SHORT_TASK_CHARS = 450


def _is_short(task) -> bool:
    return len(task.content) <= SHORT_TASK_CHARS and len(task.goal) <= SHORT_TASK_CHARS // 2


def _pair_rows(left: list, right: list, rows: int) -> list[tuple]:
    """Two columns of (label, amount) side by side, padded with empty cells to the same length."""
    empty = (None, None)
    return [(left[i] if i < len(left) else empty, right[i] if i < len(right) else empty) for i in range(rows)]


def _spending(d: DepartmentTarget) -> list[tuple[str, object]]:
    return [
        (label("budget.spending.basic"), d.budget.spending.basic),
        (label("budget.spending.project"), d.budget.spending.project),
    ]


def _task_blocks(d: DepartmentTarget, plan: Plan) -> list[dict]:
    """The task rows, one per task or per page a long task runs over when the plan cuts it, in one
    row group, or one per page when the plan cuts the group there (each closes its label column)."""
    rows = []
    for number, task in enumerate(d.tasks):
        key = f"task-{number}"
        flows = {"content": markdown_to_html(task.content), "goal": markdown_to_html(task.goal)}
        pieces = flow_pieces(flows, plan.cuts(key))
        for k, piece in enumerate(pieces):
            name = f"{number}.{k}" if k else str(number)
            rows.append({"name": name, "key": key, "task": task, "piece": piece, "short": len(pieces) == 1 and _is_short(task)})
    # A task's piece begins a page: so does a row group.
    starts = {*plan.starts("tasks"), *(row["name"] for row in rows[1:] if row["piece"].break_before)}
    return [
        {"rows": rows[piece.start:piece.end], "break_before": piece.break_before}
        for piece in cut_rows([row["name"] for row in rows], starts)
    ]


def context(d: DepartmentTarget, plan: Plan) -> dict:
    """What form.html needs beyond the model: row counts it lays out by and, for the PDF, the rows
    and groups cut at page breaks (generator/paginate.py), computed here."""
    budget = d.budget
    first_rows = max(2, len(budget.income))
    second_rows = max(len(budget.development), len(budget.by_level), 1)
    return {
        "budget_first": _pair_rows(_spending(d), [(x.label, x.amount) for x in budget.income], first_rows),
        "budget_second": _pair_rows(
            [(x.label, x.amount) for x in budget.development], [(x.label, x.amount) for x in budget.by_level], second_rows
        ),
        "budget_rowspan": first_rows + second_rows + 2,
        "indicator_blocks": indicator_blocks(d.indicators, plan),
        "task_blocks": _task_blocks(d, plan),
        "goal_rows": prose_rows("overall-goal", d.overall_goal, plan),
        "other_rows": prose_rows("other-tasks", d.other_tasks, plan),
        "single_value": d.single_value_column,
    }


def _budget_lines(d: DepartmentTarget) -> list[tuple[str, str, object]]:
    spending = label("budget.spending")
    lines = [(spending, name, amount) for name, amount in _spending(d)]
    for key in ("income", "development", "by_level"):
        lines += [(label(f"budget.{key}"), line.label, line.amount) for line in getattr(d.budget, key)]
    return lines


def tables(d: DepartmentTarget) -> list[Table]:
    budget_header = ["分组", label("budget.income.label"), label("budget.income.amount")]
    task_keys = ("name", "content", "funds", "goal")
    tasks = [[i, *(getattr(t, key) for key in task_keys)] for i, t in enumerate(d.tasks, start=1)]
    header, rows = indicator_table(d.indicators)
    return [
        Table("budget", label("budget"), budget_header, [list(line) for line in _budget_lines(d)]),
        Table("tasks", label("tasks"), ["序号", *(label(f"tasks.{key}") for key in task_keys)], tasks),
        Table("indicators", label("indicators"), header, rows),
    ]


def charts(d: DepartmentTarget):
    budget = d.budget
    return [
        bar_chart("spending", label("budget.spending"), _spending(d)),
        bar_chart("income", label("budget.income"), [(x.label, x.amount) for x in budget.income]),
        bar_chart("by-level", label("budget.by_level"), [(x.label, x.amount) for x in budget.by_level]),
        bar_chart("tasks", f"{label('tasks')}拟投入资金", [(t.name, t.funds) for t in d.tasks]),
    ]


def compare(previous: DepartmentTarget, current: DepartmentTarget) -> Comparison:
    task_group = "任务"
    return Comparison(
        previous_year=previous.year,
        amounts=compare_lines(_budget_lines(previous), _budget_lines(current)),
        tasks=compare_lines(
            [(task_group, t.name, t.funds) for t in previous.tasks], [(task_group, t.name, t.funds) for t in current.tasks]
        ),
        indicators=compare_indicators(previous.indicators, current.indicators),
        goal_changed=previous.overall_goal.strip() != current.overall_goal.strip(),
    )


def page(d: DepartmentTarget, previous: DepartmentTarget | None) -> dict:
    """page.html's context: the charts and the comparison with the previous year."""
    return {
        "charts": charts(d),
        "comparison": compare(previous, d) if previous else None,
        "previous": previous,
    }


def indicator_count(d: DepartmentTarget) -> int:
    return sum(1 for _ in indicator_rows(d.indicators))


def headline(d: DepartmentTarget):
    return "部门预算支出合计", d.budget.spending.total


COLUMNS = (
    Column("部门预算支出合计", lambda d: format_money(d.budget.spending.total), unit="万元"),
    Column("重点工作任务", lambda d: f"{len(d.tasks)} 项"),
    Column("绩效指标", lambda d: f"{indicator_count(d)} 项"),
)
