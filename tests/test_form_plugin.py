"""A fifth form, defined here and nowhere else, taken through validate, new, schema, PDF, site, xlsx
export and import, the desk and scoring: adding a form is its folder (here a temporary one) and one
registration, with no shared module touched."""

from __future__ import annotations

import json
import re
import subprocess
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Literal

import pytest
from click.testing import CliRunner
from pydantic import ConfigDict, Field

from generator.cli import cli
from generator.core import registry
from generator.core.catalogue import WARNING, Code
from generator.core.fields import Amount, Department, Id, RequiredText, Strict, Year
from generator.core.form import Column, Form, Scorecard, Table
from generator.excel.read import SheetReader
from generator.excel.yaml_style import header, scalar

KIND = "meeting-note"


class Meeting(Strict):
    name: RequiredText = Field(title="会议名称")
    id: Id = Field(title="会议标识")


class MeetingNote(Strict):
    """Its own fields: the meeting, what was decided, and a rating the form scores."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="绩效工作会议纪要")
    form: Literal["meeting-note"] = Field(title="表的种类")
    year: Year = Field(title="年度")
    department: Department = Field(title="部门")
    meeting: Meeting = Field(title="会议")
    rating: Amount = Field(title="会议评分")
    decision: RequiredText = Field(title="会议决定", description="Markdown")


def check_decision_is_long_enough(loaded):
    if len(loaded.declaration.decision) < 8:
        yield loaded.report("J901", ("decision",), length=len(loaded.declaration.decision))


FORM_HTML = """<article class="form" lang="zh-CN">
<header class="form-head"><h1 class="form-title">{{ form_title }}</h1><p class="form-year">（{{ d.year }}年度）</p></header>
<table class="form-table"><tbody>
<tr><th scope="row">{{ L("meeting.name") }}</th><td>{{ d.meeting.name }}</td></tr>
<tr><th scope="row">{{ L("decision") }}</th><td class="prose">{{ d.decision | markdown }}</td></tr>
</tbody></table>
</article>
"""
SKELETON = """# yaml-language-server: $schema={{ schema }}
form: {{ kind }}
year: {{ year }}
department:
  name: {{ department_name }}
  id: {{ dept_id }}
meeting:
  name: {{ name }}
  id: {{ ident }}
