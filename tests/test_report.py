"""`jixiao validate --format github|json|sarif`: the same findings where people edit — pull requests,
other programs, code scanning. The text format's own tests are in test_cli.py."""

from __future__ import annotations

import json
import re
import shutil

import pytest

from generator.core.registry import all_codes
from generator.core.problems import Problem, Severity
from generator.report import escape_data, escape_property, github_line

from test_cli import README, SEED, jixiao, line_of, lines

CODES = all_codes()  # the forms' own codes too: importing the registry loads no form


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """A folder with a broken declaration (an error) and the seed (a warning), and the text output for it."""
    folder = tmp_path_factory.mktemp("report")
    target = folder / "declarations" / "2024" / "broken.yaml"
    target.parent.mkdir(parents=True)
    broken = SEED.read_text(encoding="utf-8").replace("staff_count: 244 ", "staff_count: 二百四十四")
    target.write_text(broken.replace("id: nansha-dongchong", "id: broken"), "utf-8")
    shutil.copy(SEED, target.parent / SEED.name)
    text = jixiao("validate", cwd=folder)
    assert text.returncode == 1
    return folder, target, text


def run(folder, *args):
    return jixiao("validate", *args, cwd=folder)


def test_every_format_keeps_the_exit_status(broken, tmp_path):
    folder, _, _ = broken
    shutil.copy(SEED, tmp_path / SEED.name)
    for output_format in ("text", "github", "json", "sarif"):
        assert run(folder, "--format", output_format).returncode == 1, output_format
        assert run(tmp_path, "--format", output_format, SEED.name).returncode == 0, output_format  # a warning only
        assert run(tmp_path, "--format", output_format, "--strict", SEED.name).returncode == 1, output_format


def test_github_annotations_point_at_the_line_and_column(broken):
    folder, target, text = broken
    result = run(folder, "--format", "github")
    assert result.stderr == ""
    staff = line_of(target, "staff_count:")
    income = line_of(SEED, "{label: 财政拨款")
    assert lines(result.stdout) == [
        f"::error file=declarations/2024/broken.yaml,line={staff},col=16,title=J011 {escape_property(CODES['J011'].title)}"
        "::basic_info.staff_count（财政供养人员数）: 「二百四十四」不是非负整数",
        f"::warning file=declarations/2024/{SEED.name},line={income},col=5,title=J202 {escape_property(CODES['J202'].title)}"
        "::budget.income（收入来源）: 收入来源合计 96,600.20 万元，比部门预算支出合计 92,967.09 万元多 3,633.11 万元",
        lines(text.stdout)[-1],  # the summary, a plain log line
    ]


def test_github_escapes_data_and_properties_as_the_runner_reads_them():
    assert escape_data("100% done\r\nnext: a, b") == "100%25 done%0D%0Anext: a, b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    problem = Problem("dir,x/a:b.yaml", 3, 7, "J001", Severity.ERROR, "", "第一行\n第二行 50%")
    line = github_line(problem)
    assert line.startswith("::error file=dir%2Cx/a%3Ab.yaml,line=3,col=7,title=J001 ")
    assert line.endswith("::第一行%0A第二行 50%25")
    # Nothing in the properties can end the command early or start a new property.
    properties = line[len("::error ") : line.index("::", 2)]
    assert [part.split("=")[0] for part in properties.split(",")] == ["file", "line", "col", "title"]
    assert "\n" not in line and "\r" not in line


def test_json_report_has_the_documented_fields(broken):
    folder, target, text = broken
    result = run(folder, "--format", "json")
    report = json.loads(result.stdout)
    assert set(report) == {"version", "files", "errors", "warnings", "problems"}
    assert (report["version"], report["files"], report["errors"], report["warnings"]) == (1, 2, 1, 1)
    first = report["problems"][0]
    assert first == {
        "file": "declarations/2024/broken.yaml",
        "line": line_of(target, "staff_count:"),
        "column": 16,
        "code": "J011",
        "severity": "error",
        "field": "basic_info.staff_count（财政供养人员数）",
        "message": "「二百四十四」不是非负整数",
        "title": CODES["J011"].title,
    }
    assert [p["severity"] for p in report["problems"]] == ["error", "warning"]
    # The same findings as the text, in the same order.
    assert [f"{p['file']}:{p['line']}:{p['column']}" for p in report["problems"]] == [
        line.split(": ")[0] for line in lines(text.stdout)[:-1]
    ]


def check_sarif(log: dict) -> None:
    """The properties SARIF 2.1.0 requires (and GitHub code scanning reads), checked by hand."""
    assert log["version"] == "2.1.0"
    assert isinstance(log["runs"], list) and log["runs"]
    for sarif_run in log["runs"]:
        driver = sarif_run["tool"]["driver"]
        assert isinstance(driver["name"], str) and driver["name"]
        rules = driver.get("rules", [])
        ids = [rule["id"] for rule in rules]
        assert len(ids) == len(set(ids))
        for rule in rules:
            assert isinstance(rule["id"], str) and rule["shortDescription"]["text"]
            assert rule["defaultConfiguration"]["level"] in ("none", "note", "warning", "error")
        for result in sarif_run["results"]:
            assert isinstance(result["message"]["text"], str) and result["message"]["text"]
            assert result["level"] in ("none", "note", "warning", "error")
            assert result["ruleId"] in ids
            if "ruleIndex" in result:
                assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
            for location in result["locations"]:
                physical = location["physicalLocation"]
                assert isinstance(physical["artifactLocation"]["uri"], str)
                region = physical.get("region", {"startLine": 1})
                assert isinstance(region["startLine"], int) and region["startLine"] >= 1
                assert region.get("startColumn", 1) >= 1


def test_sarif_report_is_sarif_with_the_catalogue_as_rules(broken):
    folder, target, _ = broken
    log = json.loads(run(folder, "--format", "sarif").stdout)
    check_sarif(log)
    [sarif_run] = log["runs"]
    rules = {rule["id"]: rule["shortDescription"]["text"] for rule in sarif_run["tool"]["driver"]["rules"]}
    assert rules == {code: entry.title for code, entry in CODES.items()}
    first, second = sarif_run["results"]
    assert (first["ruleId"], first["level"], second["ruleId"], second["level"]) == ("J011", "error", "J202", "warning")
    assert first["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "declarations/2024/broken.yaml"},
        "region": {"startLine": line_of(target, "staff_count:"), "startColumn": 16},
    }
    assert first["message"]["text"] == "basic_info.staff_count（财政供养人员数）: 「二百四十四」不是非负整数"


def test_sarif_of_a_clean_run_has_no_results(tmp_path):
    shutil.copy(SEED, tmp_path / SEED.name)
    log = json.loads(run(tmp_path, "--format", "sarif", "--strict", SEED.name).stdout)
    check_sarif(log)
    assert [r["level"] for r in log["runs"][0]["results"]] == ["error"]  # --strict: the warning counts as an error


def test_readme_documents_the_formats_and_every_json_field():
    section = README[README.index("### `jixiao validate") : README.index("### `jixiao new")]
    for output_format in ("github", "json", "sarif"):
        assert f"--format {output_format}" in section
    documented = set(re.findall(r"^\s*\| `(\w+)` \|", section, re.M))
    from generator.report import problem_record

    record = problem_record(Problem("a.yaml", 1, 1, "J001", Severity.ERROR, "", "x"))
    assert set(record) | {"version", "files", "errors", "warnings", "problems"} <= documented
