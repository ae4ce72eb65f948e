"""Scoring the self-evaluation: each rule on a hand-worked example whose arithmetic is in the comment."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from generator.forms.self_evaluation.scoring import Score, ScoringError, Settings, differs, execution_rate, execution_score, grade, indicator_score, level1_points, round2, total_score, units_differ


# ---- ≥ ----------------------------------------------------------------------------------------------


def test_at_least_over_target_is_capped():
    # 9 ÷ 8 = 1.125 > 1, so the score is capped at the 分值: 20.
    score = indicator_score("≥ 8条", "9条", D(20))
    assert score == Score(D(20), "≥ 目标：实际 9 ÷ 目标 8 × 20 分，封顶 20 分", "≥")


def test_at_least_under_target_is_proportional():
    # 6 ÷ 8 × 20 = 0.75 × 20 = 15.
    score = indicator_score("≥8条", "6条", D(20))
    assert score.value == 15 and score.kind == "≥"
    assert score.rule == "≥ 目标：实际 6 ÷ 目标 8 × 20 分"


def test_greater_than_and_bare_number_score_as_at_least():
    # A bare number (no operator) and > are both read as ≥: 6 ÷ 8 × 20 = 15.
    assert indicator_score("8条", "6条", D(20)).value == 15
    assert indicator_score("8条", "6条", D(20)).kind == "≥"
    assert indicator_score("> 8条", "6条", D(20)).value == 15
    assert indicator_score("＞8条", "8条", D(20)).value == 20  # strict or not, meeting the figure scores full


def test_actual_may_carry_an_operator_or_percent():
    # Only the actual's number counts: 90 ÷ 100 × 10 = 9.
    assert indicator_score("≥ 100%", "≥ 90%", D(10)).value == 9


def test_at_least_zero_target_scores_full():
    # Target 0: any actual ≥ 0 meets it.
    assert indicator_score("≥ 0起", "0起", D(5)).value == 5


# ---- ≤ ----------------------------------------------------------------------------------------------


def test_at_most_over_target_is_proportional():
    # 5 ÷ 6 × 10 = 8.333…; exact, rounded only for printing.
    score = indicator_score("≤ 5天", "6天", D(10))
    assert score.value == D(5) / D(6) * 10
    assert round2(score.value) == D("8.33")
    assert score.rule == "≤ 目标：目标 5 ÷ 实际 6 × 10 分" and score.kind == "≤"


def test_at_most_under_target_and_zero_score_full():
    # 5 ÷ 4 = 1.25 > 1 → capped at 10; actual 0 → full (no division by zero).
    assert indicator_score("≤5天", "4天", D(10)).value == 10
    assert indicator_score("<5天", "0天", D(10)).value == 10
    assert indicator_score("≤5天", "0天", D(10)).kind == "≤"


# ---- = ----------------------------------------------------------------------------------------------


def test_equal_met_scores_full():
    assert indicator_score("= 12个", "12个", D(10)) == Score(D(10), "= 目标：实际等于目标，得满分", "=")
    assert indicator_score("=12个", "12.0个", D(10)).value == 10  # 12.0 == 12


def test_equal_missed_scores_zero():
    score = indicator_score("= 12个", "11个", D(10))
    assert score.value == 0 and "得 0 分" in score.rule


def test_equal_missed_takes_the_filed_partial():
    # A stated partial: the filed 5 of 10 stands.
    score = indicator_score("= 12个", "11个", D(10), filed=D(5))
    assert score.value == 5 and "填报得分 5 分" in score.rule


def test_equal_filed_partial_above_points_is_capped():
    # Decided: cap (filed 12 → 10), not raise; differs() then reports the filed 12 against 10.
    score = indicator_score("= 12个", "11个", D(10), filed=D(12))
    assert score.value == 10 and "封顶 10 分" in score.rule
    assert differs(D(12), score.value)


# ---- 定性 -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tier, expected, share",
    [("达成", D(20), "100%"), ("部分达成", D(16), "80%"), ("未达成", D(12), "60%")],
)
def test_qualitative_without_filed_takes_the_band_top(tier, expected, share):
    # 20 × 100% = 20; 20 × 80% = 16; 20 × 60% = 12.
    score = indicator_score("有效提升", "明显提升", D(20), tier=tier)
    assert score.value == expected and score.kind == "定性"
    assert score.rule == f"定性：{tier}，取分值的 {share}"


@pytest.mark.parametrize(
    "tier, filed",
    [("达成", D("16.01")), ("达成", D(20)), ("部分达成", D(14)), ("部分达成", D(16)), ("未达成", D(0)), ("未达成", D(12))],
)
def test_qualitative_filed_in_band_is_accepted(tier, filed):
    # Bands of 20 分: 达成 (16, 20], 部分达成 (12, 16], 未达成 [0, 12].
    assert indicator_score("有效提升", None, D(20), tier=tier, filed=filed).value == filed


@pytest.mark.parametrize(
    "tier, filed, band",
    [
        ("部分达成", D(17), "部分达成的得分应在 12.00–16.00 分之间（分值 20 的 60%–80%）"),
        ("部分达成", D(12), "部分达成的得分应在 12.00–16.00 分之间（分值 20 的 60%–80%）"),  # 12 is 未达成's
        ("达成", D(16), "达成的得分应在 16.00–20.00 分之间（分值 20 的 80%–100%）"),  # 16 is 部分达成's
        ("未达成", D("12.5"), "未达成的得分应在 0.00–12.00 分之间（分值 20 的 0%–60%）"),
    ],
)
def test_qualitative_filed_out_of_band_is_refused(tier, filed, band):
    with pytest.raises(ScoringError) as error:
        indicator_score("有效提升", None, D(20), tier=tier, filed=filed)
    assert band in str(error.value)


@pytest.mark.parametrize("tier", [None, "", "基本达成"])
def test_qualitative_needs_a_known_tier(tier):
    with pytest.raises(ScoringError, match="达成、部分达成、未达成"):
        indicator_score("有效提升", "明显提升", D(20), tier=tier)


# ---- what cannot be scored ---------------------------------------------------------------------------


@pytest.mark.parametrize("actual", [None, "已完成", ""])
def test_quantitative_target_needs_a_numeric_actual(actual):
    with pytest.raises(ScoringError, match="应像年度指标值「≥ 8条」一样写出数字"):
        indicator_score("≥ 8条", actual, D(20))


def test_negative_points_and_floats_are_refused():
    with pytest.raises(ScoringError, match="分值不能为负数"):
        indicator_score("≥ 8条", "9条", D(-1))
    with pytest.raises(ScoringError, match="浮点数"):
        indicator_score("≥ 8条", "9条", 20.0)


# ---- 预算执行率 ---------------------------------------------------------------------------------------


def test_execution_rate_over_100_percent_scores_full():
    # B 120 ÷ A 100 = 1.2; min(1.2, 1) × 10 = 10.
    rate = execution_rate(D(100), D(120))
    assert rate == D("1.2")
    assert execution_score(rate, D(10)) == 10


def test_execution_rate_under_100_percent():
    # B 95.5 ÷ A 100 = 0.955; 0.955 × 10 = 9.55.
    assert execution_score(execution_rate(D(100), D("95.5")), D(10)) == D("9.55")


def test_execution_rate_zero_or_negative_budget():
    with pytest.raises(ScoringError) as error:
        execution_rate(D(0), D(5))
    assert str(error.value) == "全年预算数为 0，无法计算预算执行率（B ÷ A）"
    with pytest.raises(ScoringError, match="负数"):
        execution_rate(D(-3), D(5))


# ---- 总分 and grade ---------------------------------------------------------------------------------


def test_not_applicable_items_are_rescaled():
    # Points 10 + 50 + 30 + 10; the last 10-point indicator is 不适用, so 90 points apply.
    # Scores 9 + 45 + 27 = 81; 81 × 100 ÷ 90 = 90.
    parts = [(D(10), D(9), True), (D(50), D(45), True), (D(30), D(27), True), (D(10), D(0), False)]
    assert total_score(parts) == 90
    assert round2(total_score(parts)) == D("90.00")


def test_total_with_everything_applicable_is_the_plain_sum():
    # 9 + 45 + 27 + 8 = 89 over 100.
    assert total_score([(D(10), D(9), True), (D(50), D(45), True), (D(30), D(27), True), (D(10), D(8), True)]) == 89


def test_total_with_nothing_applicable():
    with pytest.raises(ScoringError, match="分值合计为 0"):
        total_score([(D(10), D(9), False)])


@pytest.mark.parametrize(
    "total, expected",
    [(D(100), "优"), (D(90), "优"), (D("89.99"), "良"), (D(80), "良"), (D("79.99"), "中"), (D(60), "中"),
     (D("59.99"), "差"), (D(0), "差")],
)
def test_grade_bounds(total, expected):
    assert grade(total, Settings()) == expected


def test_differs_beyond_tolerance_only():
    # Tolerance 0.1: 15.1 vs 15 is within (|0.1| is not > 0.1); 15.11 is not.
    assert not differs(D("15.1"), D(15))
    assert differs(D("15.11"), D(15))
    assert not differs(D("8.33"), D(5) / D(6) * 10)  # 8.3333… rounded as filed


# ---- labels and units ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "label, expected",
    [
        ("产出指标（50分）", ("产出指标", D(50))),
        ("产出指标(50分)", ("产出指标", D(50))),
        ("产出指标 50分", ("产出指标", D(50))),
        ("效益指标（ 30 分）", ("效益指标", D(30))),
        ("满意度指标（7.5分）", ("满意度指标", D("7.5"))),
        ("产出指标", ("产出指标", None)),
        ("数量指标（个）", ("数量指标（个）", None)),
    ],
)
def test_level1_points(label, expected):
    assert level1_points(label) == expected


@pytest.mark.parametrize(
    "target, actual, expected",
    [
        ("≥ 30万人次", "32万人次", False),
        ("≥ 30 万人次", "32万人次", False),  # spaces ignored
        ("≥ 95%", "98％", False),  # full-width ％ is %
        ("≥ 8条", "9个", True),
        ("≥ 8条", "9", True),
        ("有效提升", "9条", False),  # not both numeric
        ("≥ 8条", "已完成", False),
    ],
)
def test_units_differ(target, actual, expected):
    assert units_differ(target, actual) is expected


# ---- settings -----------------------------------------------------------------------------------------


def test_default_settings():
    settings = Settings()
    assert settings.budget_points == 10 and settings.tolerance == D("0.1")
    assert settings.split == {"产出指标": 50, "效益指标": 30, "满意度指标": 10}
    assert settings.tiers["部分达成"] == (D("0.6"), D("0.8"))
    assert [name for _bound, name in settings.grades] == ["优", "良", "中", "差"]


def test_settings_from_mapping():
    settings = Settings.from_mapping({
        "budget_points": "20",
        "split": {"产出指标": 40, "效益指标": "30", "满意度指标": 10},
        "tiers": {"达成": ["0.9", 1]},
        "grades": [[60, "合格"], [85, "优秀"], [0, "不合格"]],
        "tolerance": "0.05",
    })
    assert settings.budget_points == 20 and settings.split["产出指标"] == 40
    assert settings.tiers["达成"] == (D("0.9"), D(1)) and settings.tiers["未达成"] == (D(0), D("0.6"))
    assert grade(D(85), settings) == "优秀" and grade(D("84.99"), settings) == "合格"
    assert differs(D("15.06"), D(15), settings)
    # 达成 now tops at 100% of a band (18, 20] for 20 分.
    with pytest.raises(ScoringError, match="18.00–20.00"):
        indicator_score("有效提升", None, D(20), tier="达成", filed=D(17), settings=settings)
    assert Settings.from_mapping({}) == Settings()


@pytest.mark.parametrize(
    "mapping, message",
    [
        ({"budget": 10}, "未知的评分设置项：budget"),
        ({"tolerance": "一点"}, "tolerance（得分容差） 应为数字"),
        ({"tolerance": "-1"}, "不小于 0"),
        ({"budget_points": 20}, "合计应为 100 分，现为 110 分"),
        ({"tiers": {"达成": [1, "0.8"]}}, "0 ≤ 下限 < 上限 ≤ 1"),
        ({"tiers": {"基本达成": [0, 1]}}, "未知的档次"),
        ({"grades": [90, "优"]}, "应为 [分数线, 等级]"),
        ("budget_points: 10", "应为键值对"),
    ],
)
def test_settings_from_mapping_refuses(mapping, message):
    with pytest.raises(ScoringError, match=message.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        Settings.from_mapping(mapping)


# ---- exactness ----------------------------------------------------------------------------------------


def test_scores_stay_exact_decimals():
    # 1 ÷ 3 × 30 = 10 each (9.999… exact to 28 digits); three of them round to 30.00, never 29.99.
    score = indicator_score("≥ 3项", "1项", D(30))
    assert isinstance(score.value, D)
    assert round2(score.value * 3) == D("30.00")
    assert round2(sum((score.value for _ in range(3)), D(0))) == D("30.00")
    # 0.1 + 0.2 is exactly 0.3 here, unlike in floats.
    assert execution_score(execution_rate(D(1), D("0.1") + D("0.2")), D(10)) == 3
