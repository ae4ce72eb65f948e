"""The 部门整体支出绩效自评表: a department's year-end self-evaluation against its targets."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import ConfigDict, Field

from ...fields import Amount, Department, RequiredText, Strict, Year
from ...selfeval import EvalCategory, EvalFunds, EvalGoals, Scoring, Signoff

KIND = "department-self-evaluation"
DEFAULT_TITLE = "部门整体支出绩效自评表"


class DepartmentSelfEvaluation(Strict):
    """One department's self-evaluation of one budget year."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title=DEFAULT_TITLE,
        json_schema_extra={"description": "jixiao 自评文件：declarations/<年度>/<部门标识>/self-evaluation.yaml"},
    )

    form: Literal["department-self-evaluation"] = Field(title="表的种类", description="部门整体支出绩效自评表")
    title: RequiredText = Field(DEFAULT_TITLE, title="表名", description="默认 部门整体支出绩效自评表")
    year: Year = Field(title="预算年度", description="被评价的年度，如 2024")
    department: Department = Field(title="部门")
    funds: EvalFunds = Field(title="预算执行情况（万元）")
    goals: EvalGoals = Field(title="年度总体目标")
    indicators: list[EvalCategory] = Field(title="绩效指标", min_length=1)
    total: Optional[Amount] = Field(None, title="总分", description="可省略，省略时算出")
    grade: Optional[RequiredText] = Field(None, title="等级", description="优、良、中、差；可省略，省略时算出")
    signoff: Optional[Signoff] = Field(None, title="自评人与审核人")
    scoring: Optional[Scoring] = Field(None, title="计分规则", description="可省略：预算执行率 10 分，产出 50、效益 30、满意度 10")
