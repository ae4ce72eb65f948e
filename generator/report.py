"""`jixiao validate --format …`: the same findings as text, GitHub Actions annotations, JSON or SARIF.

Pure functions from problems to text; cli.py prints what they return.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from urllib.parse import quote

from generator import __version__
from generator.core.catalogue import CODES
from generator.core.problems import Problem

FORMATS = ("text", "github", "json", "sarif")
JSON_VERSION = 1  # raised only when a field of the JSON report changes meaning or goes away
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _counts(problems: list[Problem]) -> tuple[int, int]:
    errors = sum(p.is_error for p in problems)
    return errors, len(problems) - errors


def summary(problems: list[Problem], files: int) -> str:
    errors, warnings = _counts(problems)
    return f"检查了 {files} 个申报文件：{errors} 个错误，{warnings} 个警告"


def _title(code: str) -> str:
    entry = CODES.get(code)
    return entry.title if entry else ""


def _text_message(problem: Problem) -> str:
    return f"{problem.field}: {problem.message}" if problem.field else problem.message


def text(problems: list[Problem], files: int) -> str:
    return "".join(p.format() + "\n" for p in problems) + summary(problems, files) + "\n"


# ---- GitHub Actions workflow commands ------------------------------------------------------------
# https://docs.github.com/actions/reference/workflow-commands-for-github-actions; escaping as in
# actions/toolkit's command.ts: data escapes % CR LF, a property also : and , (they delimit properties).


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github_line(problem: Problem) -> str:
    properties = {"file": problem.file}
    if problem.where is None:  # a cell of a workbook has no line to point at
        properties["line"] = str(max(problem.line, 1))
        properties["col"] = str(max(problem.column, 1))
    properties["title"] = f"{problem.code} {_title(problem.code)}".strip()
    listed = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    return f"::{problem.severity.value} {listed}::{escape_data(_text_message(problem))}"


def github(problems: list[Problem], files: int) -> str:
    return "".join(github_line(p) + "\n" for p in problems) + summary(problems, files) + "\n"


# ---- JSON ----------------------------------------------------------------------------------------


def problem_record(problem: Problem) -> dict:
    return {
        "file": problem.file,
        "line": problem.line,
        "column": problem.column,
        "code": problem.code,
        "severity": problem.severity.value,
        "field": problem.field,
        "message": problem.message,
        "title": _title(problem.code),
    }


def json_report(problems: list[Problem], files: int) -> str:
    errors, warnings = _counts(problems)
    report = {
        "version": JSON_VERSION,
        "files": files,
        "errors": errors,
        "warnings": warnings,
        "problems": [problem_record(p) for p in problems],
    }
    return json.dumps(report, ensure_ascii=False, indent=2) + "\n"


# ---- SARIF 2.1.0 ---------------------------------------------------------------------------------


def _uri(file: str) -> str:
    path = PurePath(file)
    if path.is_absolute():
        return Path(file).as_uri()
    return quote(path.as_posix(), safe="/")


def sarif_log(problems: list[Problem], files: int) -> dict:
    from generator.core.registry import all_codes  # the forms (pydantic) only when SARIF is asked for

    codes = sorted(all_codes())
    index = {code: n for n, code in enumerate(codes)}
    rules = [
        {
            "id": code,
            "shortDescription": {"text": CODES[code].title},
            "defaultConfiguration": {"level": CODES[code].severity.value},
        }
        for code in codes
    ]
    results = []
    for problem in problems:
        location: dict = {"artifactLocation": {"uri": _uri(problem.file)}}
        if problem.where is None:
            location["region"] = {"startLine": max(problem.line, 1), "startColumn": max(problem.column, 1)}
        result = {
            "ruleId": problem.code,
            "level": problem.severity.value,  # --strict raises warnings to errors here too
            "message": {"text": _text_message(problem)},
            "locations": [{"physicalLocation": location}],
        }
        if problem.code in index:
            result["ruleIndex"] = index[problem.code]
        results.append(result)
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "jixiao", "version": __version__, "rules": rules}},
                "columnKind": "unicodeCodePoints",  # columns count characters, as the YAML reader does
                "results": results,
            }
        ],
    }


def sarif(problems: list[Problem], files: int) -> str:
    return json.dumps(sarif_log(problems, files), ensure_ascii=False, indent=2) + "\n"


RENDER = {"text": text, "github": github, "json": json_report, "sarif": sarif}
