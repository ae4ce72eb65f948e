"""The 绩效指标 grid every form shares (一级 → 二级 → 三级 with one or two value columns): its model,
the rules a bureau applies to it, the rows the template lays out and the CSV it downloads as."""

from __future__ import annotations

import re
from typing import Iterator, Optional

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from generator.forms import taxonomy
from generator.core.fieldpath import label, walk_strings
from generator.core.fields import RequiredText, Strict, ValueText


class Indicator(Strict):
    level3: RequiredText = Field(title="三级指标")
    period_value: Optional[ValueText] = Field(None, title="实施周期指标值", description="照申报原文，如 ≥ 90%")
    annual_value: Optional[ValueText] = Field(None, title="年度指标值", description="照申报原文，如 ≥ 90%")
    value: Optional[ValueText] = Field(None, title="指标值", description="只有一个指标值列的表格用它，代替前两项")

    @model_validator(mode="after")
    def _one_column_scheme(self) -> "Indicator":
        two = self.period_value is not None or self.annual_value is not None
        if two and self.value is not None:
            raise PydanticCustomError(
                "jx_values", "value 与 period_value/annual_value 只能二选一：单列表用 value，双列表用后两者"
            )
        if not two and self.value is None:  # a single missing one of the two is a J305 finding
            raise PydanticCustomError("jx_values", "缺少指标值：写 period_value 和 annual_value（或单列表的 value）")
        return self

    @property
    def single_column(self) -> bool:
        return self.value is not None

    def values(self) -> Iterator[tuple[str, str | None]]:
        """(key, text) of each value column this row uses."""
        if self.single_column:
            yield "value", self.value
        else:
            yield "period_value", self.period_value
            yield "annual_value", self.annual_value


class IndicatorGroup(Strict):
    level2: RequiredText = Field(title="二级指标", description="如 数量指标、质量指标、社会效益指标")
    items: list[Indicator] = Field(title="三级指标列表", min_length=1)


class IndicatorCategory(Strict):
    level1: RequiredText = Field(title="一级指标", description="产出指标、效益指标、满意度指标、成本指标")
    groups: list[IndicatorGroup] = Field(title="二级指标列表", min_length=1)


def indicator_rows(indicators: list[IndicatorCategory]):
    """Yield (path, category, group, indicator) for every 三级指标, in order; path is below `indicators`."""
    for ci, cat in enumerate(indicators):
        for gi, group in enumerate(cat.groups):
            for ii, item in enumerate(group.items):
                yield ("indicators", ci, "groups", gi, "items", ii), cat, group, item


def single_value_column(indicators: list[IndicatorCategory]) -> bool:
    return any(item.single_column for _path, _c, _g, item in indicator_rows(indicators))


# ---- the rules ------------------------------------------------------------------------------------


def check_indicator_taxonomy(loaded) -> Iterator:
    for ci, cat in enumerate(loaded.declaration.indicators):
        if not taxonomy.is_level1(cat.level1):
            yield loaded.report("J301", ("indicators", ci, "level1"), name=cat.level1)
            continue
        for gi, group in enumerate(cat.groups):
            path = ("indicators", ci, "groups", gi, "level2")
            if not taxonomy.is_level2(group.level2):
                yield loaded.report("J302", path, name=group.level2)
            elif not taxonomy.level2_allowed(cat.level1, group.level2):
                home = "、".join(taxonomy.level1_for(group.level2))
                yield loaded.report("J303", path, name=group.level2, home=home, level1=cat.level1)


def check_level3_not_a_category(loaded) -> Iterator:
    for path, _cat, _group, item in indicator_rows(loaded.declaration.indicators):
        name = taxonomy.canonical(item.level3)
        if name in taxonomy.ALL_LEVEL2 or name in taxonomy.LEVEL2_BY_LEVEL1:
            yield loaded.report("J304", path + ("level3",), name=item.level3)


def check_indicator_values(loaded) -> Iterator:
    # The first indicator sets the table's layout; only the rows that differ from it are reported.
    first = None
    layouts = {True: "value（单列）", False: "period_value/annual_value（双列）"}
    for base, _cat, _group, item in indicator_rows(loaded.declaration.indicators):
        if first is None:
            first = (item.single_column, loaded.where(base)[0])
        if item.single_column != first[0]:
            yield loaded.report("J309", base, this=layouts[item.single_column], line=first[1], first=layouts[first[0]])
            continue
        for key, value in item.values():
            if value is None or not value.strip():
                yield loaded.report("J305", base + (key,), name=item.level3)
                continue
            parsed = taxonomy.parse_value(value)
            if parsed and not parsed.unit:
                yield loaded.report("J306", base + (key,), value=value)


def check_duplicate_indicators(loaded) -> Iterator:
    seen: dict[tuple[str, str, str], int] = {}
    for path, cat, group, item in indicator_rows(loaded.declaration.indicators):
        key = (taxonomy.canonical(cat.level1), taxonomy.canonical(group.level2), item.level3.strip())
        where = path + ("level3",)
        if key in seen:
            yield loaded.report("J307", where, name=item.level3, line=seen[key])
        else:
            seen[key] = loaded.where(where)[0]


# 产出 and 效益 are what a target is for; 满意度 is expected but a form may justify leaving it out.
REQUIRED_LEVEL1 = ("产出指标", "效益指标")


