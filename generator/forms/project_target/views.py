"""What the project form shows: its template's rows, its CSVs, its chart and comparison."""

from __future__ import annotations


from generator.render.charts import bar_chart
from generator.render.compare import Comparison, compare_indicators, compare_lines
from generator.core.fields import format_amount
from generator.forms.indicators import indicator_blocks, indicator_rows, indicator_table
from generator.render.templates import prose_rows
from generator.core.form import Column, Table
from generator.forms.project_target.model import label, ProjectTarget



def _bound(value) -> str:
    return f"{value}年" if isinstance(value, int) else f"{value.year}年{value.month}月{value.day}日"


def period_text(d: ProjectTarget) -> str:
    """项目期 as the form prints it: 2024年—2026年, or 2024年3月1日—2024年12月31日."""
    period = d.project.period
    return f"{_bound(period.start)}—{_bound(period.end)}"


def context(d: ProjectTarget, plan) -> dict:
    options = d.project.attribute_options
    chosen = d.project.attribute.strip()
    return {
        "attributes": [(option, option.strip() == chosen) for option in options],
        "period_text": period_text(d),
        "fund_rows": [(source.label, source.period, source.annual) for source in d.funds.sources],
        "goal_rows": [
            {**row, "which": which}
            for which in ("period", "annual")
            for row in prose_rows(f"goal-{which}", getattr(d.goals, which), plan)
        ],
        "indicator_blocks": indicator_blocks(d.indicators, plan),
        "single_value": d.single_value_column,
    }


def _fund_lines(d: ProjectTarget, column: str) -> list[tuple[str, str, object]]:
    group = label(f"funds.total.{column}")
    lines = [(group, label("funds.total"), getattr(d.funds.total, column))]
    return lines + [(group, source.label, getattr(source, column)) for source in d.funds.sources]


def tables(d: ProjectTarget) -> list[Table]:
    header = [label("funds.sources.label"), label("funds.total.period"), label("funds.total.annual")]
    rows = [[label("funds.total"), d.funds.total.period, d.funds.total.annual]]
    rows += [[s.label, s.period, s.annual] for s in d.funds.sources]
    indicator_header, indicator_rows_ = indicator_table(d.indicators)
    return [
        Table("funds", label("funds"), header, rows),
        Table("indicators", label("indicators"), indicator_header, indicator_rows_),
    ]


def charts(d: ProjectTarget):
    return [
        bar_chart("annual", f"{label('funds.total.annual')}的来源", [(s.label, s.annual) for s in d.funds.sources]),
        bar_chart("period", f"{label('funds.total.period')}的来源", [(s.label, s.period) for s in d.funds.sources]),
    ]


def compare(previous: ProjectTarget, current: ProjectTarget) -> Comparison:
    return Comparison(
        previous_year=previous.year,
        amounts=compare_lines(_fund_lines(previous, "annual"), _fund_lines(current, "annual")),
        indicators=compare_indicators(previous.indicators, current.indicators),
        goal_changed=previous.goals.annual.strip() != current.goals.annual.strip(),
        goal_label=label("goals.annual"),
    )


def page(d: ProjectTarget, previous: ProjectTarget | None) -> dict:
    return {"charts": charts(d), "comparison": compare(previous, d) if previous else None, "previous": previous}


def headline(d: ProjectTarget):
    return label("funds.total.annual"), d.funds.total.annual


COLUMNS = (
    Column(label("funds.total.annual"), lambda d: format_amount(d.funds.total.annual), unit="万元"),
    Column(label("funds.total.period"), lambda d: format_amount(d.funds.total.period), unit="万元"),
    Column(label("project.period"), period_text, numeric=False),
    Column("绩效指标", lambda d: f"{sum(1 for _ in indicator_rows(d.indicators))} 项"),
)
