"""generator/site/export.py: the JSON (exact amounts as strings), the CSVs (BOM, quoting, formulas made
inert) and the per-year ZIP (same data, same bytes)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from decimal import Decimal

import jsonschema
import pytest

from generator.site.export import BOM, declaration_json, table_csv, year_bundle
from generator.input.load import load_text
from generator.forms.department_target.model import DepartmentTarget as Declaration
from generator.forms.department_target.views import tables
from generator.scaffold.schema import json_schema
from site_fixtures import dump, seed_data


def _csv(name: str):
    return lambda d: table_csv(next(t for t in tables(d) if t.name == name))


budget_csv, tasks_csv, indicators_csv = _csv("budget"), _csv("tasks"), _csv("indicators")
CSV_FILES = {"budget.csv": budget_csv, "tasks.csv": tasks_csv, "indicators.csv": indicators_csv}


def declaration(data: dict) -> Declaration:
    loaded = load_text(dump(data), "test.yaml")
    assert loaded.declaration is not None, [p.format() for p in loaded.problems]
    return loaded.declaration


@pytest.fixture(scope="module")
def seed() -> Declaration:
    return declaration(seed_data())


def rows(text: str) -> list[list[str]]:
    assert text.startswith(BOM) and BOM == "\ufeff"
    return list(csv.reader(io.StringIO(text[1:], newline="")))


# ---- JSON -----------------------------------------------------------------------------------------


def test_json_amounts_are_the_exact_strings_as_filed(seed):
    data = json.loads(declaration_json(seed))
    assert data["budget"]["spending"] == {"basic": "9830.96", "project": "83136.13"}
    assert [line["amount"] for line in data["budget"]["by_level"]] == ["52906.00", "40061.09"]
    assert [t["funds"] for t in data["tasks"]] == ["1081.46", "10076.58", "2950.20", "421.91", "1575.23", "234.20"]
    # parsed as Decimal, the sums are exact (floats would not be)
    exact = json.loads(declaration_json(seed), parse_float=Decimal)
    assert sum(Decimal(t["funds"]) for t in exact["tasks"]) == Decimal("16339.58")


def test_json_amounts_written_with_commas_or_many_decimals_stay_exact():
    data = seed_data()
    data["budget"]["spending"]["basic"] = "1,234,567.891"
    data["tasks"][0]["funds"] = "0.10"
    data["budget"]["income"][0]["amount"] = 96502  # a whole number
    out = json.loads(declaration_json(declaration(data)))
    assert out["budget"]["spending"]["basic"] == "1234567.891"
    assert out["tasks"][0]["funds"] == "0.10"
    assert out["budget"]["income"][0]["amount"] == "96502"


def test_json_validates_round_trips_and_leaves_out_empty_fields(seed):
    text = declaration_json(seed)
    assert text.endswith("}\n") and "\\u" not in text  # Chinese kept readable
    data = json.loads(text)
    jsonschema.validate(data, json_schema())
    assert Declaration.model_validate(data) == seed
    assert "other_tasks" not in data and "filing" not in data


def test_json_of_a_single_value_form_with_filing_round_trips():
    data = seed_data()
    for cat in data["indicators"]:
        for group in cat["groups"]:
            for item in group["items"]:
                item["value"] = item.pop("period_value")
                item.pop("annual_value")
    data["filing"] = {"unit": "东涌镇", "phone": "020-1234", "date": "2024年1月31日"}
    d = declaration(data)
    out = json.loads(declaration_json(d))
    jsonschema.validate(out, json_schema())
    assert out["filing"]["date"] == "2024-01-31"
    assert Declaration.model_validate(out) == d


# ---- CSV ------------------------------------------------------------------------------------------


def test_csvs_start_with_a_bom_and_end_records_with_crlf(seed):
    for name, make in CSV_FILES.items():
        text = make(seed)
        assert text.encode("utf-8").startswith(b"\xef\xbb\xbf"), name
        assert text.endswith("\r\n"), name
    for text in (budget_csv(seed), indicators_csv(seed)):  # no line breaks inside their cells
        body = text[1:]
        assert "\n" not in body.replace("\r\n", "")
        assert body.count("\r\n") == len(rows(text))


def test_budget_csv_lists_every_line_with_exact_amounts(seed):
    table = rows(budget_csv(seed))
    assert table[0] == ["分组", "项目名称", "预算金额（万元）"]
    assert table[1:] == [
        ["部门预算支出", "基本支出", "9830.96"],
        ["部门预算支出", "项目支出", "83136.13"],
        ["收入来源", "财政拨款", "96502.03"],
        ["收入来源", "其他资金", "98.17"],
        ["事业发展性支出", "财政专项资金", "21.07"],
        ["事业发展性支出", "其他事业发展性支出", "21390.66"],
        ["按预算级次划分", "镇本级使用资金", "52906.00"],
        ["按预算级次划分", "区级转移支付支出", "40061.09"],
    ]


def test_csv_quotes_commas_quotes_and_line_breaks(seed):
    data = seed_data()
    data["tasks"][0]["name"] = '名称, 含逗号和"引号"'
    data["tasks"][0]["content"] = "第一段\n\n第二段，含\r\n换行"
    text = tasks_csv(declaration(data))
    assert '"名称, 含逗号和""引号"""' in text  # quoted, inner quotes doubled
    table = rows(text)
    assert table[0] == ["序号", "名称", "主要实施内容", "拟投入的资金（万元）", "期望达到的目标（概述）"]
    assert table[1][:2] == ["1", '名称, 含逗号和"引号"']
    assert table[1][2].startswith("第一段\n\n第二段") and "换行" in table[1][2]
    assert len(table) == 1 + len(data["tasks"])


