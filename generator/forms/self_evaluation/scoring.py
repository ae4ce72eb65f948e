"""Scoring a year-end self-evaluation (绩效自评表, 财预〔2020〕10号 style) on exact Decimals, never floats.

Scores are kept exact for sums; round2() is for printing only. Quantitative rules: ≥ and > (and a bare
number with no operator, read as ≥) score actual ÷ target; ≤ and < score target ÷ actual; = scores full
when met. Strict and non-strict operators score alike. Every score is capped at its 分值 and never below 0.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, fields
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Iterable

from generator.forms.taxonomy import parse_value

TIER_NAMES = ("达成", "部分达成", "未达成")


class ScoringError(ValueError):
    """What cannot be scored, with a Chinese message."""


def _default_tiers() -> dict[str, tuple[Decimal, Decimal]]:
    return {"达成": (Decimal("0.8"), Decimal(1)), "部分达成": (Decimal("0.6"), Decimal("0.8")),
            "未达成": (Decimal(0), Decimal("0.6"))}


@dataclass(frozen=True)
class Settings:
    """The editable scoring rules; the defaults are those of 财预〔2020〕10号."""

    budget_points: Decimal = Decimal(10)
    split: dict[str, Decimal] = field(
        default_factory=lambda: {"产出指标": Decimal(50), "效益指标": Decimal(30), "满意度指标": Decimal(10)})
    tiers: dict[str, tuple[Decimal, Decimal]] = field(default_factory=_default_tiers)
    grades: tuple[tuple[Decimal, str], ...] = (
        (Decimal(90), "优"), (Decimal(80), "良"), (Decimal(60), "中"), (Decimal(0), "差"))
    tolerance: Decimal = Decimal("0.1")

    @classmethod
    def from_mapping(cls, mapping: Any) -> Settings:
        """Settings from a YAML mapping of the same keys; keys left out keep their defaults."""
        if not isinstance(mapping, dict):
            raise ScoringError("评分设置应为键值对（budget_points、split、tiers、grades、tolerance）")
        known = [f.name for f in fields(cls)]
        unknown = [str(key) for key in mapping if key not in known]
        if unknown:
            raise ScoringError(f"未知的评分设置项：{'、'.join(unknown)}（可用：{'、'.join(known)}）")
        values: dict[str, Any] = {}
        if "budget_points" in mapping:
            values["budget_points"] = _number(mapping["budget_points"], "budget_points（预算执行率分值）")
        if "tolerance" in mapping:
            values["tolerance"] = _number(mapping["tolerance"], "tolerance（得分容差）")
        if "split" in mapping:
            if not isinstance(mapping["split"], dict) or not mapping["split"]:
                raise ScoringError("split 应为一级指标到分值的键值对，如 产出指标: 50")
            values["split"] = {str(k): _number(v, f"split 中「{k}」的分值") for k, v in mapping["split"].items()}
        if "tiers" in mapping:
            values["tiers"] = _tiers(mapping["tiers"])
        if "grades" in mapping:
            values["grades"] = _grades(mapping["grades"])
        settings = cls(**values)
        total = settings.budget_points + sum(settings.split.values(), Decimal(0))
        if total != 100:
            raise ScoringError(f"预算执行率分值与各一级指标分值合计应为 100 分，现为 {_num(total)} 分")
        return settings


def _number(value: Any, what: str) -> Decimal:
    """A Decimal ≥ 0 from a YAML value (text, integer; a float through its shortest text)."""
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
        raise ScoringError(f"{what} 应为数字，现为「{value}」")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ScoringError(f"{what} 应为数字，现为「{value}」") from None
    if not number.is_finite() or number < 0:
        raise ScoringError(f"{what} 应为不小于 0 的数字，现为「{value}」")
    return number


def _tiers(value: Any) -> dict[str, tuple[Decimal, Decimal]]:
    if not isinstance(value, dict):
        raise ScoringError("tiers 应为档次到区间的键值对，如 达成: [0.8, 1]")
    tiers = _default_tiers()
    for name, band in value.items():
        if name not in TIER_NAMES:
            raise ScoringError(f"未知的档次「{name}」，应为 达成、部分达成 或 未达成")
        if not isinstance(band, (list, tuple)) or len(band) != 2:
            raise ScoringError(f"档次「{name}」应为 [下限, 上限]，如 [0.6, 0.8]")
        low, high = (_number(b, f"档次「{name}」的区间") for b in band)
        if not low < high <= 1:
            raise ScoringError(f"档次「{name}」的区间应满足 0 ≤ 下限 < 上限 ≤ 1，现为 [{_num(low)}, {_num(high)}]")
        tiers[name] = (low, high)
    return tiers


def _grades(value: Any) -> tuple[tuple[Decimal, str], ...]:
    if not isinstance(value, (list, tuple)) or not value:
        raise ScoringError("grades 应为 [分数线, 等级] 的列表，如 [[90, 优], [80, 良], [60, 中], [0, 差]]")
    grades = []
    for item in value:
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ScoringError(f"grades 中「{item}」应为 [分数线, 等级]，如 [90, 优]")
        grades.append((_number(item[0], f"等级「{item[1]}」的分数线"), str(item[1])))
    return tuple(sorted(grades, key=lambda g: g[0], reverse=True))


def _num(number: Decimal) -> str:
    """A figure as written, without trailing zeros: 20.0 → 20, 0.60 → 0.6."""
    return format(number.normalize(), "f")


def round2(value: Decimal) -> Decimal:
    """A score rounded half-up to two places, for printing only."""
    return value.quantize(Decimal("0.01"), ROUND_HALF_UP)


def execution_rate(budget: Decimal, executed: Decimal) -> Decimal:
    """预算执行率 = 执行数 B ÷ 全年预算数 A (not 年初预算数)."""
    if budget == 0:
        raise ScoringError("全年预算数为 0，无法计算预算执行率（B ÷ A）")
    if budget < 0:
        raise ScoringError(f"全年预算数为负数（{_num(budget)}），无法计算预算执行率（B ÷ A）")
    return executed / budget


def execution_score(rate: Decimal, points: Decimal) -> Decimal:
    """预算执行率得分 = min(执行率, 1) × 分值: over 100% scores full, never more (nor below 0)."""
    return min(max(rate, Decimal(0)), Decimal(1)) * points


@dataclass(frozen=True)
class Score:
    """An indicator's exact score, the rule applied in words, and its kind: ≥ ≤ = or 定性."""

    value: Decimal
    rule: str
    kind: str