def check_dimensions(loaded) -> Iterator:
    present = {taxonomy.canonical(cat.level1) for cat in loaded.declaration.indicators}
    if not all(taxonomy.is_level1(name) for name in present):
        return  # an unknown 一级 (J301) is more likely a typo of the missing one than a gap
    for name in REQUIRED_LEVEL1:
        if name not in present:
            yield loaded.report("J310", ("indicators",), name=name)
    if "满意度指标" not in present:
        yield loaded.report("J311", ("indicators",))


# What a template leaves behind: a value that is only *, —, XX…, or ** / XX / ×× inside a short value.
_PLACEHOLDER_WHOLE = re.compile(r"^\s*([*＊]+|[—–\-－]+|[xX×Ｘ]{2,}|…+|\.{3,}|[/／])\s*$")
_PLACEHOLDER_INSIDE = re.compile(r"[*＊]{2,}|(?<![A-Za-z])[xXＸ]{2,}(?![A-Za-z])|×{2,}")


def placeholder_mark(text: str, inside: bool) -> str | None:
    """The placeholder a value still holds, or None; `inside`: look within short values too."""
    whole = _PLACEHOLDER_WHOLE.match(text)
    if whole:
        return whole.group(1)
    if inside:
        found = _PLACEHOLDER_INSIDE.search(text)
        if found:
            return found.group(0)
    return None


# Short values where ** or XX cannot be Markdown or prose: indicator names and values, labels, names.
_SHORT_FIELDS = {"level3", "value", "period_value", "annual_value", "label", "name", "level2", "level1"}


def check_placeholders(loaded) -> Iterator:
    for path, text in walk_strings(loaded.data):
        mark = placeholder_mark(text, inside=bool(path) and path[-1] in _SHORT_FIELDS)
        if mark:
            yield loaded.report("J312", path, value=text.strip(), mark=mark)


# Words that promise a direction without a measure; under 数量/质量/时效/成本 a value needs a number.
VAGUE_WORDS = ("有效", "进一步", "明显", "显著", "逐步", "持续", "稳步", "大幅", "提升", "提高", "改善", "加强", "增强", "较好", "良好", "不断")
_MEASURED_LEVEL2 = ("数量", "质量", "时效", "成本")


def check_vague_values(loaded) -> Iterator:
    for path, _cat, group, item in indicator_rows(loaded.declaration.indicators):
        if not any(word in taxonomy.canonical(group.level2) for word in _MEASURED_LEVEL2):
            continue
        for key, value in item.values():
            if value and taxonomy.parse_value(value) is None and not re.search(r"\d", value):
                if any(word in value for word in VAGUE_WORDS):
                    yield loaded.report("J313", path + (key,), level2=group.level2, name=item.level3, value=value)


RULES = (
    check_indicator_taxonomy,
    check_level3_not_a_category,
    check_indicator_values,
    check_duplicate_indicators,
    check_dimensions,
    check_placeholders,
    check_vague_values,
)


# ---- what the template and the downloads show ----------------------------------------------------


def indicator_blocks(indicators: list[IndicatorCategory], plan=None) -> list[dict]:
    """One row group per 一级指标, or per page it runs over when the plan (generator/paginate.py)
    cuts it: each piece's first row carries the 一级 label and the 二级 label of the group it begins
    in, with their rowspans (`continued`: the label goes on from the page before, printed （续）).
    Rows are numbered within their 一级."""
    from generator.render.paginate import Plan, cut_rows

    plan = plan or Plan()
    blocks = []
    for number, category in enumerate(indicators):
        key = f"indicators-{number}"
        items = [(group, index, item) for group in category.groups for index, item in enumerate(group.items)]
        for piece in cut_rows([str(i) for i in range(len(items))], plan.starts(key)):
            rows = []
            for i in range(piece.start, piece.end):
                group, index, item = items[i]
                begins = i == piece.start
                rows.append(
                    {
                        "index": i,
                        "level1": category.level1 if begins else None,
                        "level1_rowspan": piece.end - piece.start,
                        "level1_continued": piece.continued,
                        "level2": group.level2 if index == 0 or begins else None,
                        "level2_rowspan": min(i - index + len(group.items), piece.end) - i,
                        "level2_continued": begins and index > 0,
                        "item": item,
                    }
                )
            blocks.append({"key": key, "rows": rows, "break_before": piece.break_before})
    return blocks


def indicator_table(indicators: list[IndicatorCategory]) -> tuple[list[str], list[list]]:
    """The CSV's header and rows; headers are the model's titles."""
    single = single_value_column(indicators)
    keys = ["value"] if single else ["period_value", "annual_value"]
    header = [label(IndicatorCategory, "level1"), label(IndicatorGroup, "level2"), label(Indicator, "level3")]
    header += [label(Indicator, key) for key in keys]
    rows = [
        [cat.level1, group.level2, item.level3, *(getattr(item, key) for key in keys)]
        for _path, cat, group, item in indicator_rows(indicators)
    ]
    return header, rows


def value_text(item: Indicator) -> str:
    """The values of one row as one text, for comparisons: 100% or ≥ 90% / ≥ 90%."""
    if item.single_column:
        return item.value or ""
    return f"{item.period_value or ''} / {item.annual_value or ''}"


def template_globals() -> dict:
    """Labels form templates print for the indicator grid, read from the model's titles."""
    return {
        "level1": label(IndicatorCategory, "level1"),
        "level2": label(IndicatorGroup, "level2"),
        "level3": label(Indicator, "level3"),
        "period_value": label(Indicator, "period_value"),
        "annual_value": label(Indicator, "annual_value"),
        "value": label(Indicator, "value"),
    }
