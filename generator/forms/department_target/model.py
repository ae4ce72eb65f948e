"""The 部门整体预算绩效目标申报表 as a typed model; its field titles are the form's labels."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Literal, Optional

from pydantic import ConfigDict, Field

from generator.core.fieldpath import label as field_title
from generator.core.fields import Amount, Count, Date, Department, RequiredText, Strict, Text, ValueText, Year
from generator.forms.indicators import IndicatorCategory, indicator_rows, single_value_column

KIND = "department-target"
DEFAULT_TITLE = "部门整体预算绩效目标申报表"


class BasicInfo(Strict):
    staff_count: Count = Field(title="财政供养人员数", description="人")
    subordinate_units: Count = Field(title="下属二级单位数", description="个")


class Spending(Strict):
    basic: Amount = Field(title="基本支出", description="万元，两位小数")
    project: Amount = Field(title="项目支出", description="万元，两位小数")

    @property
    def total(self) -> Decimal:
        """部门预算支出合计: the figure 按预算级次划分 and 收入来源 are checked against."""
        return self.basic + self.project


class BudgetLine(Strict):
    label: RequiredText = Field(title="项目名称", description="表中左列的文字，如 财政拨款、镇本级使用资金")
    amount: Amount = Field(title="预算金额（万元）", description="万元，两位小数")


class Budget(Strict):
    spending: Spending = Field(title="部门预算支出")
    income: list[BudgetLine] = Field(title="收入来源", min_length=1, description="如 财政拨款、其他资金")
    development: list[BudgetLine] = Field(
        title="事业发展性支出", description="项目支出中的事业发展性支出，如 财政专项资金、其他事业发展性支出"
    )
    by_level: list[BudgetLine] = Field(
        title="按预算级次划分",
        min_length=1,
        description="标签随政府层级而变：镇本级使用资金、区级转移支付支出；市本级……",
    )


class Task(Strict):
    name: RequiredText = Field(title="名称")
    content: RequiredText = Field(title="主要实施内容", description="Markdown；①②③ 等编号照原文保留")
    funds: Amount = Field(title="拟投入的资金（万元）")
    goal: RequiredText = Field(title="期望达到的目标（概述）", description="Markdown")


class Filing(Strict):
    unit: Optional[Text] = Field(None, title="填报单位（盖章）")
    head: Optional[Text] = Field(None, title="单位负责人")
    preparer: Optional[Text] = Field(None, title="填报人")
    phone: Optional[ValueText] = Field(None, title="联系电话")
    date: Optional[Date] = Field(None, title="填报日期", description="2024-01-31")


class DepartmentTarget(Strict):
    """One department's declaration for one budget year."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title=DEFAULT_TITLE,
        json_schema_extra={"description": "jixiao 申报文件：declarations/<年度>/<部门标识>.yaml"},
    )

    form: Literal["department-target"] = Field(
        KIND, title="表的种类", description="部门整体预算绩效目标申报表写 department-target，也可省略"
    )
    title: RequiredText = Field(DEFAULT_TITLE, title="表名", description="默认 部门整体预算绩效目标申报表")
    year: Year = Field(title="预算年度", description="如 2024")
    department: Department = Field(title="部门")
    basic_info: BasicInfo = Field(title="基本信息")
    budget: Budget = Field(title="预算整体情况", description="金额单位：万元")
    overall_goal: RequiredText = Field(title="总体绩效目标", description="Markdown")
    tasks: list[Task] = Field(title="年度重点工作任务", min_length=1)
    other_tasks: Optional[Text] = Field(None, title="其他需完成的任务（可选填）", description="Markdown，可留空")
    indicators: list[IndicatorCategory] = Field(title="绩效指标", min_length=1)
    filing: Optional[Filing] = Field(None, title="填报信息（可选）", description="老版表格的签章栏")

    @property
    def single_value_column(self) -> bool:
        return single_value_column(self.indicators)

    def indicator_rows(self):
        """Yield (path, category, group, indicator) for every 三级指标, in order."""
        yield from indicator_rows(self.indicators)


# label("funds.total") → the label the form prints for that field (its title in the model above).
label = partial(field_title, DepartmentTarget)
