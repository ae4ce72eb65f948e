"""The two self-evaluation forms (部门整体支出绩效自评表, 项目支出绩效自评表) end to end: the examples
through validate, build pdf (which prints the computed scores) and build site; each rule worked by
hand on a small file; filed figures checked against the rules; the indicators set against the
year's target forms. The scoring functions themselves are proved one by one in test_scoring.py."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from fixtures import line_of, only, pdf_text, replace_once, squash
from generator.input.load import load_text
from generator.input.checks import run_checks
from generator.pipeline import load_all
from generator.core.problems import Severity
from site_fixtures import jixiao, parse_html

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
DEPT_EVAL = EXAMPLES / "2024" / "nansha-dongchong" / "self-evaluation.yaml"
PROJECT_EVAL = EXAMPLES / "2024" / "nansha-dongchong" / "projects" / "typical-town.self-evaluation.yaml"
DEPT_DISPLAY = "declarations/2024/nansha-dongchong/self-evaluation.yaml"
PROJECT_DISPLAY = "declarations/2024/nansha-dongchong/projects/typical-town.self-evaluation.yaml"
ERROR, WARNING = Severity.ERROR, Severity.WARNING
DEPT_TEXT = DEPT_EVAL.read_text(encoding="utf-8")
PROJECT_TEXT = PROJECT_EVAL.read_text(encoding="utf-8")


def problems(text: str, display: str = DEPT_DISPLAY):
    loaded = load_text(text, display)
    assert loaded.declaration is not None, [p.format() for p in loaded.problems]
    return run_checks(loaded)


# ---- the examples, as a user runs them ------------------------------------------------------------


def test_the_examples_validate_without_a_finding_of_their_own():
    result = jixiao("validate", "examples", cwd=ROOT)
    assert result.returncode == 0, result.stdout
    assert [line for line in result.stdout.splitlines() if "self-evaluation" in line] == []


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("eval")
    result = jixiao("build", "site", "--out", str(out / "site"), "--pdf-cache", str(out), "examples", cwd=ROOT)
    assert result.returncode == 0, result.stderr
    return out, result


def test_build_prints_one_line_a_stage_and_score_prints_the_computed_scores(built):
    _, result = built
    # build: a summary line per stage, no score breakdown (that is `jixiao score`'s)
    assert [line.split("：")[0] for line in result.stdout.splitlines()] == ["PDF", "Excel", "网站"]
    scored = jixiao("score", "examples", cwd=ROOT)
    assert scored.returncode == 0, scored.stderr
    lines = scored.stdout.splitlines()
    start = lines.index("东涌镇“百千万工程”典型镇建设（示例） 2024年度项目支出绩效自评表：总分 94.19（优）")
    # Worked by hand: 执行率 9,512.30 ÷ 10,076.58 = 94.40% → 9.44 of 10; 产出 15 + 8.5/10×15 (12.75) + 10 + 10
    # (96% ≥ 95%, capped) = 47.75; 效益 达成 15 + 部分达成 80% of 15 (12) = 27; 满意度 91.5% ≥ 90% → 10.
    # 9.44 + 47.75 + 27 + 10 = 94.19 (the execution score is kept exact: 9.440008… → total 94.19).
    assert lines[start + 1 : start + 5] == [
        "  预算执行率 94.40%：9.44 / 10.00 分",
        "  产出指标：47.75 / 50.00 分",
        "  效益指标：27.00 / 30.00 分",
        "  满意度指标：10.00 / 10.00 分",
    ]


def test_score_command_names_the_rule_of_every_indicator():
    result = jixiao("score", str(PROJECT_EVAL.relative_to(ROOT)), cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert "    新增绿化面积：12.75 / 15.00 分（≥ 目标：实际 8.5 ÷ 目标 10 × 15 分）" in result.stdout.splitlines()
    assert "    劣V类水体：12.00 / 15.00 分（定性：部分达成，取分值的 80%）" in result.stdout.splitlines()


@pytest.mark.parametrize("path, values", [
    (DEPT_EVAL, ["部门整体支出绩效自评表", "广州市南沙区东涌镇人民政府", "92,967.09", "93,480.26", "90,612.48", "96.93%", "9.69",
                 "本年财政拨款", "上年结转资金", "81.09", "接待游客", "≥30万人次", "32.6万人次", "9.85", "4.89",
                 "个别事项因申请人补正材料顺延办结", "部分达成", "96.93", "优", "示例自评人", "示例审核人", "2025年3月31日"]),
    (PROJECT_EVAL, ["项目支出绩效自评表", "东涌镇“百千万工程”典型镇建设（示例）", "广州市南沙区东涌镇农业农村办公室（示例）",
                    "10,076.58", "9,512.30", "94.40%", "9.44", "8.5公顷", "12.75", "12.00", "94.19", "优",
                    "两处地块征拆未完成", "示例负责人", "020-00000000"]),
])
def test_each_self_evaluation_prints_every_value_and_the_computed_figures(built, path, values):
    out, _ = built
    location = path.relative_to(EXAMPLES).with_suffix("")
    text = squash(pdf_text(out / "pdf" / f"{location}.pdf"))
    page = squash(parse_html((out / "site" / location / "index.html").read_text(encoding="utf-8")).text())
    for value in values:
        assert squash(value) in text, value
        assert squash(value) in page, value


def test_the_target_page_shows_target_beside_actual_with_the_score(built):
    out, _ = built
    doc = parse_html((out / "site" / "2024" / "nansha-dongchong" / "index.html").read_text(encoding="utf-8"))
    heading = next(h for h in doc.iter("h2") if h.get("id") == "evaluation-heading")
    assert heading.text() == "年度自评：总分 96.93（优）"
    rows = [[c.text() for c in r.children if not isinstance(c, str)] for r in heading.parent.find("tbody").iter("tr")]
    assert ["产出指标（50分）", "质量指标", "行政事项办结率", "100%", "98.5%", "10.00", "9.85"] in rows
    project = (out / "site" / "2024" / "nansha-dongchong" / "projects" / "typical-town" / "index.html").read_text(encoding="utf-8")
    assert "年度自评：总分 94.19（优）" in project
    assert 'href="../../../../2024/nansha-dongchong/projects/typical-town.self-evaluation/index.html"' in project


def test_the_year_page_lists_each_departments_total_and_grade(built):
    out, _ = built
    doc = parse_html((out / "site" / "2024" / "index.html").read_text(encoding="utf-8"))
    table = next(t for t in doc.iter("table") if "各部门" in t.find("caption").text())
    header = [re.sub(r"\s+", " ", c.text()).strip() for c in table.find("thead").iter("th")]
    row = table.find("tbody").find("tr")
    cells = [re.sub(r"\s+", " ", c.text()).strip() for c in row.iter() if c.tag in ("th", "td")]
    found = dict(zip(header, cells))
    assert found["部门"] == "广州市南沙区东涌镇人民政府"
    assert (found["自评总分"], found["等级"], found["执行率"]) == ("96.93", "优", "96.93%")


def test_self_evaluation_downloads(built):
    out, _ = built
    folder = out / "site" / "2024" / "nansha-dongchong" / "projects" / "typical-town.self-evaluation"
    csv = (folder / "typical-town.self-evaluation-indicators.csv").read_text(encoding="utf-8-sig").splitlines()
    assert csv[0].split(",")[:9] == ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "完成程度", "分值", "填报得分", "按规则得分"]
    assert any(line.startswith("产出指标,数量指标,新增绿化面积,≥ 10公顷,8.5公顷,,15.00,,12.75,") for line in csv)
    assert (folder / "typical-town.self-evaluation.json").is_file() and (folder / "typical-town.self-evaluation.pdf").is_file()


# ---- the rules, each on a small file worked by hand -------------------------------------------------

SMALL = """form: department-self-evaluation
year: 2024
department: {name: 测试局, id: test-bureau}
funds:
  total: {budget: 200, executed: 250}
  sources: []
