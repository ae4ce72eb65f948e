"""What a bureau checks on a 项目支出绩效目标申报表: its funds add up, its period holds the year,
and, across forms, that the projects agree with their department's form."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Iterator

from generator.core.catalogue import ERROR, WARNING, Code
from generator.input.checks import decimal_places, money, negative_amounts, unique_labels
from generator.core.fieldpath import label
from generator.core.fields import format_amount, format_total
from generator.forms.indicators import RULES as INDICATOR_RULES
from generator.forms.project_target.model import KIND, ProjectTarget

DEPARTMENT_KIND = "department-target"

CODES = (
    Code("J221", ERROR, "项目资金总额 ≠ 其下各行之和（实施期、年度两列分别核对）", "{column}：资金总额 {total}，各行合计 {rows}，相差 {gap} 万元"),
    Code("J222", ERROR, "年度资金总额超过实施期资金总额", "年度资金总额 {annual} 超过实施期资金总额 {period}"),
    Code("J223", ERROR, "项目期不含预算年度，或开始晚于结束", "{detail}"),
    Code("J224", ERROR, "项目属性不在可选项中", "项目属性「{value}」不在可选项（{options}）中"),
    Code(
        "J410", WARNING, "各项目年度资金总额之和超过部门整体申报的项目支出",
        "{year} 年度 {department} 的 {count} 个项目年度资金合计 {projects}，超过部门整体申报的项目支出 {spending}，多 {gap} 万元",
    ),
    Code("J412", WARNING, "项目没有对应的部门整体申报（同一年度、同一部门标识）", "{year} 年度没有部门标识为「{department}」的部门整体申报；请核对主管部门的标识"),
    Code("J413", ERROR, "主管部门名称与部门整体申报中的部门名称不一致", "主管部门「{name}」与部门整体申报（{file}）中的「{expected}」不一致"),
)


def _wan(amount: Decimal) -> str:
    """A project amount as written (up to six decimals), with its unit, for messages."""
    return f"{format_amount(amount)} 万元"


def _sum(amount: Decimal) -> str:
    return f"{format_total(amount)} 万元"


def amounts(d: ProjectTarget):
    yield ("funds", "total", "period"), d.funds.total.period
    yield ("funds", "total", "annual"), d.funds.total.annual
    for i, source in enumerate(d.funds.sources):
        yield ("funds", "sources", i, "period"), source.period
        yield ("funds", "sources", i, "annual"), source.annual


def labelled_lists(d: ProjectTarget):
    yield ("funds", "sources"), label(ProjectTarget, "funds.sources.label"), d.funds.sources, "label"


def check_funds_add_up(loaded) -> Iterator:
    funds = loaded.declaration.funds
    for column in ("period", "annual"):
        total = getattr(funds.total, column)
        rows = sum((getattr(source, column) for source in funds.sources), Decimal(0))
        if rows != total:
            yield loaded.report(
                "J221", ("funds", "total", column), column=label(ProjectTarget, f"funds.total.{column}"),
                total=format_amount(total), rows=format_total(rows), gap=format_total(abs(total - rows)),
            )


def check_annual_within_period(loaded) -> Iterator:
    total = loaded.declaration.funds.total
    if total.annual > total.period:
        yield loaded.report(
            "J222", ("funds", "total", "annual"), annual=_wan(total.annual), period=_wan(total.period)
        )


def _bound(value) -> str:
    return f"{value} 年" if isinstance(value, int) else value.isoformat()


def check_period_covers_year(loaded) -> Iterator:
    d = loaded.declaration
    period = d.project.period
    if period.first_day > period.last_day:
        yield loaded.report(
            "J223", ("project", "period", "end"),
            detail=f"项目期结束（{_bound(period.end)}）早于开始（{_bound(period.start)}）",
        )
    elif not period.first_day.year <= d.year <= period.last_day.year:
        yield loaded.report(
            "J223", ("project", "period"),
            detail=f"项目期 {_bound(period.start)}—{_bound(period.end)} 不含预算年度 {d.year} 年",
        )


def check_attribute_option(loaded) -> Iterator:
    project = loaded.declaration.project
    if project.attribute.strip() not in [option.strip() for option in project.attribute_options]:
        yield loaded.report(
            "J224", ("project", "attribute"), value=project.attribute, options="、".join(project.attribute_options)
        )


RULES = (
    negative_amounts(amounts),
    decimal_places(amounts, 6, "至多六位小数"),
    unique_labels(labelled_lists),
    check_funds_add_up,
    check_annual_within_period,
    check_period_covers_year,
    check_attribute_option,
    *INDICATOR_RULES,
)


# ---- across forms ----------------------------------------------------------------------------------


def _by_department(documents) -> tuple[dict, dict]:
    departments = {(d.year, d.department.id): d for d in documents if d.form.kind == DEPARTMENT_KIND}
    projects = defaultdict(list)
    for item in documents:
        if item.form.kind == KIND:
            projects[(item.year, item.department.id)].append(item)
    return departments, projects


def check_projects_against_department(documents) -> Iterator:
    """Each project's department form exists and names the department alike; the projects' year
    funds fit in the department's 项目支出."""
    departments, projects = _by_department(documents)
    for (year, dept_id), items in sorted(projects.items()):
        department = departments.get((year, dept_id))
        if department is None:
            for item in items:
                yield item.report("J412", ("department", "id"), year=year, department=dept_id)
            continue
        expected = department.declaration.department.name
        for item in items:
            if item.declaration.department.name.strip() != expected.strip():
                yield item.report(
                    "J413", ("department", "name"),
                    name=item.declaration.department.name, file=department.display, expected=expected,
                )
        total = sum((item.declaration.funds.total.annual for item in items), Decimal(0))
        spending = department.declaration.budget.spending.project
        if total > spending:
            yield department.report(
                "J410", ("budget", "spending", "project"),
                year=year, department=expected, count=len(items), projects=_sum(total),
                spending=money(spending), gap=format_total(total - spending),
            )


CROSS_RULES = (check_projects_against_department,)
