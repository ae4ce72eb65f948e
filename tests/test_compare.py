"""generator/render/compare.py: a declaration beside the same department's previous one."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generator.render.compare import AmountRow, IndicatorRow
from generator.forms.department_target.model import DepartmentTarget as Declaration
from generator.forms.department_target.views import compare
from generator.input.load import load_text
from generator.site.build import Entry, _previous
from site_fixtures import dump, seed_data


def declaration(data: dict) -> Declaration:
    loaded = load_text(dump(data), "test.yaml")
    assert loaded.declaration is not None, [p.format() for p in loaded.problems]
    return loaded.declaration


def D(text: str) -> Decimal:
    return Decimal(text)


# ---- one amount's change --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "previous, current, shown",
    [
        ("9830.96", "10000.00", "+169.04（+1.7%）"),
        ("83136.13", "80000.00", "−3,136.13（−3.8%）"),  # U+2212, as printed figures use
        ("100.00", "100.00", "±0.00（±0.0%）"),
        ("200.00", "201.00", "+1.00（+0.5%）"),  # 0.5 exactly: rounded half up
        ("200.00", "200.90", "+0.90（+0.5%）"),  # 0.45 → 0.5
        ("200.00", "199.10", "−0.90（−0.5%）"),
        ("3.00", "4.00", "+1.00（+33.3%）"),
        ("1000.00", "3500.00", "+2,500.00（+250.0%）"),
        ("0", "12.50", "+12.50"),  # no percentage of nothing
        ("-10.00", "-5.00", "+5.00（+50.0%）"),
    ],
)
def test_amount_change_has_sign_amount_and_percentage(previous, current, shown):
    assert AmountRow("g", "l", D(previous), D(current)).change == shown


def test_an_amount_only_in_one_year_is_new_or_cancelled():
    assert AmountRow("g", "l", None, D("5")).change == "新增"
    assert AmountRow("g", "l", D("5"), None).change == "取消"


# ---- two declarations -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pair():
    before = seed_data()
    after = seed_data()
    after["year"] = 2025
    after["budget"]["spending"]["basic"] = "10000.00"
    after["budget"]["income"] = [{"label": "财政拨款", "amount": "96502.03"}, {"label": "上级补助", "amount": "50.00"}]
    after["tasks"] = after["tasks"][1:]  # the first task dropped
    after["tasks"][0]["funds"] = "9000.00"  # 10076.58 → 9000.00
    after["tasks"].append({"name": "新任务", "content": "内容", "funds": "12.00", "goal": "目标"})
    quality = after["indicators"][0]["groups"][0]["items"]
    after["indicators"][0]["groups"][0]["items"] = [i for i in quality if i["level3"] != "接待游客"]
    after["indicators"][0]["groups"][0]["items"].append(
        {"level3": "新增的指标", "period_value": "≥ 5个", "annual_value": "≥ 1个"}
    )
    satisfaction = after["indicators"][2]["groups"][0]["items"]
    satisfaction[0]["annual_value"] = "≥ 95%"  # 辖区居民满意度: only the annual value changes
    # the same indicator under a variant of its group's name is not a change
    after["indicators"][1]["groups"][0]["level2"] = "社会效益指标"  # was 社会效益
    return declaration(before), declaration(after)


def test_budget_amounts_in_both_years_with_changes(pair):
    result = compare(*pair)
    assert result.previous_year == 2024
    rows = {(r.group, r.label): r for r in result.amounts}
    basic = rows[("部门预算支出", "基本支出")]
    assert (basic.previous, basic.current, basic.change) == (D("9830.96"), D("10000.00"), "+169.04（+1.7%）")
    assert rows[("部门预算支出", "项目支出")].change == "±0.00（±0.0%）"
    assert rows[("收入来源", "上级补助")].change == "新增"
    assert rows[("收入来源", "其他资金")].change == "取消"
    assert rows[("收入来源", "其他资金")].previous == D("98.17")
    assert rows[("按预算级次划分", "镇本级使用资金")].current == D("52906.00")
    # lines of this year in its order, then the lines dropped since
    assert [r.label for r in result.amounts][-1] == "其他资金"
    assert len(result.amounts) == 8 + 1


def test_tasks_added_removed_and_changed(pair):
    result = compare(*pair)
    tasks = {r.label: r for r in result.tasks}
    assert all(r.group == "任务" for r in result.tasks)
    assert tasks["经济追赶超越“建新功”"].change == "取消"
    assert tasks["新任务"].change == "新增"
    assert tasks["“百千万工程”“聚合力”"].change == "−1,076.58（−10.7%）"
    assert tasks["幸福生活品质“创新绩”"].change == "±0.00（±0.0%）"
    assert len(result.tasks) == 7


def test_indicators_added_removed_and_changed(pair):
    result = compare(*pair)
    assert sorted(result.indicators, key=lambda r: r.level3) == sorted(
        [
            IndicatorRow("新增", "产出指标", "质量指标", "新增的指标", "", "≥ 5个 / ≥ 1个"),
            IndicatorRow("删除", "产出指标", "质量指标", "接待游客", "≥ 30万人次 / ≥ 30万人次", ""),
            IndicatorRow("变更", "满意度指标", "服务对象满意度指标", "辖区居民满意度", "≥ 90% / ≥ 90%", "≥ 90% / ≥ 95%"),
        ],
        key=lambda r: r.level3,
    )


def test_identical_declarations_have_no_changes():
    d = declaration(seed_data())
    result = compare(d, d)
    assert result.indicators == []
    assert not result.goal_changed
    assert all(r.change == "±0.00（±0.0%）" for r in result.amounts + result.tasks)


def test_overall_goal_change_is_noticed(pair):
    before, after = pair
    assert not compare(before, after).goal_changed
    data = seed_data()
    data["year"] = 2025
    data["overall_goal"] = "新的总体目标。"
    assert compare(before, declaration(data)).goal_changed


def test_single_value_indicators_compare_by_their_value():
    def single(value: str, year: int) -> Declaration:
        data = seed_data()
        data["year"] = year
        for cat in data["indicators"]:
            for group in cat["groups"]:
                for item in group["items"]:
                    item["value"] = item.pop("period_value")
                    item.pop("annual_value")
        data["indicators"][0]["groups"][0]["items"][1]["value"] = value
        return declaration(data)

    result = compare(single("100%", 2024), single("≥ 98%", 2025))
    assert result.indicators == [IndicatorRow("变更", "产出指标", "质量指标", "工程竣工验收合格率", "100%", "≥ 98%")]


def test_previous_is_the_same_departments_latest_earlier_year():
    def make(year: int, ident: str) -> Entry:
        data = seed_data()
        data["year"] = year
        data["department"]["id"] = ident
        loaded = load_text(dump(data), f"{year}/{ident}.yaml")
        assert loaded.declaration is not None
        return Entry(loaded)

    d2022, d2023, d2025 = make(2022, "a"), make(2023, "a"), make(2025, "a")
    other = make(2024, "b")
    everything = [d2025, other, d2022, d2023]
    assert _previous(d2025, everything).year == 2023
    assert _previous(d2023, everything).year == 2022
    assert _previous(d2022, everything) is None
    assert _previous(other, everything) is None
