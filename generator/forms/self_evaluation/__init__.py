"""The base both year-end self-evaluation forms are made from: the shared blocks and the evaluation
(model), the scoring rules on exact Decimals (scoring), the checks on filed figures and against the
target form (checks), the rows, downloads and listing columns (views). A self-evaluation plug-in is
its own head fields and where its files lie; `evaluation_model` and `evaluation_form` write the rest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Literal, Optional

from pydantic import ConfigDict, Field, create_model

from generator.core.fields import Amount, RequiredText, Strict, Year
from generator.core.form import Form, Loss, Scorecard
from generator.forms.self_evaluation import checks, views
from generator.forms.self_evaluation.scoring import Settings
from generator.forms.self_evaluation.model import EvalCategory, EvalFunds, EvalGoals, Scoring, Signoff, breakdown_lines, evaluate, summary_lines


def evaluation_model(name: str, kind: str, title: str, doc: str, description: str, head: dict[str, Any], funds_title: str):
    """The model of a self-evaluation form: `form`, `title`, `year`, then the form's own `head`
    fields ({name: (type, Field)}), then the blocks every self-evaluation has, in the printed order."""
    config = ConfigDict(extra="forbid", frozen=True, defer_build=True, title=title, json_schema_extra={"description": description})
    base = type(f"{name}Base", (Strict,), {"model_config": config, "__module__": __name__})
    return create_model(
        name,
        __base__=base,
        __doc__=doc,
        __module__=__name__,
        form=(Literal[kind], Field(title="表的种类", description=title)),
        title=(RequiredText, Field(title, title="表名", description=f"默认 {title}")),
        year=(Year, Field(title="预算年度", description="被评价的年度，如 2024")),
        **head,
        funds=(EvalFunds, Field(title=funds_title)),
        goals=(EvalGoals, Field(title="年度总体目标")),
        indicators=(list[EvalCategory], Field(title="绩效指标", min_length=1)),
        total=(Optional[Amount], Field(None, title="总分", description="可省略，省略时算出")),
        grade=(Optional[RequiredText], Field(None, title="等级", description="优、良、中、差；可省略，省略时算出")),
        signoff=(Optional[Signoff], Field(None, title="自评人与审核人")),
        scoring=(Optional[Scoring], Field(None, title="计分规则", description="可省略：预算执行率 10 分，产出 50、效益 30、满意度 10")),
    )


def scorecard(doc) -> Scorecard:
    """总分, 等级 and 执行率 as the rules give them, and the indicators that lost points."""
    result = evaluate(doc)
    losses = []
    for row in result.rows:
        if row.item.not_applicable:
            continue
        score = result.score_of(row)
        if score is not None and score < row.item.points:
            losses.append(Loss(row.path, row.item.level3, score, row.item.points))
    losses.sort(key=lambda loss: -loss.lost)  # stable: equal losses stay in the form's order
    return Scorecard(
        result.total, result.grade, result.rate, doc.funds.total.budget, doc.funds.total.executed, tuple(losses),
        ("total",) if doc.total is not None else ("funds", "total"), doc.total, doc.grade,
    )


def evaluation_form(
    kind: str, model, folder: Path, position: int, path: str, id_path: tuple, name: Callable[[Any], str], scope: str,
    evaluates: str, target_path: str,
) -> Form:
    """A self-evaluation plug-in: scored, checked against the target form of kind `evaluates` that
    lies at `target_path` (a path pattern, filled with the document's year, department and id), no
    worksheet of its own."""
    form = Form(
        kind=kind,
        model=model,
        folder=folder,
        position=position,
        path=path,
        id_path=id_path,
        name=name,
        scope=scope,
        rules=checks.RULES,
        cross_rules=(checks.against_targets(kind, evaluates),),
        codes=checks.CODES,
        context=views.context,
        tables=views.tables,
        page=views.page,
        columns=views.COLUMNS,
        evaluates=evaluates,
        leans_on=target_path,
        leaning_codes=frozenset({"J720", "J721", "J722", "J723"}),
        called="自评表",
        counted_as="自评表",
        summary=lambda d: summary_lines(d, f"{name(d)} {d.year}年度{d.title}"),
        breakdown=lambda d: breakdown_lines(d, f"{name(d)} {d.year}年度{d.title}"),
        scorecard=scorecard,
        grades=tuple(grade for _bound, grade in Settings().grades),
        target_summary=views.target_summary,
    )
    return replace(form, target_location=lambda d: form.leaning_location(d.year, d.department.id, form.identifier(d)))
