"""Both self-evaluation forms check their funds as the target forms do: a row copied twice is J207,
each column of 其中 adds up to 年度资金总额 (J711, naming both sums and the gap), a source spent over
its budget is a warning (J712)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import line_of, replace_once
from generator.input.load import load_text
from generator.input.checks import run_checks
from generator.core.problems import Severity

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "examples" / "2024" / "nansha-dongchong"
FORMS = {
    "department": (FOLDER / "self-evaluation.yaml", "declarations/2024/nansha-dongchong/self-evaluation.yaml",
                   "    - {label: 其他资金, initial: 98.17, budget: 99.17, executed: 81.27}\n"),
    "project": (FOLDER / "projects" / "typical-town.self-evaluation.yaml",
                "declarations/2024/nansha-dongchong/projects/typical-town.self-evaluation.yaml",
                "    - {label: 其他资金, initial: 300.00, budget: 300.00, executed: 250.00}\n"),
}


def findings(text: str, display: str):
    loaded = load_text(text, display)
    assert loaded.declaration is not None, [p.format() for p in loaded.problems]
    return [p for p in run_checks(loaded) if p.code in ("J205", "J207", "J711", "J712")]


@pytest.mark.parametrize("form", FORMS)
def test_the_examples_funds_are_clean(form):
    path, display, _row = FORMS[form]
    assert findings(path.read_text(encoding="utf-8"), display) == []


@pytest.mark.parametrize("form", FORMS)
def test_a_row_copied_twice_is_refused_and_every_column_is_short(form):
    path, display, row = FORMS[form]
    text = replace_once(path.read_text(encoding="utf-8"), row, row + row)
    found = findings(text, display)
    by_code = {}
    for p in found:
        by_code.setdefault(p.code, []).append(p)
    [dup] = by_code["J207"]
    assert dup.severity is Severity.ERROR
    first = line_of(path.read_text(encoding="utf-8"), row.rstrip("\n"))
    assert dup.line == first + 1
    assert dup.message == f"资金来源「其他资金」重复（第 {dup.line - 1} 行已有）"
    sums = [p.message for p in by_code["J711"]]
    if form == "project":
        assert sums == [
            "年初预算数：资金总额 10,076.58，各行合计 10,376.58，相差 300.00 万元",
            "全年预算数（A）：资金总额 10,076.58，各行合计 10,376.58，相差 300.00 万元",
            "全年执行数（B）：资金总额 9,512.30，各行合计 9,762.30，相差 250.00 万元",
        ]
    else:
        assert sums == [
            "年初预算数：资金总额 92,967.09，各行合计 93,065.26，相差 98.17 万元",
            "全年预算数（A）：资金总额 93,480.26，各行合计 93,579.43，相差 99.17 万元",
            "全年执行数（B）：资金总额 90,612.48，各行合计 90,693.75，相差 81.27 万元",
        ]
    assert all(p.severity is Severity.ERROR for p in by_code["J711"])


def test_a_source_spent_over_its_budget_is_a_warning_naming_it():
    path, display, row = FORMS["project"]
    text = path.read_text(encoding="utf-8")
    text = replace_once(text, "{label: 其他资金, initial: 300.00, budget: 300.00, executed: 250.00}",
                        "{label: 其他资金, initial: 300.00, budget: 300.00, executed: 310.00}")
    text = replace_once(text, "executed: 9262.30}", "executed: 9202.30}")
    [found] = findings(text, display)
    assert (found.code, found.severity) == ("J712", Severity.WARNING)
    assert found.message == "「其他资金」全年执行数 310.00 万元超过全年预算数 300.00 万元，请说明原因"
    assert found.field.startswith("funds.sources[2].executed")


def test_a_negative_amount_and_a_single_column_gap():
    path, display, _row = FORMS["department"]
    text = replace_once(path.read_text(encoding="utf-8"), "initial: 0, budget: 81.09", "initial: -1, budget: 81.09")
    codes = [(p.code, p.message) for p in findings(text, display)]
    assert ("J205", "金额 -1.00 为负数") in codes
    assert ("J711", "年初预算数：资金总额 92,967.09，各行合计 92,966.09，相差 1.00 万元") in codes
    assert len(codes) == 2
