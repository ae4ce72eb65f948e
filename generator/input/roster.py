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
        default_factory=_owed_by_default, title="应报的表",
        description="应报的表（form 的值），默认为部门整体预算绩效目标申报表；自评表默认只在已结束的年度（名册的 closed_through，或最新年度之前的各年）应报",
    )
    owes_in: dict[RequiredText, list[Year]] = Field(
        {}, title="按年度应报的表", description="某种表只在这些年度应报，如 某种自评表: [2023, 2024]（代替默认规则）"
    )
    since: Optional[Year] = Field(None, title="起始年度", description="从哪一年起在名册中（可省略）")
    until: Optional[Year] = Field(None, title="截止年度", description="到哪一年为止（可省略，如撤并的部门）")

    @field_validator("owes", "owes_in")
    @classmethod
    def _known_forms(cls, value):
        from pydantic_core import PydanticCustomError

        for kind in value:
            if kind not in registry.forms():
                raise PydanticCustomError(
                    "jx_form", "「{kind}」不是已知的表；可写的有：{known}", {"kind": kind, "known": "、".join(registry.forms())}
                )
        return value

    def active(self, year: int) -> bool:
        return (self.since is None or self.since <= year) and (self.until is None or year <= self.until)

    def owed(self, year: int, closed_through: int) -> list[str]:
        """The forms owed for `year`: a self-evaluation only once the year has closed (year ≤
        closed_through), a form listed in owes_in only in its years."""
        kinds = [*self.owes, *(k for k in self.owes_in if k not in self.owes)]
        owed = []
        for kind in kinds:
            if kind in self.owes_in:
                due = year in self.owes_in[kind]
            else:
                due = registry.form(kind).is_target or year <= closed_through  # an evaluation once the year has closed
            if due:
                owed.append(kind)
        return owed


class Roster(Strict):
    model_config = ConfigDict(extra="forbid", frozen=True, title="部门名册")

    departments: list[RosterDepartment] = Field(title="部门", min_length=1)
    closed_through: Optional[Year] = Field(
        None, title="已结束的年度", description="自评表应报到哪一年为止（默认：申报中最新年度的前一年）"
    )


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
