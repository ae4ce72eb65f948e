"""The 部门整体支出绩效自评表: a department's year-end self-evaluation against its targets."""

from __future__ import annotations

from pydantic import Field

from generator.core.fields import Department
from generator.forms.self_evaluation import evaluation_model

KIND = "department-self-evaluation"
DEFAULT_TITLE = "部门整体支出绩效自评表"

DepartmentSelfEvaluation = evaluation_model(
    "DepartmentSelfEvaluation", KIND, DEFAULT_TITLE,
    doc="One department's self-evaluation of one budget year.",
    description="jixiao 自评文件：declarations/<年度>/<部门标识>/self-evaluation.yaml",
    head={"department": (Department, Field(title="部门"))},
    funds_title="预算执行情况（万元）",
)
