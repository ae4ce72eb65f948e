"""What a bureau checks on a self-evaluation: filed figures against the rules' (generator/scoring.py),
shortfalls explained, points adding up, and the indicators set against the year's target form."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

from generator.core import registry
from generator.forms.self_evaluation import scoring
from generator.forms import taxonomy
from generator.core.catalogue import ERROR, WARNING, Code
from generator.core.fields import format_amount, format_total
from generator.forms.indicators import indicator_rows
from generator.forms.self_evaluation.model import evaluate, percent, points_text
from generator.input.checks import negative_amounts, unique_labels

CODES = (
    Code("J701", WARNING, "自评表：填报的执行率、得分、总分与按规则算出的相差超过 0.1", "填报的{what} {filed} 与按规则算出的 {computed} 不符（{rule}）"),
    Code("J702", ERROR, "自评表：得分超过分值", "得分 {score} 超过分值 {points}"),
    Code("J703", ERROR, "自评表：预算执行率与各指标的分值合计不是 100 分", "分值合计 {total} 分（预算执行率 {budget} 分＋指标 {indicators} 分），应为 100 分"),
    Code("J704", WARNING, "自评表：实际完成值的单位与年度指标值不同", "实际完成值「{actual}」与年度指标值「{target}」的单位不同"),
    Code("J705", ERROR, "自评表：未达满分（或执行率低于 90%）却没有写偏差原因", "{what}，请在{where}加一行 reason: 写明偏差原因分析及改进措施"),
    Code("J706", WARNING, "自评表：全年执行数超过全年预算数却没有说明", "全年执行数 {executed} 万元超过全年预算数 {budget} 万元，请说明原因"),
    Code("J707", ERROR, "自评表：无法计算预算执行率（全年预算数为 0）", "{detail}"),
    Code("J708", ERROR, "自评表：指标无法计分（定性指标没有完成程度、实际完成值不是数字、得分不在完成程度的区间……）", "{detail}"),
    Code("J709", WARNING, "自评表：一级指标标明的分值与其下各指标分值之和不同", "{level1} 标明 {stated} 分，其下各指标分值合计 {points} 分"),
    Code("J710", WARNING, "自评表：填报的等级与总分不符", "填报的等级「{filed}」与总分 {total} 对应的「{grade}」不符"),
    Code(
        "J711", ERROR, "自评表：资金总额 ≠ 其下各行之和（年初预算数、全年预算数、全年执行数分别核对）",
        "{column}：资金总额 {total}，各行合计 {rows}，相差 {gap} 万元",
    ),
    Code("J712", WARNING, "自评表：某一资金来源的全年执行数超过其全年预算数", "「{name}」全年执行数 {executed} 万元超过全年预算数 {budget} 万元，请说明原因"),
    Code("J720", WARNING, "自评表：指标在同年度的目标申报表里没有（自评时新增）", "三级指标「{name}」在 {target} 里没有，是自评时新增的"),
    Code("J721", WARNING, "自评表：目标申报表里的指标在自评表里没有（自评时删去）", "{target} 里的三级指标「{name}」（{level1} / {level2}）在自评表里没有"),
    Code("J722", WARNING, "自评表：年度指标值与目标申报表里的不同（事后改动）", "三级指标「{name}」的年度指标值，目标申报表写「{declared}」，自评表写「{evaluated}」"),
    Code("J723", WARNING, "自评表：找不到同年度的目标申报表，无法核对指标", "{year} 年度找不到对应的{target_title}（应为 {expected}），指标无法与目标核对"),
)

LOW_RATE = Decimal("0.9")  # 执行率 below this needs a reason (财预〔2020〕10号 practice)


def check_budget_execution(loaded) -> Iterator:
    doc = loaded.declaration
    total = doc.funds.total
    result = evaluate(doc)
    base = ("funds", "total")
    if result.rate_problem and result.rate is None:
        yield loaded.report("J707", base + ("budget",), detail=result.rate_problem)
        return
    if total.rate is not None:
        filed = taxonomy.parse_value(total.rate)
        if filed is None:
            yield loaded.report("J708", base + ("rate",), detail=f"执行率「{total.rate}」不是百分数，如 96.15%")
        elif abs(filed.number - result.rate * 100) > result.settings.tolerance:
            yield loaded.report(
                "J701", base + ("rate",), what="执行率", filed=total.rate, computed=percent(result.rate),
                rule=f"全年执行数 {total.executed} ÷ 全年预算数 {total.budget}",
            )
    if total.score is not None:
        if total.score > result.budget_points:
            yield loaded.report("J702", base + ("score",), score=total.score, points=result.budget_points)
        elif scoring.differs(total.score, result.budget_score, result.settings):
            yield loaded.report(
                "J701", base + ("score",), what="预算执行率得分", filed=total.score, computed=points_text(result.budget_score),
                rule=f"min(执行率 {percent(result.rate)}, 100%) × 分值 {result.budget_points}",
            )
    if result.rate < LOW_RATE and not (total.reason or "").strip():
        yield loaded.report("J705", base + ("reason",), what=f"预算执行率 {percent(result.rate)} 低于 90%",
                            where=" funds.total 里")
    if total.executed > total.budget and not (total.reason or "").strip():
        yield loaded.report("J706", base + ("executed",), executed=total.executed, budget=total.budget)


# ---- the funds, checked as the target forms check theirs --------------------------------------------

_COLUMNS = {"initial": "年初预算数", "budget": "全年预算数（A）", "executed": "全年执行数（B）"}


def fund_amounts(doc):
    for column in _COLUMNS:
        yield ("funds", "total", column), getattr(doc.funds.total, column)
        for i, source in enumerate(doc.funds.sources):
            yield ("funds", "sources", i, column), getattr(source, column)


def _amounts(doc):
    return ((path, amount) for path, amount in fund_amounts(doc) if amount is not None)


def _labelled(doc):
    yield ("funds", "sources"), "资金来源", doc.funds.sources, "label"


def check_funds_add_up(loaded) -> Iterator:
    """Each column of 其中 adds up to 年度资金总额; a column left empty everywhere is not checked."""
    funds = loaded.declaration.funds
    if not funds.sources:
        return
    for column, title in _COLUMNS.items():
        total = getattr(funds.total, column)
        cells = [getattr(source, column) for source in funds.sources]
        if total is None and all(cell is None for cell in cells):
            continue
        total = total if total is not None else Decimal(0)
        rows = sum((cell for cell in cells if cell is not None), Decimal(0))
        if rows != total:
            yield loaded.report(
                "J711", ("funds", "total", column), column=title,
                total=format_amount(total), rows=format_total(rows), gap=format_total(abs(total - rows)),
            )


def check_sources_within_budget(loaded) -> Iterator:
    funds = loaded.declaration.funds
    if (funds.total.reason or "").strip():
        return
    for i, source in enumerate(funds.sources):
        if source.executed > source.budget:
            yield loaded.report(
                "J712", ("funds", "sources", i, "executed"), name=source.label,
                executed=format_amount(source.executed), budget=format_amount(source.budget),
            )


def check_indicator_scores(loaded) -> Iterator:
    result = evaluate(loaded.declaration)
    for row in result.rows:
        item = row.item
        if item.not_applicable:
            continue
        if row.problem:
            yield loaded.report("J708", row.path, detail=f"三级指标「{item.level3}」无法计分：{row.problem}")
            continue
        if item.score is not None and item.score > item.points:
            yield loaded.report("J702", row.path + ("score",), score=item.score, points=item.points)
        elif item.score is not None and scoring.differs(item.score, row.computed.value, result.settings):
            yield loaded.report(
                "J701", row.path + ("score",), what=f"「{item.level3}」的得分", filed=item.score,
                computed=points_text(row.computed.value), rule=row.computed.rule,
            )
        if item.actual and scoring.units_differ(item.target, item.actual):
            yield loaded.report("J704", row.path + ("actual",), actual=item.actual, target=item.target)
        if result.score_of(row) < item.points and not (item.reason or "").strip():
            yield loaded.report(
                "J705", row.path, what=f"三级指标「{item.level3}」得分 {points_text(result.score_of(row))}，低于分值 {item.points}",
                where="这一项指标下",
            )


def check_points_add_up(loaded) -> Iterator:
    doc = loaded.declaration
    result = evaluate(doc)
    if result.settings_problem:
        yield loaded.report("J708", ("scoring",), detail=f"计分规则不能用：{result.settings_problem}")
    indicators = sum((row.item.points for row in result.rows), Decimal(0))
    if result.budget_points + indicators != 100:
        yield loaded.report(
            "J703", ("indicators",), total=points_text(result.budget_points + indicators),
            budget=points_text(result.budget_points), indicators=points_text(indicators),
        )
    for index, category in enumerate(doc.indicators):
        name, stated = scoring.level1_points(category.level1)
        points = sum((item.points for group in category.groups for item in group.items), Decimal(0))
        if stated is not None and stated != points:
            yield loaded.report("J709", ("indicators", index, "level1"), level1=name, stated=points_text(stated), points=points_text(points))


def check_filed_total(loaded) -> Iterator:
    doc = loaded.declaration
    result = evaluate(doc)
    if not result.scored:
        return
    if doc.total is not None and scoring.differs(doc.total, result.total, result.settings):
        yield loaded.report(
            "J701", ("total",), what="总分", filed=doc.total, computed=points_text(result.total),
            rule="各项得分之和，不适用的指标不计、其余折算为 100 分",
        )
    if doc.grade is not None and doc.grade.strip() != result.grade:
        yield loaded.report("J710", ("grade",), filed=doc.grade, total=points_text(result.total), grade=result.grade)


RULES = (
    negative_amounts(_amounts),
    unique_labels(_labelled),
    check_funds_add_up,
    check_sources_within_budget,
    check_budget_execution,
    check_indicator_scores,
    check_points_add_up,
    check_filed_total,
)


# ---- against the targets -------------------------------------------------------------------------


def _key(level1: str, level2: str, level3: str) -> tuple[str, str, str]:
    return taxonomy.canonical(scoring.level1_points(level1)[0]), taxonomy.canonical(level2), "".join(level3.split())


def _declared(target_doc) -> dict:
    found = {}
    for _path, category, group, item in indicator_rows(target_doc.indicators):
        value = item.value if item.single_column else item.annual_value
        found[_key(category.level1, group.level2, item.level3)] = (category.level1, group.level2, item.level3, value or "")
    return found


def against_targets(evaluation_kind: str, target_kind: str):
    """A cross-form rule: each self-evaluation of `evaluation_kind` beside its target form."""

    def check_against_targets(documents) -> Iterator:
        targets = {item.location: item for item in documents if item.form.kind == target_kind}
        for item in documents:
            if item.form.kind != evaluation_kind:
                continue
            form = item.form
            expected = form.target_location(item.declaration)
            target = targets.get(expected)
            if target is None:
                yield item.report(
                    "J723", ("indicators",), year=item.year, target_title=registry.forms()[target_kind].title,
                    expected=f"{expected}.yaml",
                )
                continue
            declared = _declared(target.declaration)
            seen = set()
            for path, category, group, indicator in indicator_rows(item.declaration.indicators):
                key = _key(category.level1, group.level2, indicator.level3)
                seen.add(key)
                if key not in declared:
                    yield item.report("J720", path + ("level3",), name=indicator.level3, target=target.display)
                elif declared[key][3].strip() != indicator.target.strip():
                    yield item.report(
                        "J722", path + ("target",), name=indicator.level3, declared=declared[key][3], evaluated=indicator.target
                    )
            for key, (level1, level2, level3, _value) in declared.items():
                if key not in seen:
                    yield item.report("J721", ("indicators",), target=target.display, name=level3, level1=level1, level2=level2)

    return check_against_targets
