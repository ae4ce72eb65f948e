"""Budget composition as horizontal bar charts: geometry computed here, drawn as inline SVG by the template."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from generator.core.fields import format_money

WIDTH = 400  # drawn at this size (scaled down, never up): 13 px type on a desktop, 11 px on a phone
ROW_HEIGHT = 38
BAR_HEIGHT = 12
LABEL_CHARS = 18  # what fits beside the amount at the chart's type size; the full label is in <title>


@dataclass(frozen=True)
class Bar:
    label: str
    amount: str
    share: str
    y: int
    width: str

    @property
    def short_label(self) -> str:
        return self.label if len(self.label) <= LABEL_CHARS else self.label[: LABEL_CHARS - 1] + "…"


@dataclass(frozen=True)
class Chart:
    """One row per item: its label and amount on a line, a bar of the whole width's share below."""

    key: str
    title: str
    total: str
    bars: list[Bar]
    height: int
    width: int = WIDTH
    bar_height: int = BAR_HEIGHT
    unit: str = "万元"  # after each bar's figure and the total; empty when the figures carry their own
    total_label: str = "合计"

    @property
    def caption(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.title}（{self.total_label} {self.total}{unit}）"

    def spoken(self, bar: Bar) -> str:
        """A bar as the chart's text alternative reads it."""
        unit = f" {self.unit}" if self.unit else ""
        return f"{bar.label} {bar.amount}{unit}（{bar.share}）"


def bar_chart(key: str, title: str, items: list[tuple[str, Decimal]]) -> Chart:
    total = sum((amount for _label, amount in items), Decimal(0))
    largest = max((amount for _label, amount in items), default=Decimal(0))
    bars = []
    for index, (label, amount) in enumerate(items):
        share = (amount / total * 100).quantize(Decimal("0.1"), ROUND_HALF_UP) if total > 0 else Decimal(0)
        width = (amount / largest * WIDTH).quantize(Decimal("0.1")) if largest > 0 and amount > 0 else Decimal(0)
        bars.append(Bar(label, format_money(amount), f"{share}%", index * ROW_HEIGHT, str(width)))
    return Chart(key, title, format_money(total), bars, max(1, len(items)) * ROW_HEIGHT)