rating:          # 会议评分
decision:        # 会议决定
"""
LABELS = {"department": "部门名称", "meeting": "会议名称", "rating": "会议评分", "decision": "会议决定"}


def write_sheet(doc, worksheet) -> None:
    worksheet.cell(1, 1, "绩效工作会议纪要")
    worksheet.cell(2, 1, f"（{doc.year}年度）")
    values = (doc.department.name, doc.meeting.name, f"{doc.rating}", doc.decision)
    for row, (label, value) in enumerate(zip(LABELS.values(), values), 3):
        worksheet.cell(row, 1, label)
        worksheet.cell(row, 2, value)


def read_sheet(grid):
    reader = SheetReader(grid)
    if not recognise(grid):
        return None, reader.placement, []

    def value(key: str) -> str:
        at = reader.need(LABELS[key], key)
        return reader.take(at[0], at[1] + 1) if at else ""

    year = next((int(m.group(1)) for r, c in grid.filled() if (m := re.fullmatch(r"（(\d{4})年度）", grid.text(r, c)))), None)
    for r, c in grid.filled():
        if grid.text(r, c) in ("绩效工作会议纪要", f"（{year}年度）"):
            reader.take(r, c)
    data = {
        "year": year, "department": {"name": value("department"), "id": ""}, "meeting": {"name": value("meeting"), "id": ""},
        "rating": value("rating"), "decision": value("decision"),
    }
    reader.finish()
    return data, reader.placement, reader.problems


def recognise(grid) -> int:
    return 2 if grid.find(LABELS["decision"]) and grid.find(LABELS["meeting"]) else 0


def to_yaml(data, note, schema_path) -> str:
    lines = header(schema_path, note) + [
        "form: meeting-note", f"year: {data['year']}",
        "department:", f"  name: {scalar(data['department']['name'])}", f"  id: {data['department']['id']}",
        "meeting:", f"  name: {scalar(data['meeting']['name'])}", f"  id: {data['meeting']['id']}",
        f"rating: {data['rating']}", f"decision: {scalar(data['decision'])}",
    ]
    return "\n".join(lines) + "\n"


SHEET = SimpleNamespace(
    sheet_title=lambda doc: doc.meeting.name, write_sheet=write_sheet, recognise=recognise, read_sheet=read_sheet, to_yaml=to_yaml,
)


def scorecard(doc) -> Scorecard:
    return Scorecard(doc.rating, "优" if doc.rating >= 90 else "良" if doc.rating >= 80 else "中", None)


@pytest.fixture
def meeting_note(tmp_path):
    folder = tmp_path / "meeting_note"
    folder.mkdir()
    (folder / "form.html").write_text(FORM_HTML, encoding="utf-8")
    (folder / "skeleton.yaml").write_text(SKELETON, encoding="utf-8")
    form = Form(
        kind=KIND,
        model=MeetingNote,
        folder=folder,
        path="{year}/{department}/meetings/{id}",
        id_path=("meeting", "id"),
        name=lambda d: d.meeting.name,
        rules=(check_decision_is_long_enough,),
        codes=(Code("J901", WARNING, "会议决定过短", "会议决定只有 {length} 个字，请写清楚"),),
        tables=lambda d: [Table("decision", "会议决定", ["年度", "会议决定"], [[d.year, d.decision]])],
        columns=(Column("字数", lambda d: str(len(d.decision))),),
        sheet=SHEET,
        scope="department",
        figures=lambda d: {"meetings": Decimal(1)},
        scorecard=scorecard,
        breakdown=lambda d: [f"{d.meeting.name}：会议评分 {d.rating}（{scorecard(d).grade}）"],
    )
    registry.register(form)
    yield form
    registry.unregister(KIND)


def write(root: Path, decision: str, extra: str = "") -> Path:
    path = root / "declarations" / "2024" / "test-bureau" / "meetings" / "spring.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        "form: meeting-note\nyear: 2024\ndepartment:\n  name: 测试区财政局\n  id: test-bureau\n"
        f"meeting:\n  name: 春季绩效工作会议\n  id: spring\nrating: 92.5\ndecision: {decision}\n{extra}",
        encoding="utf-8",
    )
    return path


DECISION = "各部门于三月底前报送项目支出绩效目标，财政局四月集中审核并公开。"


def test_a_registered_form_validates_with_its_own_rules_and_codes(meeting_note, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "报送目标")
    result = CliRunner().invoke(cli, ["validate", "declarations"])
    assert result.output.splitlines() == [
        "declarations/2024/test-bureau/meetings/spring.yaml:10:11: 警告 J901: decision（会议决定）: 会议决定只有 4 个字，请写清楚",
        "检查了 1 个申报文件：0 个错误，1 个警告",
    ]
    assert result.exit_code == 0
    # Its fields are checked by its model, with the same Chinese messages as every form.
    write(tmp_path, DECISION, extra="decison: x\n")
    result = CliRunner().invoke(cli, ["validate", "declarations"])
    assert "错误 J012: decison: 未知字段「decison」，你是不是想写「decision」？" in result.output
    assert result.exit_code == 1


def test_a_registered_form_is_known_to_new_and_schema(meeting_note, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    made = CliRunner().invoke(cli, ["new", "--form", KIND, "--year", "2025", "--id", "test-bureau", "--name", "测试区财政局"])
    assert made.exit_code == 0, made.output
    written = tmp_path / "declarations/2025/test-bureau/meetings/test-bureau.yaml"
    assert written.read_text(encoding="utf-8").splitlines()[1:6] == [
        "form: meeting-note", "year: 2025", "department:", "  name: 测试区财政局", "  id: test-bureau",
    ]
    schema = CliRunner().invoke(cli, ["schema", "--form", KIND])
    assert '"decision"' in schema.output and '"const": "meeting-note"' in schema.output


def test_a_registered_form_becomes_a_pdf_and_a_page(meeting_note, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, DECISION)
    built = CliRunner().invoke(cli, ["build", "site", "declarations"])
    assert built.exit_code == 0, built.output
    pdf = tmp_path / "output/pdf/2024/test-bureau/meetings/spring.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squashed = "".join(text.split())
    assert "绩效工作会议纪要" in squashed and "会议决定" in squashed and DECISION in squashed
    page = tmp_path / "output/site/2024/test-bureau/meetings/spring/index.html"
    html = page.read_text(encoding="utf-8")
    assert DECISION in html and "春季绩效工作会议" in html
    assert (page.parent / "spring-decision.csv").read_text(encoding="utf-8-sig").splitlines()[1] == f"2024,{DECISION}"
    year_page = (tmp_path / "output/site/2024/index.html").read_text(encoding="utf-8")
    assert "meetings/spring/index.html" in year_page  # the year lists it
    across_years = (tmp_path / "output/site/test-bureau/index.html").read_text(encoding="utf-8")
    assert "2024/test-bureau/meetings/spring/index.html" in across_years


def test_a_registered_form_goes_to_a_workbook_and_back(meeting_note, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    original = write(tmp_path, DECISION)
    built = CliRunner().invoke(cli, ["build", "xlsx", "declarations"])
    assert built.exit_code == 0, built.output
    books = sorted((tmp_path / "output/xlsx/2024").rglob("*.xlsx"))
    own = [book for book in books if not book.name.startswith("jixiao-")]
    assert own, books
    imported = CliRunner().invoke(cli, ["import", str(own[0]), "--id", "spring", "--out", "imported"])
    assert imported.exit_code == 0, imported.output
    [back] = (tmp_path / "imported").rglob("spring.yaml")
    assert back.relative_to(tmp_path / "imported").parts[0] == "2024"
    from generator.input.load import load_file

    before, after = load_file(original).declaration, load_file(back).declaration
    assert after is not None, load_file(back).problems
    assert after.model_dump(exclude={"department"}) == before.model_dump(exclude={"department"})
    assert after.department.name == before.department.name


def test_a_registered_form_is_on_the_desk_and_scored(meeting_note, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, DECISION)
    desk = CliRunner().invoke(cli, ["review", "declarations", "--format", "json"])
    assert desk.exit_code == 0, desk.output
    [year] = json.loads(desk.output)["years"]
    [department] = year["departments"]
    assert department["id"] == "test-bureau"
    assert [(f["form"], f["title"], f["status"]) for f in department["forms"]] == [(KIND, "绩效工作会议纪要", "合格")]
    scored = CliRunner().invoke(cli, ["score", "declarations"])
    assert scored.exit_code == 0, scored.output
    assert scored.output.splitlines() == ["春季绩效工作会议：会议评分 92.5（优）"]
