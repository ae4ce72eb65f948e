"""The field types every form is made of: amounts (exact Decimal), counts, years, dates, text, ids."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError

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
    # defer_build: a model's validator is built when a file of its form is first read, so a
    # command that reads one form does not pay for building all the others (a tenth of a cold start).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


Id = Annotated[str, Field(pattern=ID_PATTERN), BeforeValidator(parse_text)]


def parse_year_or_date(value: Any) -> int | dt.date:
    """项目期 bounds: a year (2024) or a day (2024-03-01)."""
    if isinstance(value, str) and re.match(r"^\d{4}$", value):
        return parse_year(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        return parse_date(value)
    except PydanticCustomError:
        raise PydanticCustomError(
            "jx_date", "「{text}」既不是年份也不是日期，应写成 2024 或 2024-01-31", {"text": str(value)}
        ) from None


YearOrDate = Annotated[
    int | dt.date,
    BeforeValidator(parse_year_or_date),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 2000, "maximum": 2100},
                {"type": "string", "pattern": r"^(\d{4}|\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?)$"},
            ]
        }
    ),
]


class Department(Strict):
    name: RequiredText = Field(title="部门名称", description="全称，如 广州市南沙区东涌镇人民政府")
    id: Id = Field(
        title="部门标识",
        description="小写字母、数字和连字符，用作文件名和网址，如 nansha-dongchong；应与 YAML 文件名一致",
    )


def format_money(amount) -> str:
    """9830.96 → 9,830.96: thousands separators, two decimals, as the form prints amounts."""
    return f"{amount:,.2f}"


def format_amount(amount: Decimal) -> str:
    """An amount as written, at least two decimals: 12.5 → 12.50, 0.123456 → 0.123456 (some systems print six)."""
    places = max(2, -amount.as_tuple().exponent) if isinstance(amount.as_tuple().exponent, int) else 2
    return f"{amount:,.{places}f}"


def format_total(amount: Decimal) -> str:
    """A computed sum: its significant decimals, at least two (421.910000 + 20.5 → 442.41)."""
    exponent = amount.normalize().as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    return f"{amount:,.{places}f}"


def format_score(value: Decimal | None) -> str:
    """A score or 分值 as printed: rounded half-up to two places ('' when there is none)."""
    return "" if value is None else str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def format_rate(rate: Decimal | None) -> str:
    """A rate (0.9615) as a percentage with two places: 96.15%."""
    return "" if rate is None else f"{format_score(rate * 100)}%"