goals: {expected: 预期, actual: 实际}
indicators:
  - level1: 产出指标
    groups:
      - level2: 数量指标
        items:
          - {level3: 培训人次, target: ≥ 400人次, actual: 300人次, points: 20, reason: 场地受限}
          - {level3: 人均成本, target: ≤ 50元, actual: 60元, points: 12, reason: 物价上涨}
          - {level3: 完成验收项目, target: = 5个, actual: 5个, points: 8}
          - {level3: 额外调研, target: ≥ 3次, points: 10, not_applicable: true}
  - level1: 效益指标
    groups:
      - level2: 社会效益指标
        items:
          - {level3: 群众获得感, target: 明显增强, actual: 增强, tier: 部分达成, points: 30, reason: 宣传不足}
  - level1: 满意度指标
    groups:
      - level2: 服务对象满意度指标
        items:
          - {level3: 学员满意度, target: ≥ 90%, actual: 95%, points: 10}
"""


def evaluated(text: str):
    from generator.forms.self_evaluation.model import evaluate

    loaded = load_text(text, "declarations/2024/test-bureau/self-evaluation.yaml")
    assert loaded.declaration is not None, [p.format() for p in loaded.problems]
    return evaluate(loaded.declaration)


def test_every_rule_worked_by_hand_on_one_file():
    result = evaluated(SMALL)
    scores = {row.item.level3: (row.computed.value if row.computed else None) for row in result.rows}
    # 执行率 over 100%: 250 ÷ 200 = 125% → full 10 of 10, never more.
    assert result.rate == 1.25 and result.budget_score == 10
    assert scores["培训人次"] == 15  # ≥: 300 ÷ 400 × 20
    assert scores["人均成本"] == 10  # ≤: 50 ÷ 60 × 12
    assert scores["完成验收项目"] == 8  # =: equal, full
    assert scores["额外调研"] is None  # 不适用: not scored
    assert scores["群众获得感"] == 24  # 部分达成, none filed: 80% of 30
    assert scores["学员满意度"] == 10  # ≥, capped
    # 不适用 leaves 90 points; the rest score 10 + 15 + 10 + 8 + 24 + 10 = 77, rescaled: 77 × 100 ÷ 90 = 85.555…
    assert f"{result.total:.2f}" == "85.56" and result.grade == "良"


def test_a_budget_of_zero_is_a_clear_error_naming_the_rule():
    text = replace_once(SMALL, "total: {budget: 200, executed: 250}", "total: {budget: 0, executed: 250}")
    found = [p for p in problems(text, "declarations/2024/test-bureau/self-evaluation.yaml") if p.code == "J707"]
    assert len(found) == 1 and found[0].severity is ERROR
    assert found[0].message == "全年预算数为 0，无法计算预算执行率（B ÷ A）"
    assert found[0].field.startswith("funds.total.budget")


def test_executed_over_budget_without_a_reason_is_a_warning():
    found = [p for p in problems(SMALL, "declarations/2024/test-bureau/self-evaluation.yaml") if p.code == "J706"]
    assert [p.message for p in found] == ["全年执行数 250 万元超过全年预算数 200 万元，请说明原因"]


def test_a_filed_score_that_disagrees_is_reported_with_both_figures_and_the_rule():
    text = replace_once(DEPT_TEXT, "            score: 9.85\n", "            score: 8\n")
    found = [p for p in problems(text) if p.code == "J701"]
    assert len(found) >= 1
    first = found[0]
    assert first.severity is WARNING and first.line == line_of(text, "            score: 8")
    assert first.message == "填报的「行政事项办结率」的得分 8 与按规则算出的 9.85 不符（≥ 目标：实际 98.5 ÷ 目标 100 × 10 分）"
    # The filed total no longer adds up either: both figures named.
    total = next(p for p in found if p.field.startswith("total"))
    assert total.message.startswith("填报的总分 96.93 与按规则算出的 95.08 不符")


def test_a_filed_rate_and_grade_are_checked():
    text = replace_once(DEPT_TEXT, "rate: 96.93%", "rate: 99.00%").replace("grade: 优", "grade: 良")
    found = {p.code: p for p in problems(text)}
    assert found["J701"].message.startswith("填报的执行率 99.00% 与按规则算出的 96.93% 不符")
    assert found["J710"].message == "填报的等级「良」与总分 96.93 对应的「优」不符"


def test_a_shortfall_without_a_reason_is_an_error():
    text = replace_once(DEPT_TEXT, "            reason: 企业对审批时限的评价偏低；将推行并联审批，提升服务效率。\n", "")
    found = only(problems(text))
    assert (found.code, found.severity) == ("J705", ERROR)
    assert found.message == "三级指标「辖区企业满意度」得分 4.89，低于分值 5，请在这一项指标下加一行 reason: 写明偏差原因分析及改进措施"


def test_points_must_add_up_to_100_and_to_each_level1s_stated_points():
    text = replace_once(DEPT_TEXT, "            points: 15\n            score: 15\n          - level3: 工程竣工", "            points: 20\n            score: 15\n          - level3: 工程竣工")
    codes = {p.code: p for p in problems(text)}
    assert codes["J703"].message == "分值合计 105.00 分（预算执行率 10.00 分＋指标 95.00 分），应为 100 分"
    assert codes["J709"].message == "产出指标 标明 50.00 分，其下各指标分值合计 55.00 分"


def test_a_qualitative_indicator_needs_its_tier_and_a_unit_must_match():
    text = replace_once(DEPT_TEXT, "            tier: 部分达成\n", "")
    found = [p for p in problems(text) if p.code == "J708"]
    assert len(found) == 1 and "达成" in found[0].message and "部分达成" in found[0].message
    text = replace_once(DEPT_TEXT, "actual: 93.2%", "actual: 93.2分")
    assert "J704" in {p.code for p in problems(text)}


# ---- against the targets ----------------------------------------------------------------------------


def write_tree(root: Path, evaluation: str) -> Path:
    declarations = root / "declarations" / "2024"
    (declarations / "nansha-dongchong").mkdir(parents=True)
    shutil.copy(ROOT / "declarations" / "2024" / "nansha-dongchong.yaml", declarations / "nansha-dongchong.yaml")
    (declarations / "nansha-dongchong" / "self-evaluation.yaml").write_text(evaluation, encoding="utf-8")
    return root / "declarations"


def test_indicators_are_set_against_the_target_form(tmp_path):
    text = replace_once(DEPT_TEXT, "target: ≥ 30万人次", "target: ≥ 25万人次")  # changed after the fact
    text = replace_once(text, "level3: 辖区企业满意度", "level3: 辖区商户满意度")  # renamed: one added, one dropped
    _docs, found = load_all([write_tree(tmp_path, text)])
    mine = {p.code: p for p in found if "self-evaluation" in p.file}
    assert mine["J722"].message == "三级指标「接待游客」的年度指标值，目标申报表写「≥ 30万人次」，自评表写「≥ 25万人次」"
    assert mine["J720"].message.startswith("三级指标「辖区商户满意度」在 ")
    assert mine["J721"].message.endswith("里的三级指标「辖区企业满意度」（满意度指标 / 服务对象满意度指标）在自评表里没有")
    assert all(p.severity is WARNING for p in mine.values())


def test_a_self_evaluation_without_its_target_form_is_a_warning(tmp_path):
    root = tmp_path / "declarations" / "2024" / "nansha-dongchong"
    root.mkdir(parents=True)
    (root / "self-evaluation.yaml").write_text(DEPT_TEXT, encoding="utf-8")
    _docs, found = load_all([tmp_path / "declarations"])
    assert [(p.code, p.message) for p in found] == [
        ("J723", "2024 年度找不到对应的部门整体预算绩效目标申报表（应为 2024/nansha-dongchong.yaml），指标无法与目标核对")
    ]


# ---- jixiao new ---------------------------------------------------------------------------------------


def test_new_self_evaluation_starts_from_the_target_forms_indicators(tmp_path):
    projects = tmp_path / "declarations" / "2024" / "nansha-dongchong" / "projects"
    projects.mkdir(parents=True)
    shutil.copy(ROOT / "declarations" / "2024" / "nansha-dongchong.yaml", tmp_path / "declarations" / "2024")
    shutil.copy(EXAMPLES / "2024" / "nansha-dongchong" / "projects" / "typical-town.yaml", projects)
    made = jixiao("new", "--form", "project-self-evaluation", "--year", "2024", "--department", "nansha-dongchong",
                  "--id", "typical-town", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    text = (projects / "typical-town.self-evaluation.yaml").read_text(encoding="utf-8")
    assert 'name: "东涌镇“百千万工程”典型镇建设（示例）"' in text and 'target: "≥ 10公顷"' in text
    # Filled in as a user would (every actual and points; a tier for the qualitative ones), it validates
    # against its target form with no finding: the indicators and their target values were copied.
    points = iter(["15", "15", "10", "10", "15", "15", "10"])
    actual = iter(["1个", "10公顷", "100%", "96%", "明显改善", "全部消除", "92%"])
    filled = []
    for line in text.split("\n"):
        if line.strip().startswith("actual:") and line.startswith("            "):
            value = next(actual)
            filled.append(f"            actual: {value}")
            if value in ("明显改善", "全部消除"):
                filled.append("            tier: 达成")
        elif line.strip().startswith("points:"):
            filled.append(f"            points: {next(points)}")
        else:
            filled.append(line)
    filled = "\n".join(filled)
    filled = filled.replace("total: {initial: , budget: , executed: , reason: }", "total: {initial: 100, budget: 100, executed: 95}")
    filled = re.sub(r"    - \{label: (.*?), initial: , budget: , executed: \}\n", "", filled)
    filled = filled.replace("  sources:\n", "  sources: []\n").replace("  actual: >-                        # 实际完成情况\n    \n", "  actual: 全部完成。\n")
    (projects / "typical-town.self-evaluation.yaml").write_text(filled, encoding="utf-8")
    checked = jixiao("validate", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert [line for line in checked.stdout.splitlines() if "self-evaluation" in line] == [], checked.stdout


def test_a_misnamed_self_evaluation_is_told_its_file_name():
    found = only(problems(DEPT_TEXT, "declarations/2024/nansha-dongchong/self-eval.yaml"))
    assert (found.code, found.message) == (
        "J401", "文件名应为「self-evaluation.yaml」，这里是「self-eval.yaml」；约定为 declarations/<年度>/<部门标识>/self-evaluation.yaml"
    )