def test_indicator_csv_has_the_forms_value_columns(seed):
    table = rows(indicators_csv(seed))
    assert table[0] == ["一级指标", "二级指标", "三级指标", "实施周期指标值", "年度指标值"]
    assert ["产出指标", "时效指标", "惠农补贴发放及时率", "100%", "100%"] in table
    assert ["满意度指标", "服务对象满意度指标", "辖区居民满意度", "≥ 90%", "≥ 90%"] in table
    assert len(table) == 1 + 9

    data = seed_data()
    for cat in data["indicators"]:
        for group in cat["groups"]:
            for item in group["items"]:
                item["value"] = item.pop("annual_value")
                item.pop("period_value")
    single = rows(indicators_csv(declaration(data)))
    assert single[0] == ["一级指标", "二级指标", "三级指标", "指标值"]
    assert ["产出指标", "质量指标", "接待游客", "≥ 30万人次"] in single


@pytest.mark.parametrize(
    "text", ["=1+1", '=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_csv_cells_that_a_spreadsheet_would_run_are_made_text(text):
    data = seed_data()
    data["tasks"][0]["name"] = text
    data["indicators"][0]["groups"][0]["items"][0]["level3"] = text
    data["budget"]["income"][0]["label"] = text
    d = declaration(data)
    tasks, indicators, budget = rows(tasks_csv(d)), rows(indicators_csv(d)), rows(budget_csv(d))
    assert tasks[1][1] == "'" + text
    assert indicators[1][2] == "'" + text
    assert ["收入来源", "'" + text, "96502.03"] in budget


@pytest.mark.parametrize("text", ["a=b", "1+1", "100%", "≥ 90%", "邮箱 a@b.cn", "（-）"])
def test_csv_cells_that_are_not_formulas_are_kept_as_they_are(text):
    data = seed_data()
    data["tasks"][0]["name"] = text
    assert rows(tasks_csv(declaration(data)))[1][1] == text


def test_negative_amounts_are_not_read_as_formulas():
    data = seed_data()
    data["budget"]["development"][0]["amount"] = "-21.07"
    table = rows(budget_csv(declaration(data)))
    assert ["事业发展性支出", "财政专项资金", "'-21.07"] in table


# ---- ZIP ------------------------------------------------------------------------------------------

FILES = [("2024/b.json", b'{"b": 1}\n'), ("2024/a.yaml", "年度: 2024\n".encode()), ("2024/c.csv", b"\xef\xbb\xbfx\r\n")]


def test_zip_holds_every_file_in_name_order_with_fixed_times():
    data = year_bundle(FILES, (2024, 3, 1, 12, 30, 0))
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        assert bundle.testzip() is None
        assert bundle.namelist() == sorted(name for name, _ in FILES)
        for name, content in FILES:
            assert bundle.read(name) == content
        for info in bundle.infolist():
            assert info.date_time == (2024, 3, 1, 12, 30, 0)
            assert info.external_attr >> 16 == 0o644
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_zip_bytes_depend_only_on_the_files_and_the_date():
    first = year_bundle(FILES, (2024, 1, 1, 0, 0, 0))
    assert year_bundle(list(reversed(FILES)), (2024, 1, 1, 0, 0, 0)) == first
    assert year_bundle(FILES, (2024, 1, 1, 0, 0, 0)) == first
    assert year_bundle(FILES, (2024, 1, 2, 0, 0, 0)) != first
    assert year_bundle(FILES[:2], (2024, 1, 1, 0, 0, 0)) != first
    changed = [(name, content + b" ") if name.endswith(".json") else (name, content) for name, content in FILES]
    assert year_bundle(changed, (2024, 1, 1, 0, 0, 0)) != first