def indicator_score(target: str, actual: str | None, points: Decimal, tier: str | None = None,
                    filed: Decimal | None = None, settings: Settings = Settings()) -> Score:
    """An indicator's score from its 年度指标值, 实际完成值 and 分值 (for 定性 targets, its tier)."""
    if isinstance(points, float) or isinstance(filed, float):
        raise ScoringError("分值和得分应为 Decimal 或整数，不能是浮点数")
    points = Decimal(points)
    if points < 0:
        raise ScoringError(f"分值不能为负数，现为 {_num(points)}")
    if filed is not None and filed < 0:
        raise ScoringError(f"填报得分不能为负数，现为 {_num(filed)}")
    goal = parse_value(target)
    if goal is None:
        return _qualitative(tier, points, filed, settings)
    got = parse_value(actual) if actual is not None else None
    if got is None:
        raise ScoringError(f"实际完成值「{actual or ''}」应像年度指标值「{target.strip()}」一样写出数字")
    t, a, p = goal.number, got.number, _num(points)
    if goal.operator == "=":
        if a == t:
            return Score(points, "= 目标：实际等于目标，得满分", "=")
        if filed is not None:
            capped = "，封顶 " + p + " 分" if filed > points else ""
            return Score(min(filed, points), f"= 目标：实际 {_num(a)} 不等于目标 {_num(t)}，取填报得分 {_num(filed)} 分{capped}", "=")
        return Score(Decimal(0), f"= 目标：实际 {_num(a)} 不等于目标 {_num(t)}，得 0 分", "=")
    if t < 0 or a < 0:
        raise ScoringError(f"年度指标值「{target.strip()}」或实际完成值「{actual.strip()}」为负数，无法按比例计分")
    if goal.operator in ("≤", "<"):
        if a == 0:
            return Score(points, f"≤ 目标：实际为 0，得满分 {p} 分", "≤")
        ratio, rule, kind = t / a, f"≤ 目标：目标 {_num(t)} ÷ 实际 {_num(a)} × {p} 分", "≤"
    else:  # ≥, > and a bare number
        if t == 0:
            return Score(points, f"≥ 目标：目标为 0，实际 {_num(a)} 不小于 0，得满分 {p} 分", "≥")
        ratio, rule, kind = a / t, f"≥ 目标：实际 {_num(a)} ÷ 目标 {_num(t)} × {p} 分", "≥"
    if ratio > 1:
        return Score(points, f"{rule}，封顶 {p} 分", kind)
    return Score(ratio * points, rule, kind)


