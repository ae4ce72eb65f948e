"""The typed model of one 部门整体预算绩效目标申报表; the JSON Schema is generated from it."""

from __future__ import annotations

import datetime as dt
import re
import typing
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Optional

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

DEFAULT_TITLE = "部门整体预算绩效目标申报表"

# Amounts as typed by people: 9830.96, "9,830.96", 52906; commas only in groups of three. At most
# 15 digits before the point (under 10^15 万元): anything longer is a typo, and exact sums stay
# within Decimal's 28 digits.
AMOUNT_PATTERN = r"^-?(\d{1,3}(,\d{3}){1,4}|\d{1,15})(\.\d+)?$"
AMOUNT_LIMIT = 10**15
# Counts of people and units: 244, "1,024"; at most 9 digits.
COUNT_PATTERN = r"^(0|[1-9]\d{0,2}(,\d{3}){1,2}|[1-9]\d{0,8})$"
COUNT_LIMIT = 10**9 - 1
ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


def parse_amount(value: Any) -> Decimal:
    # The loader hands every scalar over as its text, so the Decimal is exact.
    if isinstance(value, bool):
        raise PydanticCustomError("jx_amount", "应为金额（万元），如 9830.96 或 \"9,830.96\"")
    if isinstance(value, float):
        # A float would only come from Python callers: refuse it rather than round silently.
        raise PydanticCustomError("jx_amount", "金额不能是浮点数，请写成文本或 Decimal")
    if isinstance(value, (int, Decimal)):
        amount = Decimal(value)
    elif isinstance(value, str):
        amount = _amount_from_text(value)
    else:
        raise PydanticCustomError("jx_amount", "应为金额（万元），如 9830.96 或 \"9,830.96\"")
    if not amount.is_finite() or abs(amount) >= AMOUNT_LIMIT:
        raise PydanticCustomError("jx_amount", "「{text}」超出金额范围（万元），请核对", {"text": str(value)})
    return amount


def _amount_from_text(text: str) -> Decimal:
    if re.match(AMOUNT_PATTERN, text):
        return Decimal(text.replace(",", ""))
    if isinstance(text, Scalar) and text.kind in ("int", "float"):
        # An unquoted YAML number an editor reads as such (1e3, .5, +5): exact all the same.
        try:
            return Decimal(text)
        except InvalidOperation:  # 0x1F, .inf: numbers, but not amounts
            pass
    if re.match(r"^-?[\d,]+(\.\d+)?$", text) and len(text.split(".")[0].lstrip("-").replace(",", "")) > 15:
        raise PydanticCustomError("jx_amount", "「{text}」超出金额范围（万元），请核对", {"text": text})
    raise PydanticCustomError(
        "jx_amount", "「{text}」不是金额，应为万元数字，如 9830.96 或 \"9,830.96\"", {"text": text}
    )


def parse_count(value: Any) -> int:
    if isinstance(value, bool):
        raise PydanticCustomError("jx_count", "应为整数")
    if isinstance(value, int):
        if not 0 <= value <= COUNT_LIMIT:
            raise PydanticCustomError("jx_count", "「{text}」不是合理的非负整数", {"text": str(value)})
        return value
    if isinstance(value, str):
        text = str(value)
        if re.match(COUNT_PATTERN, text):
            return int(text.replace(",", ""))
        if re.match(r"^0\d+$", text):
            # YAML 1.1 reads 010 as octal 8: refuse rather than guess which was meant.
            raise PydanticCustomError(
                "jx_count", "「{text}」以 0 开头，含义不明（YAML 1.1 会读作八进制），请去掉前导 0", {"text": text}
            )
        if re.match(r"^[1-9]\d{9,}$", text):
            raise PydanticCustomError("jx_count", "「{text}」不是合理的非负整数（位数过多）", {"text": text})
        raise PydanticCustomError("jx_count", "「{text}」不是非负整数", {"text": text})
    raise PydanticCustomError("jx_count", "应为非负整数")


