"""The bureau's roster, declarations/departments.yaml: which departments there are and which forms
each owes a year. Optional; validated like a declaration (positions, Chinese messages)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from pydantic import ConfigDict, Field, ValidationError, field_validator

from generator.core import registry
from generator.core.catalogue import ERROR
from generator.core.fields import Id, RequiredText, Strict, Year



def _owed_by_default() -> list[str]:
    """The forms every department owes every year unless the roster says otherwise (Form.owed)."""
    return [form.kind for form in registry.forms().values() if form.owed]


class RosterDepartment(Strict):
    id: Id = Field(title="部门标识", description="与申报文件的部门标识相同")
    name: RequiredText = Field(title="部门名称")
    level: Optional[RequiredText] = Field(None, title="层级", description="如 镇本级、区直")
    owes: list[RequiredText] = Field(
        default_factory=_owed_by_default, title="应报的表", description="每年应报的表（form 的值），默认为部门整体预算绩效目标申报表"
    )
    since: Optional[Year] = Field(None, title="起始年度", description="从哪一年起在名册中（可省略）")
    until: Optional[Year] = Field(None, title="截止年度", description="到哪一年为止（可省略，如撤并的部门）")

    @field_validator("owes")
    @classmethod
    def _known_forms(cls, value: list[str]) -> list[str]:
        from pydantic_core import PydanticCustomError

        for kind in value:
            if kind not in registry.forms():
                raise PydanticCustomError(
                    "jx_form", "「{kind}」不是已知的表；可写的有：{known}", {"kind": kind, "known": "、".join(registry.forms())}
                )
        return value

    def active(self, year: int) -> bool:
        return (self.since is None or self.since <= year) and (self.until is None or year <= self.until)


class Roster(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, title="部门名册")

    departments: list[RosterDepartment] = Field(title="部门", min_length=1)


def load_roster(path: Path):
    """(the roster or None, problems): parsed with the same positioned loader as declarations."""
    from generator.input.load import LoadedDocument, _validation_problems
    from generator.input.parse import parse

    loaded = LoadedDocument(path=path, display=str(path), schema_model=Roster)
    data = path.read_bytes()
    if not parse(data, loaded):
        return None, loaded.problems
    if not isinstance(loaded.data, dict):
        loaded.problems.append(loaded.problem("J011", ERROR, (), "名册的顶层应为映射：departments: [...]"))
        return None, loaded.problems
    try:
        return Roster.model_validate(loaded.data), loaded.problems
    except ValidationError as exc:
        return None, loaded.problems + _validation_problems(exc, loaded)