def _qualitative(tier: str | None, points: Decimal, filed: Decimal | None, settings: Settings) -> Score:
    """A 定性 indicator: the filed score within its tier's band, or the band's upper bound × 分值."""
    if tier not in settings.tiers:
        raise ScoringError(f"定性指标须注明完成档次（{'、'.join(settings.tiers)}），现为「{tier or ''}」")
    low, high = settings.tiers[tier]
    if filed is None:
        return Score(high * points, f"定性：{tier}，取分值的 {_num(high * 100)}%", "定性")
    low_points, high_points = low * points, high * points
    # A band is (low, high]; its lower bound belongs to the tier below, and 0 to 未达成.
    if not (low_points < filed <= high_points or (filed == low_points and (low == 0 or points == 0))):
        raise ScoringError(
            f"{tier}的得分应在 {round2(low_points)}–{round2(high_points)} 分之间"
            f"（分值 {_num(points)} 的 {_num(low * 100)}%–{_num(high * 100)}%），现为 {_num(filed)} 分")
    return Score(filed, f"定性：{tier}，取填报得分 {_num(filed)} 分（分值的 {_num(low * 100)}%–{_num(high * 100)}%）", "定性")


def _unit(text: str) -> str | None:
    parsed = parse_value(text)
    return None if parsed is None else re.sub(r"\s+", "", unicodedata.normalize("NFKC", parsed.unit))


def units_differ(target: str, actual: str) -> bool:
    """Whether both values are numbers with different units (spaces and full-width forms ignored)."""
    a, b = _unit(target), _unit(actual)
    return a is not None and b is not None and a != b


LEVEL1_POINTS = re.compile(r"^(?P<name>.*?)\s*\(?\s*(?P<points>\d+(?:\.\d+)?)\s*分\s*\)?$")


def level1_points(label: str) -> tuple[str, Decimal | None]:
    """'产出指标（50分）', '产出指标(50分)', '产出指标 50分' → ('产出指标', 50); no points → (label, None)."""
    text = unicodedata.normalize("NFKC", label).strip()
    match = LEVEL1_POINTS.match(text)
    if not match or not match["name"]:
        return label.strip(), None
    return match["name"].strip(), Decimal(match["points"])


def total_score(parts: Iterable[tuple[Decimal, Decimal, bool]]) -> Decimal:
    """总分 = Σ 得分 × 100 ÷ Σ 分值 over the applicable parts: 不适用 items are left out, the rest rescaled."""
    points = scores = Decimal(0)
    for part_points, score, applicable in parts:
        if applicable:
            points += part_points
            scores += score
    if points == 0:
        raise ScoringError("适用指标的分值合计为 0，无法计算总分")
    return scores * 100 / points


def grade(total: Decimal, settings: Settings = Settings()) -> str:
    """The grade for a 总分: the first whose bound the total reaches (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, else 差)."""
    ordered = sorted(settings.grades, key=lambda g: g[0], reverse=True)
    for bound, name in ordered:
        if total >= bound:
            return name
    return ordered[-1][1]


def differs(filed: Decimal, computed: Decimal, settings: Settings = Settings()) -> bool:
    """Whether a filed score differs from the computed one by more than the tolerance."""
    return abs(filed - computed) > settings.tolerance
