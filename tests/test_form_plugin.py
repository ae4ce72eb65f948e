"""A third form, defined here and nowhere else, taken through validate, PDF and site: adding a form is
its folder (here a temporary one) and one register() call, with no shared module touched."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Literal

import pytest
from click.testing import CliRunner
from pydantic import ConfigDict, Field

from generator.core import registry
from generator.core.catalogue import WARNING, Code
from generator.cli import cli
from generator.core.fields import Department, RequiredText, Strict, Year
from generator.core.form import Column, Form, Table

KIND = "meeting-note"


class MeetingNote(Strict):
    """Two fields of its own: the year and what was decided."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="绩效工作会议纪要")
    form: Literal["meeting-note"] = Field(title="表的种类")
    year: Year = Field(title="年度")
    decision: RequiredText = Field(title="会议决定", description="Markdown")


OFFICE = Department(name="测试区财政局", id="test-bureau")


def check_decision_is_long_enough(loaded):
    if len(loaded.declaration.decision) < 8:
        yield loaded.report("J901", ("decision",), length=len(loaded.declaration.decision))


FORM_HTML = """<article class="form" lang="zh-CN">
<header class="form-head"><h1 class="form-title">{{ form_title }}</h1><p class="form-year">（{{ d.year }}年度）</p></header>
<table class="form-table"><tbody>
<tr><th scope="row">{{ L("decision") }}</th><td class="prose">{{ d.decision | markdown }}</td></tr>
</tbody></table>
</article>
"""
SKELETON = """# yaml-language-server: $schema={{ schema }}
form: {{ kind }}
year: {{ year }}
decision:        # 会议决定
"""


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
        id_path=("year",),
        name=lambda d: f"{d.year}年度绩效工作会议",
        department=lambda d: OFFICE,
        rules=(check_decision_is_long_enough,),
        codes=(Code("J901", WARNING, "会议决定过短", "会议决定只有 {length} 个字，请写清楚"),),
        tables=lambda d: [Table("decision", "会议决定", ["年度", "会议决定"], [[d.year, d.decision]])],
        columns=(Column("字数", lambda d: str(len(d.decision))),),
    )
    registry.register(form)
    yield form
    registry.unregister(KIND)


def write(root: Path, text: str) -> Path:
    path = root / "declarations" / "2024" / "test-bureau" / "meetings" / "2024.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(text, encoding="utf-8")
    return path


DECISION = "各部门于三月底前报送项目支出绩效目标，财政局四月集中审核并公开。"


def test_a_registered_form_validates_with_its_own_rules_and_codes(meeting_note, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "form: meeting-note\nyear: 2024\ndecision: 报送目标\n")
    result = CliRunner().invoke(cli, ["validate", "declarations"])
    assert result.output.splitlines() == [
        "declarations/2024/test-bureau/meetings/2024.yaml:3:11: 警告 J901: decision（会议决定）: 会议决定只有 4 个字，请写清楚",
        "检查了 1 个申报文件：0 个错误，1 个警告",
    ]
    assert result.exit_code == 0
    # Its fields are checked by its model, with the same Chinese messages as every form.
    (tmp_path / "declarations/2024/test-bureau/meetings/2024.yaml").write_text(
        "form: meeting-note\nyear: 2024\ndecison: x\n", encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["validate", "declarations"])
    assert "错误 J012: decison: 未知字段「decison」，你是不是想写「decision」？" in result.output
    assert result.exit_code == 1


def test_a_registered_form_is_known_to_new_and_schema(meeting_note, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    made = CliRunner().invoke(cli, ["new", "--form", KIND, "--year", "2025", "--id", "2025", "--department", "test-bureau"])
    assert made.exit_code == 0, made.output
    written = tmp_path / "declarations/2025/test-bureau/meetings/2025.yaml"
    assert written.read_text(encoding="utf-8").splitlines()[1:3] == ["form: meeting-note", "year: 2025"]
    schema = CliRunner().invoke(cli, ["schema", "--form", KIND])
    assert '"decision"' in schema.output and '"const": "meeting-note"' in schema.output


def test_a_registered_form_becomes_a_pdf_and_a_page(meeting_note, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, f"form: meeting-note\nyear: 2024\ndecision: {DECISION}\n")
    built = CliRunner().invoke(cli, ["build", "site", "declarations"])
    assert built.exit_code == 0, built.output
    pdf = tmp_path / "output/pdf/2024/test-bureau/meetings/2024.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    squashed = "".join(text.split())
    assert "绩效工作会议纪要" in squashed and "会议决定" in squashed and DECISION in squashed
    page = tmp_path / "output/site/2024/test-bureau/meetings/2024/index.html"
    html = page.read_text(encoding="utf-8")
    assert DECISION in html and "2024年度绩效工作会议" in html
    assert (page.parent / "2024-decision.csv").read_text(encoding="utf-8-sig").splitlines()[1] == f"2024,{DECISION}"
    year_page = (tmp_path / "output/site/2024/index.html").read_text(encoding="utf-8")
    assert "绩效工作会议纪要（1 份）" in year_page and "meetings/2024/index.html" in year_page
