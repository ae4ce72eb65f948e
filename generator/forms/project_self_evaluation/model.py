"""The 项目支出绩效自评表: one project's year-end self-evaluation against its targets."""

from __future__ import annotations

from typing import Optional

from pydantic import Field

from generator.core.fields import Department, Id, RequiredText, Strict, Text, ValueText
from generator.forms.self_evaluation import evaluation_model

KIND = "project-self-evaluation"
DEFAULT_TITLE = "项目支出绩效自评表"


class EvaluatedProject(Strict):
    name: RequiredText = Field(title="项目名称")
    id: Id = Field(title="项目标识", description="与项目支出绩效目标申报表的项目标识相同")


ProjectSelfEvaluation = evaluation_model(
    "ProjectSelfEvaluation", KIND, DEFAULT_TITLE,
    doc="One project's self-evaluation of one budget year.",
    description="jixiao 项目自评文件：declarations/<年度>/<部门标识>/projects/<项目标识>.self-evaluation.yaml",
    head={
        "project": (EvaluatedProject, Field(title="项目")),
        "department": (Department, Field(title="主管部门")),
        "implementer": (RequiredText, Field(title="实施单位")),
        "manager": (Optional[Text], Field(None, title="项目负责人")),
        "phone": (Optional[ValueText], Field(None, title="联系电话")),
    },
    funds_title="项目资金（万元）",
)