def parse_year(value: Any) -> int:
    if isinstance(value, str) and not re.match(r"^\d+$", value):
        raise PydanticCustomError("jx_year", "「{text}」不是年份，应写成四位数字，如 2024", {"text": str(value)})
    return parse_count(value)


class Scalar(str):
    """A YAML scalar's text, with the type YAML 1.2 (as editors read it) would give an unquoted one."""

    kind: str = "str"

    def __new__(cls, text: str, kind: str = "str"):
        obj = super().__new__(cls, text)
        obj.kind = kind
        return obj


def parse_value_text(value: Any) -> str:
    if isinstance(value, Scalar) and value.kind == "bool":
        raise PydanticCustomError(
            "jx_text", "「{text}」会被读成布尔值；这里应为指标值，请加引号，如 \"{text}\"", {"text": str(value)}
        )
    if isinstance(value, str):
        return str(value)
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return str(value)
    raise PydanticCustomError("jx_text", "应为文字，不能是列表或映射")


def parse_text(value: Any) -> str:
    # Prose fields must be text; an unquoted 2024 or true is typed by editors as a number or
    # boolean, so it is refused here as the JSON Schema refuses it there.
    if isinstance(value, Scalar) and value.kind != "str":
        raise PydanticCustomError(
            "jx_text", "「{text}」会被读成{kind}；这里应为文字，请加引号，如 \"{text}\"",
            {"text": str(value), "kind": {"bool": "布尔值", "int": "数字", "float": "数字"}[value.kind]},
        )
    if isinstance(value, str):
        return str(value)
    raise PydanticCustomError("jx_text", "应为文字，不能是数字、列表或映射")


def parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", value)
        if match:
            try:
                return dt.date(*map(int, match.groups()))
            except ValueError:
                pass
    raise PydanticCustomError("jx_date", "「{text}」不是日期，应写成 2024-01-31", {"text": str(value)})


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("jx_blank", "不能为空")
    return value


_amount_schema = {
    "anyOf": [
        {"type": "number", "exclusiveMinimum": -AMOUNT_LIMIT, "exclusiveMaximum": AMOUNT_LIMIT},
        {"type": "string", "pattern": AMOUNT_PATTERN},
    ],
}
_count_schema = {
    "anyOf": [
        {"type": "integer", "minimum": 0, "maximum": COUNT_LIMIT},
        {"type": "string", "pattern": COUNT_PATTERN},
    ],
}
_text_schema = {"type": "string"}
_value_schema = {"type": ["string", "number"]}

