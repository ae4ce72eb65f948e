"""What a budget bureau checks by hand, as small named rules listed in RULES."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable, Iterator

from . import taxonomy
from .load import LoadedDeclaration
from .problems import Problem, Severity, format_money

ERROR, WARNING = Severity.ERROR, Severity.WARNING
Rule = Callable[[LoadedDeclaration], Iterator[Problem]]


def _yuan(amount: Decimal) -> str:
    return f"{format_money(amount)} 万元"


def _amounts(loaded: LoadedDeclaration) -> Iterator[tuple[tuple, Decimal]]:
    """Every amount in the declaration with its field path."""
    d = loaded.declaration
    yield ("budget", "spending", "basic"), d.budget.spending.basic
    yield ("budget", "spending", "project"), d.budget.spending.project
    for group in ("income", "development", "by_level"):
        for i, line in enumerate(getattr(d.budget, group)):
            yield ("budget", group, i, "amount"), line.amount
    for i, task in enumerate(d.tasks):
        yield ("tasks", i, "funds"), task.funds


def check_negative_amounts(loaded: LoadedDeclaration) -> Iterator[Problem]:
    for path, amount in _amounts(loaded):
        if amount < 0:
            yield loaded.problem("J205", ERROR, path, f"金额 {format_money(amount)} 为负数")


def check_decimal_places(loaded: LoadedDeclaration) -> Iterator[Problem]:
    for path, amount in _amounts(loaded):
        if amount.as_tuple().exponent < -2 and amount != amount.quantize(Decimal("0.01")):
            yield loaded.problem("J206", ERROR, path, f"金额 {amount} 超过两位小数；金额以万元计，保留两位小数")


def check_spending_by_level(loaded: LoadedDeclaration) -> Iterator[Problem]:
    budget = loaded.declaration.budget
    spending = budget.spending.total
    by_level = sum((line.amount for line in budget.by_level), Decimal(0))
    if spending != by_level:
        labels = "＋".join(line.label for line in budget.by_level)
        yield loaded.problem(
            "J201",
            ERROR,
            ("budget", "by_level"),
            f"按预算级次划分合计（{labels}）{_yuan(by_level)}，与基本支出＋项目支出 {_yuan(spending)} 不符，"
            f"相差 {format_money(abs(spending - by_level))} 万元",
        )


def check_income_covers_spending(loaded: LoadedDeclaration) -> Iterator[Problem]:
    budget = loaded.declaration.budget
    spending = budget.spending.total
    income = sum((line.amount for line in budget.income), Decimal(0))
    if income != spending:
        more_or_less = "多" if income > spending else "少"
        yield loaded.problem(
            "J202",
            WARNING,
            ("budget", "income"),
            f"收入来源合计 {_yuan(income)}，比部门预算支出合计 {_yuan(spending)}{more_or_less} "
            f"{format_money(abs(income - spending))} 万元",
        )


def check_development_within_project(loaded: LoadedDeclaration) -> Iterator[Problem]:
    budget = loaded.declaration.budget
    development = sum((line.amount for line in budget.development), Decimal(0))
    if development > budget.spending.project:
        yield loaded.problem(
            "J203",
            ERROR,
            ("budget", "development"),
            f"事业发展性支出合计 {_yuan(development)} 超过项目支出 {_yuan(budget.spending.project)}，"
            f"多 {format_money(development - budget.spending.project)} 万元；事业发展性支出是项目支出的一部分",
        )


def check_task_funds_within_project(loaded: LoadedDeclaration) -> Iterator[Problem]:
    d = loaded.declaration
    funds = sum((task.funds for task in d.tasks), Decimal(0))
    if funds > d.budget.spending.project:
        yield loaded.problem(
            "J204",
            ERROR,
            ("tasks",),
            f"年度重点工作任务拟投入资金合计 {_yuan(funds)} 超过项目支出 {_yuan(d.budget.spending.project)}，"
            f"多 {format_money(funds - d.budget.spending.project)} 万元",
        )


def check_indicator_taxonomy(loaded: LoadedDeclaration) -> Iterator[Problem]:
    for ci, cat in enumerate(loaded.declaration.indicators):
        if not taxonomy.is_level1(cat.level1):
            yield loaded.problem(
                "J301",
                ERROR,
                ("indicators", ci, "level1"),
                f"一级指标「{cat.level1}」不在官方指标体系中，应为 产出指标、效益指标、满意度指标 或 成本指标",
            )
            continue
        for gi, group in enumerate(cat.groups):
            path = ("indicators", ci, "groups", gi, "level2")
            if not taxonomy.is_level2(group.level2):
                yield loaded.problem(
                    "J302", WARNING, path, f"二级指标「{group.level2}」不在官方指标体系中，请核对名称"
                )
            elif not taxonomy.level2_allowed(cat.level1, group.level2):
                home = "、".join(taxonomy.level1_for(group.level2))
                yield loaded.problem(
                    "J303", WARNING, path, f"二级指标「{group.level2}」按官方指标体系属于{home}，不属于{cat.level1}"
                )


def check_level3_not_a_category(loaded: LoadedDeclaration) -> Iterator[Problem]:
    for (ci, gi, ii), _cat, _group, item in loaded.declaration.indicator_rows():
        name = taxonomy.canonical(item.level3)
        if name in taxonomy.ALL_LEVEL2 or name in taxonomy.LEVEL2_BY_LEVEL1:
            yield loaded.problem(
                "J304",
                ERROR,
                ("indicators", ci, "groups", gi, "items", ii, "level3"),
                f"三级指标「{item.level3}」是一级或二级指标的名称；这一行可能错了一列（表格转录时常见）",
            )


def _values(item) -> Iterator[tuple[str, str | None]]:
    if item.single_column:
        yield "value", item.value
    else:
        yield "period_value", item.period_value
        yield "annual_value", item.annual_value


def check_indicator_values(loaded: LoadedDeclaration) -> Iterator[Problem]:
    # The first indicator sets the table's layout; only the rows that differ from it are reported.
    first = None
    for (ci, gi, ii), _cat, _group, item in loaded.declaration.indicator_rows():
        base = ("indicators", ci, "groups", gi, "items", ii)
        if first is None:
            first = (item.single_column, loaded.where(base)[0])
        if item.single_column != first[0]:
            layouts = {True: "value（单列）", False: "period_value/annual_value（双列）"}
            yield loaded.problem(
                "J309",
                ERROR,
                base,
                f"同一张表的指标值列不一致：这一项写 {layouts[item.single_column]}，"
                f"第一个指标（第 {first[1]} 行）写 {layouts[first[0]]}",
            )
            continue
        for key, value in _values(item):
            if value is None or not value.strip():
                yield loaded.problem("J305", ERROR, base + (key,), f"三级指标「{item.level3}」的指标值为空")
                continue
            parsed = taxonomy.parse_value(value)
            if parsed and not parsed.unit:
                yield loaded.problem(
                    "J306", WARNING, base + (key,), f"指标值「{value}」只有数字没有单位（如 %、个、万人次）"
                )


def check_duplicate_indicators(loaded: LoadedDeclaration) -> Iterator[Problem]:
    seen: dict[tuple[str, str, str], int] = {}
    for (ci, gi, ii), cat, group, item in loaded.declaration.indicator_rows():
        key = (taxonomy.canonical(cat.level1), taxonomy.canonical(group.level2), item.level3.strip())
        path = ("indicators", ci, "groups", gi, "items", ii, "level3")
        line = loaded.where(path)[0]
        if key in seen:
            yield loaded.problem("J307", ERROR, path, f"三级指标「{item.level3}」重复（第 {seen[key]} 行已有）")
        else:
            seen[key] = line


def check_file_name(loaded: LoadedDeclaration) -> Iterator[Problem]:
    d = loaded.declaration
    if loaded.path.suffix in (".yaml", ".yml") and loaded.path.stem != d.department.id:
        yield loaded.problem(
            "J401",
            WARNING,
            ("department", "id"),
            f"部门标识「{d.department.id}」与文件名「{loaded.path.name}」不一致；约定为 declarations/<年度>/<部门标识>.yaml",
        )
    parent = loaded.path.parent.name
    if parent.isdigit() and parent != str(d.year):
        yield loaded.problem(
            "J402", WARNING, ("year",), f"预算年度 {d.year} 与所在文件夹「{parent}」不一致"
        )


RULES: list[Rule] = [
    check_negative_amounts,
    check_decimal_places,
    check_spending_by_level,
    check_income_covers_spending,
    check_development_within_project,
    check_task_funds_within_project,
    check_indicator_taxonomy,
    check_level3_not_a_category,
    check_indicator_values,
    check_duplicate_indicators,
    check_file_name,
]


def run_checks(loaded: LoadedDeclaration, strict: bool = False) -> list[Problem]:
    """Every rule's findings for a declaration that loaded; with strict, warnings count as errors."""
    if loaded.declaration is None:
        return []
    found = [problem for rule in RULES for problem in rule(loaded)]
    if strict:
        found = [
            Problem(p.file, p.line, p.column, p.code, ERROR, p.field, p.message) if not p.is_error else p
            for p in found
        ]
    return found


def duplicate_ids(loaded: list[LoadedDeclaration]) -> list[Problem]:
    """Two files claiming the same year and department would overwrite each other's output."""
    seen: dict[tuple[int, str], LoadedDeclaration] = {}
    problems = []
    for item in loaded:
        if item.declaration is None:
            continue
        key = (item.declaration.year, item.declaration.department.id)
        if key in seen:
            problems.append(
                item.problem(
                    "J403",
                    ERROR,
                    ("department", "id"),
                    f"{key[0]} 年度的部门标识「{key[1]}」已被 {seen[key].display} 使用",
                )
            )
        else:
            seen[key] = item
    return problems
