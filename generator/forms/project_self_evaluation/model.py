"""The 项目支出绩效自评表: one project's year-end self-evaluation against its targets."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import ConfigDict, Field

from ...fields import Amount, Department, Id, RequiredText, Strict, Text, ValueText, Year
from ...selfeval import EvalCategory, EvalFunds, EvalGoals, Scoring, Signoff

KIND = "project-self-evaluation"
DEFAULT_TITLE = "项目支出绩效自评表"


class EvaluatedProject(Strict):
    name: RequiredText = Field(title="项目名称")
    id: Id = Field(title="项目标识", description="与项目支出绩效目标申报表的项目标识相同")


class ProjectSelfEvaluation(Strict):
    """One project's self-evaluation of one budget year."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title=DEFAULT_TITLE,
        json_schema_extra={
            "description": "jixiao 项目自评文件：declarations/<年度>/<部门标识>/projects/<项目标识>.self-evaluation.yaml"
        },
    )

    form: Literal["project-self-evaluation"] = Field(title="表的种类", description="项目支出绩效自评表")
    title: RequiredText = Field(DEFAULT_TITLE, title="表名", description="默认 项目支出绩效自评表")
    year: Year = Field(title="预算年度", description="被评价的年度，如 2024")
    project: EvaluatedProject = Field(title="项目")
    department: Department = Field(title="主管部门")
    implementer: RequiredText = Field(title="实施单位")
    manager: Optional[Text] = Field(None, title="项目负责人")
    phone: Optional[ValueText] = Field(None, title="联系电话")
    funds: EvalFunds = Field(title="项目资金（万元）")
    goals: EvalGoals = Field(title="年度总体目标")
    indicators: list[EvalCategory] = Field(title="绩效指标", min_length=1)
    total: Optional[Amount] = Field(None, title="总分", description="可省略，省略时算出")
    grade: Optional[RequiredText] = Field(None, title="等级", description="优、良、中、差；可省略，省略时算出")
    signoff: Optional[Signoff] = Field(None, title="自评人与审核人")
    scoring: Optional[Scoring] = Field(None, title="计分规则", description="可省略：预算执行率 10 分，产出 50、效益 30、满意度 10")
