"""The official indicator taxonomy (财预〔2015〕88号 and 财预〔2021〕101号) and its name variants."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

# 一级指标 → the 二级指标 either scheme allows under it; names are in canonical form (see canonical()).
LEVEL2_BY_LEVEL1: dict[str, frozenset[str]] = {
    "产出指标": frozenset({"数量指标", "质量指标", "时效指标", "成本指标"}),
    "效益指标": frozenset({"经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"}),
    "满意度指标": frozenset({"服务对象满意度指标"}),
    "成本指标": frozenset({"经济成本指标", "社会成本指标", "生态环境成本指标"}),
}

# Spellings seen on real forms and in official documents for the same name.
VARIANTS: dict[str, str] = {
    "可持续发展影响指标": "可持续影响指标",
    "环境效益指标": "生态效益指标",
    "社会公众或服务对象满意度指标": "服务对象满意度指标",
    "社会公众满意度指标": "服务对象满意度指标",
}

ALL_LEVEL2 = frozenset().union(*LEVEL2_BY_LEVEL1.values())


def canonical(name: str) -> str:
    """社会效益 → 社会效益指标; 可持续发展影响指标 → 可持续影响指标; spaces and full-width marks ignored."""
    text = re.sub(r"[\s　]+", "", name)
    if not text.endswith("指标"):
        text += "指标"
    return VARIANTS.get(text, text)


def is_level1(name: str) -> bool:
    return canonical(name) in LEVEL2_BY_LEVEL1


def is_level2(name: str) -> bool:
    return canonical(name) in ALL_LEVEL2


def level2_allowed(level1: str, level2: str) -> bool:
    return canonical(level2) in LEVEL2_BY_LEVEL1.get(canonical(level1), frozenset())


def level1_for(level2: str) -> list[str]:
    """The 一级指标 under which a 二级指标 belongs (成本指标 sits under two schemes)."""
    name = canonical(level2)
    return [l1 for l1, l2s in LEVEL2_BY_LEVEL1.items() if name in l2s]


# A target value: optional operator, a number, the unit that follows. ≧ ≦, ASCII and full-width forms are
# accepted and read as the operator they stand for; the text itself is never rewritten.
VALUE_PATTERN = re.compile(
    r"^\s*(?P<op>≥|≤|≧|≦|>=|<=|=|>|<|＞＝|＜＝|＞|＜|＝)?\s*"
    r"(?P<number>[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?)\s*(?P<unit>.*?)\s*$"
)
OPERATORS = {"≧": "≥", ">=": "≥", "＞＝": "≥", "≦": "≤", "<=": "≤", "＜＝": "≤", "＞": ">", "＜": "<", "＝": "="}


class ParsedValue(NamedTuple):
    operator: str  # one of ≥ ≤ = > <, or "" when none is written
    number: Decimal
    unit: str


def parse_value(text: str) -> ParsedValue | None:
    """'≥ 30万人次' → ('≥', Decimal('30'), '万人次'); a qualitative value ('有效提升') → None."""
    match = VALUE_PATTERN.match(text)
    if not match:
        return None
    op = match["op"] or ""
    return ParsedValue(OPERATORS.get(op, op), Decimal(match["number"].replace(",", "")), match["unit"])
