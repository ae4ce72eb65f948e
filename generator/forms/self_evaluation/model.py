"""What the two year-end self-evaluation forms (部门整体支出绩效自评表, 项目支出绩效自评表) share:
the funds, goals and scored indicator blocks, the evaluation computed from them by the rules in
generator/scoring.py, the checks on filed figures, and the match against the year's target form."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Optional

from pydantic import Field

from generator.forms.self_evaluation import scoring
from generator.forms import taxonomy
from generator.core.fields import format_rate, format_score, Amount, Date, RequiredText, Strict, Text, ValueText
from generator.forms.indicators import indicator_rows

ZERO = Decimal(0)


# ---- the model -------------------------------------------------------------------------------------


class ExecutionTotal(Strict):
    initial: Optional[Amount] = Field(None, title="年初预算数", description="万元")
    budget: Amount = Field(title="全年预算数（A）", description="万元；执行率按它计算")
    executed: Amount = Field(title="全年执行数（B）", description="万元")
    points: Optional[Amount] = Field(None, title="分值", description="预算执行率的分值，默认 10")
    rate: Optional[ValueText] = Field(None, title="执行率（B/A）", description="可省略，省略时算出；如 96.15%")
    score: Optional[Amount] = Field(None, title="得分", description="可省略，省略时算出")
    reason: Optional[Text] = Field(None, title="偏差原因", description="执行率低于 90% 或执行数超过预算数时必填")


class FundsLine(Strict):
    label: RequiredText = Field(title="资金来源", description="如 本年财政拨款、上年结转资金、其他资金")
    initial: Optional[Amount] = Field(None, title="年初预算数")
    budget: Amount = Field(title="全年预算数（A）")
    executed: Amount = Field(title="全年执行数（B）")


class EvalFunds(Strict):
    total: ExecutionTotal = Field(title="年度资金总额")
    sources: list[FundsLine] = Field(default_factory=list, title="其中", description="如 本年财政拨款、上年结转资金、其他资金")


class EvalGoals(Strict):
    expected: RequiredText = Field(title="预期目标", description="Markdown")
    actual: RequiredText = Field(title="实际完成情况", description="Markdown")


class EvalIndicator(Strict):
    level3: RequiredText = Field(title="三级指标")
    target: ValueText = Field(title="年度指标值", description="照目标申报表写，如 ≥ 90%")
    actual: Optional[ValueText] = Field(None, title="实际完成值", description="定量指标写数字和单位，如 93%")
    points: Amount = Field(title="分值")
    score: Optional[Amount] = Field(None, title="得分", description="可省略，省略时按规则算出")
    tier: Optional[RequiredText] = Field(None, title="完成程度", description="定性指标必填：达成、部分达成、未达成")
    not_applicable: bool = Field(False, title="不适用", description="true：不计分，其余按 100 分折算")
    reason: Optional[Text] = Field(None, title="偏差原因分析及改进措施", description="得分低于分值时必填")


class EvalGroup(Strict):
    level2: RequiredText = Field(title="二级指标")
    items: list[EvalIndicator] = Field(title="三级指标列表", min_length=1)


class EvalCategory(Strict):
    level1: RequiredText = Field(title="一级指标", description="可带分值，如 产出指标（50分）")
    groups: list[EvalGroup] = Field(title="二级指标列表", min_length=1)


class Signoff(Strict):
    evaluator: Optional[Text] = Field(None, title="自评人")
    reviewer: Optional[Text] = Field(None, title="审核人")
    date: Optional[Date] = Field(None, title="日期")


class Scoring(Strict):
    budget_points: Optional[Amount] = Field(None, title="预算执行率分值", description="默认 10")
    split: Optional[dict[str, Amount]] = Field(None, title="一级指标分值", description="默认 产出指标 50、效益指标 30、满意度指标 10")


def settings_of(doc) -> scoring.Settings:
    chosen = doc.scoring
    if chosen is None:
        return scoring.Settings()
    values = {key: value for key, value in (("budget_points", chosen.budget_points), ("split", chosen.split)) if value is not None}
    return scoring.Settings.from_mapping(values)


# ---- the evaluation ------------------------------------------------------------------------------


@dataclass
class Row:
    path: tuple
    level1: str
    level2: str
    item: EvalIndicator
    computed: scoring.Score | None  # None: not applicable, or could not be scored (see problems)
    problem: str = ""  # why it could not be scored


@dataclass
class Level1Sum:
    name: str
    points: Decimal
    score: Decimal


@dataclass
class Evaluation:
    settings: scoring.Settings
    budget_points: Decimal
    rate: Decimal | None
    budget_score: Decimal | None
    rate_problem: str = ""
    settings_problem: str = ""  # the file's own 计分规则 could not be used: the defaults were
    rows: list[Row] = field(default_factory=list)
    total: Decimal | None = None
    grade: str = ""

    @property
    def scored(self) -> bool:
        return self.total is not None

    def level1_sums(self) -> list[Level1Sum]:
        sums: dict[str, Level1Sum] = {}
        for row in self.rows:
            if row.item.not_applicable:
                continue
            entry = sums.setdefault(row.level1, Level1Sum(row.level1, ZERO, ZERO))
            entry.points += row.item.points
            entry.score += self.score_of(row)
        return list(sums.values())

    def score_of(self, row: Row) -> Decimal:
        """The score a row counts with: the filed one when given (checked against the rule), else computed."""
        if row.item.score is not None:
            return row.item.score
        return row.computed.value if row.computed else ZERO

    @property
    def budget_counted(self) -> Decimal:
        return self.budget_score if self.budget_score is not None else ZERO


# The rules, the form's rows, its CSVs, chart and listing columns all ask for the same evaluation:
# computed once per document (models are frozen), keyed by identity with the document kept alive.
_EVALUATIONS: dict[int, tuple[object, Evaluation]] = {}
_KEPT = 256


def evaluate(doc) -> Evaluation:
    """Every score the rules give this self-evaluation, and why any could not be given."""
    found = _EVALUATIONS.get(id(doc))
    if found is not None and found[0] is doc:
        return found[1]
    result = _evaluate(doc)
    if len(_EVALUATIONS) >= _KEPT:
        _EVALUATIONS.pop(next(iter(_EVALUATIONS)))
    _EVALUATIONS[id(doc)] = (doc, result)
    return result


def _evaluate(doc) -> Evaluation:
    try:
        settings, settings_problem = settings_of(doc), ""
    except scoring.ScoringError as exc:
        settings, settings_problem = scoring.Settings(), str(exc)
    total = doc.funds.total
    points = total.points if total.points is not None else settings.budget_points
    result = Evaluation(settings, points, None, None, settings_problem=settings_problem)
    try:
        result.rate = scoring.execution_rate(total.budget, total.executed)
        result.budget_score = scoring.execution_score(result.rate, points)
    except scoring.ScoringError as exc:
        result.rate_problem = str(exc)
    for path, category, group, item in indicator_rows(doc.indicators):
        row = Row(path, category.level1, group.level2, item, None)
        if not item.not_applicable:
            try:
                if item.actual is None and taxonomy.parse_value(item.target) is not None:
                    raise scoring.ScoringError("缺少实际完成值")
                row.computed = scoring.indicator_score(
                    item.target, item.actual, item.points, tier=item.tier, filed=item.score, settings=settings
                )
            except scoring.ScoringError as exc:
                row.problem = str(exc)
        result.rows.append(row)
    if result.rate_problem or any(row.problem for row in result.rows):
        return result
    budget_score = total.score if total.score is not None else result.budget_score
    parts = [(points, budget_score, True)]
    parts += [(row.item.points, result.score_of(row), not row.item.not_applicable) for row in result.rows]
    try:
        result.total = scoring.total_score(parts)
    except scoring.ScoringError as exc:
        result.rate_problem = str(exc)
        return result
    result.grade = scoring.grade(result.total, settings)
    return result


percent = format_rate
points_text = format_score


def summary_lines(doc, name: str) -> list[str]:
    """The computed scores, as `jixiao build` prints them."""
    result = evaluate(doc)
    if not result.scored:
        return [f"{name}：无法计分（{result.rate_problem or next(r.problem for r in result.rows if r.problem)}）"]
    lines = [f"{name}：总分 {points_text(result.total)}（{result.grade}）"]
    lines.append(f"  预算执行率 {percent(result.rate)}：{points_text(result.budget_counted if doc.funds.total.score is None else doc.funds.total.score)} / {points_text(result.budget_points)} 分")
    for entry in result.level1_sums():
        lines.append(f"  {entry.name}：{points_text(entry.score)} / {points_text(entry.points)} 分")
    return lines


def breakdown_lines(doc, name: str) -> list[str]:
    """The summary and every indicator's score with the rule that gave it, as `jixiao score` prints them."""
    lines = summary_lines(doc, name)
    for row in evaluate(doc).rows:
        if row.item.not_applicable:
            lines.append(f"    {row.item.level3}：不适用，不计分")
        elif row.computed is not None:
            lines.append(f"    {row.item.level3}：{points_text(row.computed.value)} / {points_text(row.item.points)} 分（{row.computed.rule}）")
        else:
            lines.append(f"    {row.item.level3}：无法计分（{row.problem}）")
    return lines
