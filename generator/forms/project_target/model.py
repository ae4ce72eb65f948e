"""The 项目支出绩效目标申报表 (财预〔2015〕88号 and the forms in use since) as a typed model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import partial
from typing import Literal, Optional

from pydantic import ConfigDict, Field

from generator.core.fieldpath import label as field_title
from generator.core.fields import Amount, Department, Id, RequiredText, Strict, Text, ValueText, Year, YearOrDate
from generator.forms.indicators import IndicatorCategory, indicator_rows, single_value_column

KIND = "project-target"
DEFAULT_TITLE = "项目支出绩效目标申报表"
DEFAULT_ATTRIBUTES = ("新增", "延续")


class Period(Strict):
    start: YearOrDate = Field(title="开始", description="年份（2024）或日期（2024-03-01）")
    end: YearOrDate = Field(title="结束", description="年份（2026）或日期（2026-12-31）")

    @staticmethod
    def _first_day(value: int | dt.date) -> dt.date:
        return value if isinstance(value, dt.date) else dt.date(value, 1, 1)

    @staticmethod
    def _last_day(value: int | dt.date) -> dt.date:
        return value if isinstance(value, dt.date) else dt.date(value, 12, 31)

    @property
    def first_day(self) -> dt.date:
        return self._first_day(self.start)

    @property
    def last_day(self) -> dt.date:
        return self._last_day(self.end)


class Project(Strict):
    name: RequiredText = Field(title="项目名称")
    id: Id = Field(
        title="项目标识",
        description="小写字母、数字和连字符，用作文件名和网址，如 rural-roads；应与 YAML 文件名一致",
    )
    code: Optional[ValueText] = Field(None, title="项目编码", description="预算系统中的编码（可选）")
    attribute: RequiredText = Field(title="项目属性", description="如 新增、延续（可选项见 attribute_options）")
    attribute_options: list[RequiredText] = Field(
        list(DEFAULT_ATTRIBUTES),
        title="项目属性的可选项",
        min_length=1,
        description="表上印出的可选项，默认 新增、延续；有的省份用 一次性、阶段性、经常性",
    )
    period: Period = Field(title="项目期", description="开始与结束：年份或日期")
    manager: Optional[Text] = Field(None, title="项目负责人")
    phone: Optional[ValueText] = Field(None, title="联系电话")


class FundsTotal(Strict):
    period: Amount = Field(title="实施期资金总额", description="万元；项目期内合计（中期资金总额）")
    annual: Amount = Field(title="年度资金总额", description="万元；本预算年度")


class FundsSource(Strict):
    label: RequiredText = Field(title="资金来源", description="如 财政拨款、其他资金")
    period: Amount = Field(title="实施期资金总额", description="万元")
    annual: Amount = Field(title="年度资金总额", description="万元")


class Funds(Strict):
    total: FundsTotal = Field(title="资金总额")
    sources: list[FundsSource] = Field(title="其中", min_length=1, description="各行之和应等于资金总额，每列各自相加")


class Goals(Strict):
    period: RequiredText = Field(title="实施期目标", description="Markdown；一年期项目可写与年度目标相同")
    annual: RequiredText = Field(title="年度目标", description="Markdown")


class ProjectTarget(Strict):
    """One project's performance targets for one budget year."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title=DEFAULT_TITLE,
        json_schema_extra={"description": "jixiao 项目申报文件：declarations/<年度>/<部门标识>/projects/<项目标识>.yaml"},
    )

    form: Literal["project-target"] = Field(title="表的种类", description="项目支出绩效目标申报表写 project-target")
    title: RequiredText = Field(DEFAULT_TITLE, title="表名", description="默认 项目支出绩效目标申报表")
    year: Year = Field(title="预算年度", description="如 2024")
    project: Project = Field(title="项目")
    department: Department = Field(title="主管部门", description="与同一文件夹的部门整体申报一致")
    implementer: RequiredText = Field(title="实施单位")
    funds: Funds = Field(title="项目资金（万元）", description="金额单位：万元，可到六位小数，照写照印")
    goals: Goals = Field(title="总体目标")
    indicators: list[IndicatorCategory] = Field(title="绩效指标", min_length=1)

    @property
    def single_value_column(self) -> bool:
        return single_value_column(self.indicators)

    def indicator_rows(self):
        yield from indicator_rows(self.indicators)

    @property
    def annual_total(self) -> Decimal:
        return self.funds.total.annual


# label("funds.total") → the label the form prints for that field (its title in the model above).
label = partial(field_title, ProjectTarget)
