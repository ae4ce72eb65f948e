"""A declaration beside the same department's previous one: amounts and their change, indicators added, removed, changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import taxonomy
from .model import Declaration
from .problems import format_money

GROUP_TITLES = {"income": "收入来源", "development": "事业发展性支出", "by_level": "按预算级次划分"}


@dataclass(frozen=True)
class AmountRow:
    group: str
    label: str
    previous: Decimal | None
    current: Decimal | None

    @property
    def change(self) -> str:
        if self.previous is None:
            return "新增"
        if self.current is None:
            return "取消"
        delta = self.current - self.previous
        sign = "+" if delta > 0 else ("−" if delta < 0 else "±")
        text = f"{sign}{format_money(abs(delta))}"
        if self.previous:
            percent = (abs(delta) / abs(self.previous) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
            text += f"（{sign}{percent}%）"
        return text


@dataclass(frozen=True)
class IndicatorRow:
    kind: str  # 新增 / 删除 / 变更
    level1: str
    level2: str
    level3: str
    previous: str
    current: str


@dataclass
class Comparison:
    previous_year: int
    amounts: list[AmountRow] = field(default_factory=list)
    tasks: list[AmountRow] = field(default_factory=list)
    indicators: list[IndicatorRow] = field(default_factory=list)
    goal_changed: bool = False


def _budget_lines(d: Declaration) -> list[tuple[str, str, Decimal]]:
    lines = [("部门预算支出", "基本支出", d.budget.spending.basic), ("部门预算支出", "项目支出", d.budget.spending.project)]
    for key, title in GROUP_TITLES.items():
        lines += [(title, line.label, line.amount) for line in getattr(d.budget, key)]
    return lines


def _merge(previous: list[tuple[str, str, Decimal]], current: list[tuple[str, str, Decimal]]) -> list[AmountRow]:
    before = {(g, label): amount for g, label, amount in previous}
    now = {(g, label): amount for g, label, amount in current}
    rows = [AmountRow(g, label, before.get((g, label)), amount) for g, label, amount in current]
    rows += [AmountRow(g, label, amount, None) for g, label, amount in previous if (g, label) not in now]
    return rows


def _values(item) -> str:
    if item.single_column:
        return item.value or ""
    return f"{item.period_value or ''} / {item.annual_value or ''}"


def _indicators(d: Declaration) -> dict[tuple[str, str, str], tuple[str, str, str, str]]:
    return {
        (taxonomy.canonical(cat.level1), taxonomy.canonical(group.level2), item.level3.strip()): (
            cat.level1, group.level2, item.level3, _values(item)
        )
        for _path, cat, group, item in d.indicator_rows()
    }


def compare(previous: Declaration, current: Declaration) -> Comparison:
    result = Comparison(previous_year=previous.year)
    result.amounts = _merge(_budget_lines(previous), _budget_lines(current))
    result.tasks = _merge(
        [("任务", t.name, t.funds) for t in previous.tasks], [("任务", t.name, t.funds) for t in current.tasks]
    )
    before, now = _indicators(previous), _indicators(current)
    for key, (l1, l2, l3, value) in now.items():
        if key not in before:
            result.indicators.append(IndicatorRow("新增", l1, l2, l3, "", value))
        elif before[key][3] != value:
            result.indicators.append(IndicatorRow("变更", l1, l2, l3, before[key][3], value))
    for key, (l1, l2, l3, value) in before.items():
        if key not in now:
            result.indicators.append(IndicatorRow("删除", l1, l2, l3, value, ""))
    result.goal_changed = previous.overall_goal.strip() != current.overall_goal.strip()
    return result


def previous_of(declaration: Declaration, all_declarations: list[Declaration]) -> Declaration | None:
    """The same department's latest declaration of an earlier year, if any."""
    earlier = [
        d for d in all_declarations if d.department.id == declaration.department.id and d.year < declaration.year
    ]
    return max(earlier, key=lambda d: d.year) if earlier else None
