"""The indicator taxonomy: official names, the variants real forms use, and reading target values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generator.forms import taxonomy
from generator.forms.taxonomy import canonical, is_level1, is_level2, level1_for, level2_allowed, parse_value


@pytest.mark.parametrize(
    "level1, level2s",
    [
        ("产出指标", {"数量指标", "质量指标", "时效指标", "成本指标"}),
        ("效益指标", {"经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"}),
        ("满意度指标", {"服务对象满意度指标"}),
        ("成本指标", {"经济成本指标", "社会成本指标", "生态环境成本指标"}),
    ],
)
def test_both_schemes_names_are_canonical(level1, level2s):
    # 财预〔2015〕88号 and 财预〔2021〕101号 together, as form-notes.md lists them.
    assert taxonomy.LEVEL2_BY_LEVEL1[level1] == level2s
    assert canonical(level1) == level1 and is_level1(level1)
    for name in level2s:
        assert canonical(name) == name
        assert is_level2(name)
        assert level2_allowed(level1, name)


@pytest.mark.parametrize(
    "written, official",
    [
        ("社会效益", "社会效益指标"),
        ("数量", "数量指标"),
        ("产出", "产出指标"),
        ("满意度", "满意度指标"),
        ("可持续发展影响指标", "可持续影响指标"),
        ("可持续发展影响", "可持续影响指标"),
        ("环境效益", "生态效益指标"),
        ("环境效益指标", "生态效益指标"),
        ("社会公众或服务对象满意度", "服务对象满意度指标"),
        ("社会公众或服务对象满意度指标", "服务对象满意度指标"),
        ("服务对象满意度指标", "服务对象满意度指标"),
        (" 质量　指标 ", "质量指标"),  # stray ASCII and full-width spaces from a copied table
    ],
)
def test_variants_read_as_the_official_name(written, official):
    assert canonical(written) == official


def test_variants_are_accepted_where_the_official_name_belongs():
    assert level2_allowed("效益指标", "社会效益")
    assert level2_allowed("效益", "环境效益")
    assert level2_allowed("效益指标", "可持续发展影响指标")
    assert level2_allowed("满意度指标", "社会公众或服务对象满意度")


def test_unknown_and_misplaced_names():
    assert not is_level1("满意指标")
    assert not is_level1("数量指标")  # a 二级 name is not a 一级 name
    assert not is_level2("品质指标")
    assert not level2_allowed("产出指标", "社会效益指标")
    assert level1_for("社会效益") == ["效益指标"]
    # 成本指标 is a 二级 of 产出指标 in the legacy scheme and a 一级 of its own in 2021.
    assert level1_for("成本指标") == ["产出指标"] and is_level1("成本指标")


@pytest.mark.parametrize(
    "text, operator, number, unit",
    [
        ("≥ 90%", "≥", "90", "%"),
        (">=90%", "≥", "90", "%"),
        ("≧ 90%", "≥", "90", "%"),
        ("≦5个", "≤", "5", "个"),
        ("<= 5 个", "≤", "5", "个"),
        ("＞ 3项", ">", "3", "项"),
        ("= 100%", "=", "100", "%"),
        ("100%", "", "100", "%"),
        ("≥ 30万人次", "≥", "30", "万人次"),
        ("1,000个", "", "1000", "个"),
        ("12.5万元", "", "12.5", "万元"),
        ("≤ 0.5天", "≤", "0.5", "天"),
        ("100", "", "100", ""),
    ],
)
def test_parse_value_reads_operator_number_and_unit(text, operator, number, unit):
    parsed = parse_value(text)
    assert parsed == (operator, Decimal(number), unit)
    assert (parsed.operator, parsed.number, parsed.unit) == (operator, Decimal(number), unit)


@pytest.mark.parametrize("text", ["有效提升", "持续完善基础设施配套", "完成", "", "达标"])
def test_parse_value_treats_text_without_a_number_as_qualitative(text):
    assert parse_value(text) is None


def test_parse_value_keeps_the_number_exact():
    assert parse_value("≥ 99.95%").number == Decimal("99.95")
    assert str(parse_value("1,234,567.89元").number) == "1234567.89"
