"""What the self-evaluation forms show: the rows their template lays out with the computed scores,
their CSVs, the score chart, the listing columns, the summary `jixiao build` prints."""

from __future__ import annotations

from decimal import Decimal

from generator.render.charts import WIDTH, Bar, Chart, ROW_HEIGHT
from generator.core.fields import format_money
from generator.core.form import Column, Table
from generator.forms.indicators import indicator_blocks
from generator.forms.self_evaluation.model import evaluate, percent, points_text


def _money(value: Decimal | None) -> str:
    return "" if value is None else format_money(value)


def fund_rows(doc, result) -> list[dict]:
    """年度资金总额 with its 分值, 执行率 and 得分; each source below it with dashes there, as the form has."""
    total = doc.funds.total
    score = total.score if total.score is not None else result.budget_score
    rows = [{
        "label": "年度资金总额", "initial": _money(total.initial), "budget": _money(total.budget),
        "executed": _money(total.executed), "points": points_text(result.budget_points),
        "rate": total.rate or percent(result.rate), "score": points_text(score),
    }]
    for index, line in enumerate(doc.funds.sources):
        rows.append({
            "label": ("其中：" if index == 0 else "") + line.label, "initial": _money(line.initial),
            "budget": _money(line.budget), "executed": _money(line.executed), "points": "–", "rate": "–", "score": "–",
        })
    return rows


def context(doc, plan) -> dict:
    result = evaluate(doc)
    blocks = indicator_blocks(doc.indicators, plan)
    by_position = {}
    for row in result.rows:
        by_position.setdefault(row.path[1], []).append(row)
    for block in blocks:
        category = int(block["key"].split("-")[1])
        for shown in block["rows"]:
            row = by_position[category][shown["index"]]
            score = "—" if row.item.not_applicable else points_text(result.score_of(row)) if not row.problem else ""
            shown["scored"] = {"points": points_text(row.item.points), "score": score}
    total = doc.total if doc.total is not None else result.total
    return {
        "indicator_blocks": blocks,
        "ev": {
            "fund_rows": fund_rows(doc, result),
            "total": points_text(total),
            "grade": doc.grade or result.grade,
        },
    }


def tables(doc) -> list[Table]:
    result = evaluate(doc)
    funds = [[r["label"], r["initial"], r["budget"], r["executed"], r["points"], r["rate"], r["score"]] for r in fund_rows(doc, result)]
    indicators = []
    for row in result.rows:
        item = row.item
        computed = "" if row.computed is None else points_text(row.computed.value)
        indicators.append([
            row.level1, row.level2, item.level3, item.target, "不适用" if item.not_applicable else (item.actual or ""),
            item.tier or "", points_text(item.points), points_text(item.score), computed,
            row.computed.rule if row.computed else row.problem, item.reason or "",
        ])
    return [
        Table("funds", "预算执行情况", ["资金", "年初预算数", "全年预算数（A）", "全年执行数（B）", "分值", "执行率（B/A）", "得分"], funds),
        Table(
            "indicators", "绩效指标与得分",
            ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "完成程度", "分值", "填报得分", "按规则得分", "计分规则", "偏差原因分析及改进措施"],
            indicators,
        ),
    ]


def score_chart(doc) -> Chart:
    """执行率 and each 一级's score as a share of its points: one bar each."""
    result = evaluate(doc)
    items = [(f"预算执行率 {percent(result.rate)}", result.budget_counted, result.budget_points)]
    items += [(entry.name, entry.score, entry.points) for entry in result.level1_sums()]
    bars = []
    for index, (label, score, points) in enumerate(items):
        share = (score / points * 100) if points else Decimal(0)
        width = (min(share, Decimal(100)) / 100 * WIDTH).quantize(Decimal("0.1"))
        bars.append(Bar(label, f"{points_text(score)} / {points_text(points)} 分", f"{points_text(share)}%", index * ROW_HEIGHT, str(width)))
    total = result.total if result.total is not None else Decimal(0)
    return Chart("scores", "得分", f"{points_text(total)} 分", bars, max(1, len(items)) * ROW_HEIGHT, unit="", total_label="总分")


def page(doc, previous) -> dict:
    return {"charts": [score_chart(doc)], "comparison": None, "previous": previous, "charts_heading": "执行率与得分"}


def _total(doc) -> str:
    return points_text(doc.total if doc.total is not None else evaluate(doc).total)


COLUMNS = (
    Column("总分", _total),
    Column("等级", lambda doc: doc.grade or evaluate(doc).grade, numeric=False),
    Column("预算执行率", lambda doc: percent(evaluate(doc).rate)),
)


def target_summary(doc) -> dict:
    """What a target form's page shows of its self-evaluation: every indicator's 目标 beside 实际, and the score."""
    result = evaluate(doc)
    rows = [
        {
            "level1": row.level1, "level2": row.level2, "level3": row.item.level3, "target": row.item.target,
            "actual": "不适用" if row.item.not_applicable else (row.item.actual or ""),
            "points": points_text(row.item.points),
            "score": "—" if row.item.not_applicable else points_text(result.score_of(row)),
        }
        for row in result.rows
    ]
    total = doc.total if doc.total is not None else result.total
    return {
        "rows": rows, "rate": percent(result.rate), "total": points_text(total),
        "grade": doc.grade or result.grade, "chart": score_chart(doc),
    }
