"""A form beside the same form of an earlier year: amounts and their change, indicators added, removed, changed."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from generator.forms import taxonomy
from generator.core.fields import format_money
from generator.forms.indicators import IndicatorCategory, indicator_rows, value_text


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
    goal_label: str = "总体绩效目标"  # which goal goal_changed speaks of


def compare_lines(previous: list[tuple[str, str, Decimal]], current: list[tuple[str, str, Decimal]]) -> list[AmountRow]:
    """(group, label, amount) lines of two years, matched by group and label."""
    before = {(g, label): amount for g, label, amount in previous}
    now = {(g, label): amount for g, label, amount in current}
    rows = [AmountRow(g, label, before.get((g, label)), amount) for g, label, amount in current]
    rows += [AmountRow(g, label, amount, None) for g, label, amount in previous if (g, label) not in now]
    return rows


def _indicators(indicators: list[IndicatorCategory]) -> dict[tuple[str, str, str], tuple[str, str, str, str]]:
    return {
        (taxonomy.canonical(cat.level1), taxonomy.canonical(group.level2), item.level3.strip()): (
            cat.level1, group.level2, item.level3, value_text(item)
        )
        for _path, cat, group, item in indicator_rows(indicators)
    }


def compare_indicators(previous: list[IndicatorCategory], current: list[IndicatorCategory]) -> list[IndicatorRow]:
    changes = []
    before, now = _indicators(previous), _indicators(current)
    for key, (l1, l2, l3, value) in now.items():
        if key not in before:
            changes.append(IndicatorRow("新增", l1, l2, l3, "", value))
        elif before[key][3] != value:
            changes.append(IndicatorRow("变更", l1, l2, l3, before[key][3], value))
    for key, (l1, l2, l3, value) in before.items():
        if key not in now:
            changes.append(IndicatorRow("删除", l1, l2, l3, value, ""))
    return changes
