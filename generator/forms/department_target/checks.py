"""What a bureau checks on a 部门整体预算绩效目标申报表 beyond the indicator grid: its sums."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from generator.core.catalogue import ERROR, WARNING, Code
from generator.input.checks import decimal_places, money, negative_amounts, unique_labels
from generator.core.fieldpath import label
from generator.core.fields import format_money
from generator.forms.indicators import RULES as INDICATOR_RULES
from generator.forms.department_target.model import DepartmentTarget

CODES = (
    Code(
        "J201", ERROR, "按预算级次划分合计 ≠ 基本支出 + 项目支出",
        "按预算级次划分合计（{labels}）{by_level}，与基本支出＋项目支出 {spending}不符，相差 {gap} 万元",
    ),
    Code(
        "J202", WARNING, "收入来源合计 ≠ 基本支出 + 项目支出（写出两个合计和差额）",
        "收入来源合计 {income}，比部门预算支出合计 {spending}{more_or_less} {gap} 万元",
    ),
    Code(
        "J203", ERROR, "事业发展性支出合计超过项目支出",
        "事业发展性支出合计 {development} 超过项目支出 {project}，多 {gap} 万元；事业发展性支出是项目支出的一部分",
    ),
    Code(
        "J204", ERROR, "年度重点工作任务拟投入资金合计超过项目支出",
        "年度重点工作任务拟投入资金合计 {funds} 超过项目支出 {project}，多 {gap} 万元",
    ),
)

BUDGET_LISTS = ("income", "development", "by_level")


def amounts(d: DepartmentTarget):
    yield ("budget", "spending", "basic"), d.budget.spending.basic
    yield ("budget", "spending", "project"), d.budget.spending.project
    for group in BUDGET_LISTS:
        for i, line in enumerate(getattr(d.budget, group)):
            yield ("budget", group, i, "amount"), line.amount
    for i, task in enumerate(d.tasks):
        yield ("tasks", i, "funds"), task.funds


def labelled_lists(d: DepartmentTarget):
    for group in BUDGET_LISTS:
        yield ("budget", group), label(DepartmentTarget, f"budget.{group}"), getattr(d.budget, group), "label"
    yield ("tasks",), "年度重点工作任务", d.tasks, "name"


def _total(lines) -> Decimal:
    return sum((line.amount for line in lines), Decimal(0))


def check_spending_by_level(loaded) -> Iterator:
    budget = loaded.declaration.budget
    spending, by_level = budget.spending.total, _total(budget.by_level)
    if spending != by_level:
        yield loaded.report(
            "J201", ("budget", "by_level"),
            labels="＋".join(line.label for line in budget.by_level), by_level=money(by_level),
            spending=money(spending), gap=format_money(abs(spending - by_level)),
        )


def check_income_covers_spending(loaded) -> Iterator:
    budget = loaded.declaration.budget
    spending, income = budget.spending.total, _total(budget.income)
    if income != spending:
        yield loaded.report(
            "J202", ("budget", "income"),
            income=money(income), spending=money(spending), more_or_less="多" if income > spending else "少",
            gap=format_money(abs(income - spending)),
        )


def check_development_within_project(loaded) -> Iterator:
    budget = loaded.declaration.budget
    development, project = _total(budget.development), budget.spending.project
    if development > project:
        yield loaded.report(
            "J203", ("budget", "development"),
            development=money(development), project=money(project), gap=format_money(development - project),
        )


def check_task_funds_within_project(loaded) -> Iterator:
    d = loaded.declaration
    funds = sum((task.funds for task in d.tasks), Decimal(0))
    project = d.budget.spending.project
    if funds > project:
        yield loaded.report(
            "J204", ("tasks",), funds=money(funds), project=money(project), gap=format_money(funds - project)
        )


RULES = (
    negative_amounts(amounts),
    decimal_places(amounts, 2, "保留两位小数"),
    unique_labels(labelled_lists),
    check_spending_by_level,
    check_income_covers_spending,
    check_development_within_project,
    check_task_funds_within_project,
    *INDICATOR_RULES,
)