Amount = Annotated[Decimal, BeforeValidator(parse_amount), WithJsonSchema(_amount_schema)]
Count = Annotated[int, BeforeValidator(parse_count), WithJsonSchema(_count_schema)]
Text = Annotated[str, BeforeValidator(parse_text), WithJsonSchema(_text_schema)]
ValueText = Annotated[str, BeforeValidator(parse_value_text), WithJsonSchema(_value_schema)]
RequiredText = Annotated[
    str, BeforeValidator(parse_text), AfterValidator(_not_blank), WithJsonSchema({**_text_schema, "pattern": r"\S"})
]
Year = Annotated[
    int,
    BeforeValidator(parse_year),
    Field(ge=2000, le=2100),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 2000, "maximum": 2100},
                {"type": "string", "pattern": r"^(20\d\d|2100)$"},
            ]
        }
    ),
]
Date = Annotated[
    dt.date,
    BeforeValidator(parse_date),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$"}),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Department(Strict):
    name: RequiredText = Field(title="部门名称", description="全称，如 广州市南沙区东涌镇人民政府")
    id: Annotated[str, Field(pattern=ID_PATTERN), BeforeValidator(parse_text)] = Field(
        title="部门标识",
        description="小写字母、数字和连字符，用作文件名和网址，如 nansha-dongchong；应与 YAML 文件名一致",
    )


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


class Indicator(Strict):
    level3: RequiredText = Field(title="三级指标")
    period_value: Optional[ValueText] = Field(None, title="实施周期指标值", description="照申报原文，如 ≥ 90%")
    annual_value: Optional[ValueText] = Field(None, title="年度指标值", description="照申报原文，如 ≥ 90%")
    value: Optional[ValueText] = Field(None, title="指标值", description="只有一个指标值列的表格用它，代替前两项")

    @model_validator(mode="after")
    def _one_column_scheme(self) -> "Indicator":
        two = self.period_value is not None or self.annual_value is not None
        if two and self.value is not None:
            raise PydanticCustomError(
                "jx_values", "value 与 period_value/annual_value 只能二选一：单列表用 value，双列表用后两者"
            )
        if not two and self.value is None:  # a single missing one of the two is a J305 finding
            raise PydanticCustomError("jx_values", "缺少指标值：写 period_value 和 annual_value（或单列表的 value）")
        return self

    @property
    def single_column(self) -> bool:
        return self.value is not None


class IndicatorGroup(Strict):
    level2: RequiredText = Field(title="二级指标", description="如 数量指标、质量指标、社会效益指标")
    items: list[Indicator] = Field(title="三级指标列表", min_length=1)


class IndicatorCategory(Strict):
    level1: RequiredText = Field(title="一级指标", description="产出指标、效益指标、满意度指标、成本指标")
    groups: list[IndicatorGroup] = Field(title="二级指标列表", min_length=1)


class Filing(Strict):
    unit: Optional[Text] = Field(None, title="填报单位（盖章）")
    head: Optional[Text] = Field(None, title="单位负责人")
    preparer: Optional[Text] = Field(None, title="填报人")
    phone: Optional[ValueText] = Field(None, title="联系电话")
    date: Optional[Date] = Field(None, title="填报日期", description="2024-01-31")


class Declaration(Strict):
    """One department's declaration for one budget year."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="部门整体预算绩效目标申报表",
        json_schema_extra={"description": "jixiao 申报文件：declarations/<年度>/<部门标识>.yaml"},
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
        return any(item.single_column for cat in self.indicators for g in cat.groups for item in g.items)

    def indicator_rows(self):
        """Yield (path, category, group, indicator) for every 三级指标, in order."""
        for ci, cat in enumerate(self.indicators):
            for gi, group in enumerate(cat.groups):
                for ii, item in enumerate(group.items):
                    yield (ci, gi, ii), cat, group, item


Path_ = tuple  # a field path: ('tasks', 2, 'funds')


def format_path(path: Path_) -> str:
    """('tasks', 2, 'funds') → 'tasks[3].funds（拟投入的资金（万元））': list positions count from 1."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    label = field_label(path)
    return f"{out}（{label}）" if out and label else out


def _field_info(path: Path_):
    """Walk the model along `path`; return the pydantic FieldInfo of the last named part, if any."""
    model: Any = Declaration
    info = None
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        info = model.model_fields[part]
        model = _inner_model(info.annotation)
    return info


def _inner_model(annotation: Any):
    """list[Task] → Task, Optional[Filing] → Filing; anything else as it is."""
    for arg in typing.get_args(annotation) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
        inner = _inner_model(arg)
        if isinstance(inner, type) and issubclass(inner, BaseModel):
            return inner
    return annotation


def field_label(path: Path_) -> str:
    info = _field_info(path)
    return (info.title or "") if info else ""


def model_at(path: Path_):
    model: Any = Declaration
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return None
        model = _inner_model(model.model_fields[part].annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _draft7_refs(node: Any) -> Any:
    """Draft-07 ignores keywords beside $ref, so a field's title and description go beside an allOf."""
    if isinstance(node, list):
        return [_draft7_refs(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _draft7_refs(value) for key, value in node.items()}
    if "$ref" in node and len(node) > 1:
        node = {"allOf": [{"$ref": node.pop("$ref")}], **node}
    return node


def json_schema() -> dict:
    """Draft-07, the newest draft VS Code's YAML extension fully supports."""
    schema = Declaration.model_json_schema(ref_template="#/definitions/{model}")
    schema["definitions"] = schema.pop("$defs")
    return {"$schema": "http://json-schema.org/draft-07/schema#", **_draft7_refs(schema)}
