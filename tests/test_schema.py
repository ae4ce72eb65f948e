"""The JSON Schema editors use, checked against the loader: where one refuses a file, so does the other."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from generator.cli import cli
from generator.core.fieldpath import format_path
from generator.input.load import load_file, load_text
from generator.scaffold.schema import json_schema

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "declarations" / "2024" / "nansha-dongchong.yaml"
SCHEMA_FILE = ROOT / "declarations" / "declaration.schema.json"
CORPUS = ROOT / "tests" / "corpus" / "broken"

SCHEMA = json_schema()
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
SCHEMA_CODES = {"J010", "J011", "J012"}  # missing, wrong type or form, unknown key: what a schema can say

# Broken cases whose mistake a JSON Schema can see once the file is read as YAML: types, forms,
# missing and unknown keys. Left out: syntax, encodings and YAML 1.1 traps (the schema only sees the
# data after parsing), and these two:
NOT_EXPRESSIBLE = {
    "type-bad-date.yaml": "2024-02-30 has the form of a date; only a calendar knows it is not one",
    "type-value-and-period-value.yaml": "one indicator with both value schemes: a rule across fields",
    "unknown-key-fullwidth-indent.yaml": "full-width spaces in the indentation: a typing mistake found in the text, not a field",
}
EXPRESSIBLE = sorted(
    p.name
    for p in CORPUS.glob("*.yaml")
    if p.name.startswith(("type-", "missing-", "unknown-key-")) and p.name not in NOT_EXPRESSIBLE
)


def as_json(data):
    """What a YAML-aware editor hands the schema: keys and dates as text."""
    if isinstance(data, dict):
        return {str(key): as_json(value) for key, value in data.items()}
    if isinstance(data, list):
        return [as_json(value) for value in data]
    if isinstance(data, (dt.date, dt.datetime)):
        return data.isoformat()
    return data


def schema_errors(data) -> list[str]:
    """Where the schema refuses `data`, as the loader prints field paths (without the labels).

    A missing or unknown key is placed at the key, as the loader places it, not at its mapping.
    """
    found = set()
    for error in VALIDATOR.iter_errors(as_json(data)):
        path = tuple(error.absolute_path)
        if error.validator == "required":
            keys = [key for key in error.validator_value if key not in error.instance]
        elif error.validator == "additionalProperties":
            keys = [key for key in error.instance if key not in error.schema.get("properties", {})]
        else:
            keys = [None]
        found.update(format_path(None, path if key is None else path + (key,)) for key in keys)
    return sorted(found)


def loader_errors(loaded) -> list[str]:
    return sorted({p.field.split("（")[0] for p in loaded.problems if p.is_error and p.code in SCHEMA_CODES})


def test_schema_is_a_valid_draft_07_schema():
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    jsonschema.Draft7Validator.check_schema(SCHEMA)


def test_schema_file_is_what_jixiao_schema_prints():
    result = CliRunner().invoke(cli, ["schema"], catch_exceptions=False)
    assert result.exit_code == 0
    assert json.loads(result.stdout) == SCHEMA
    assert SCHEMA_FILE.read_text(encoding="utf-8") == result.stdout, "run `make schema` and commit the file"


def test_schema_and_loader_accept_the_seed():
    assert schema_errors(yaml.safe_load(SEED.read_text(encoding="utf-8"))) == []
    assert load_file(SEED).problems == []


TEXT, MAPPING, LIST = "text", "mapping", "list"
FIELDS = {
    "title": TEXT,
    "year": "year",
    "department": MAPPING,
    "basic_info": MAPPING,
    "budget": MAPPING,
    "overall_goal": TEXT,
    "tasks": LIST,
    "other_tasks": TEXT,
    "indicators": LIST,
    "filing": MAPPING,
}
WRONG = {
    TEXT: {"number": 2024, "bool": True, "list": ["文字"], "mapping": {"文字": "文字"}},
    "year": {"bool": True, "list": [2024], "mapping": {"year": 2024}, "text": "二〇二四", "decimal": 2024.5},
    MAPPING: {"number": 1, "bool": False, "list": ["文字"], "text": "文字"},
    LIST: {"number": 1, "bool": True, "mapping": {"name": "文字"}, "text": "文字"},
}
REPLACEMENTS = [
    pytest.param(field, value, id=f"{field}-{kind}")
    for field, shape in FIELDS.items()
    for kind, value in WRONG[shape].items()
]


@pytest.mark.parametrize("field, value", REPLACEMENTS)
def test_wrong_type_of_a_top_level_field_is_refused_by_both(field, value):
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    data[field] = value
    assert schema_errors(data) == [field]
    loaded = load_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "d.yaml")
    assert [(p.code, p.field.split("（")[0]) for p in loaded.problems] == [("J011", field)]


@pytest.mark.parametrize("case", EXPRESSIBLE)
def test_schema_and_loader_agree_on_the_broken_corpus(case):
    path = CORPUS / case
    by_schema = schema_errors(yaml.safe_load(path.read_text(encoding="utf-8")))
    by_loader = loader_errors(load_file(path))
    assert by_schema, "every case in the corpus is broken"
    assert by_loader, "every case in the corpus is broken"
    assert by_schema == by_loader


def test_enough_of_the_corpus_is_compared():
    assert len(EXPRESSIBLE) >= 15


# Single values written into the seed. Each is read the same way by YAML 1.1 and 1.2, so an editor
# and the loader see the same thing; they must then agree whether it is allowed.
VALUES = [
    ("basic: 9830.96", "basic: 9830.96", True),
    ("basic: 9830.96", 'basic: "9,830.96"', True),
    ("basic: 9830.96", "basic: 9,830.96", True),
    ("basic: 9830.96", "basic: -12.5", True),
    ("basic: 9830.96", 'basic: "98,30.96"', False),
    ("basic: 9830.96", 'basic: "9830,96"', False),
    ("basic: 9830.96", "basic: 九千", False),
    ("basic: 9830.96", 'basic: "1234567890123456"', False),
    ("basic: 9830.96", "basic: 1234567890123456", False),
    ("basic: 9830.96", 'basic: " 9830.96"', False),
    ("basic: 9830.96", "basic: [1]", False),
    ("basic: 9830.96", "basic:", False),
    ("staff_count: 244", 'staff_count: "1,024"', True),
    ("staff_count: 244", "staff_count: 1,024", True),
    ("staff_count: 244", 'staff_count: "2,4,4"', False),
    ("staff_count: 244", "staff_count: -1", False),
    ("staff_count: 244", "staff_count: 244人", False),
    ("staff_count: 244", "staff_count: 1234567890", False),
    ("staff_count: 244", 'staff_count: "0244"', False),
    ("year: 2024", "year: 2100", True),
    ("year: 2024", 'year: "2100"', True),
    ("year: 2024", 'year: "2,024"', False),
    ("year: 2024", "year: 1999", False),
    ("year: 2024", 'year: "2101"', False),
    ("id: nansha-dongchong", "id: 123", False),
    ("id: nansha-dongchong", 'id: "123"', True),
    ("id: nansha-dongchong", "id: Nansha", False),
    ("title: 部门整体预算绩效目标申报表", 'title: "  "', False),
    ("title: 部门整体预算绩效目标申报表", "title:", False),
    ("title: 部门整体预算绩效目标申报表", "title: true", False),
    ("title: 部门整体预算绩效目标申报表", "title: 3.5", False),
    ("other_tasks:   ", "other_tasks: 42", False),
    ("other_tasks:   ", 'other_tasks: "42"', True),
    ("annual_value: ≥ 90%\n          - level3: 辖区企业", "annual_value: 90\n          - level3: 辖区企业", True),
    ("annual_value: ≥ 90%\n          - level3: 辖区企业", "annual_value: true\n          - level3: 辖区企业", False),
    ("annual_value: ≥ 90%\n          - level3: 辖区企业", "annual_value: [90]\n          - level3: 辖区企业", False),
    ("{label: 其他资金, amount: 98.17}", "{label: 其他资金}", False),
    ("{label: 其他资金, amount: 98.17}", "{label: 其他资金, amount: 98.17, note: x}", False),
    ("  income:  ", "  income: []\n  x_income:", False),
]


@pytest.mark.parametrize("old, new, allowed", VALUES, ids=[new for _, new, _ in VALUES])
def test_schema_and_loader_agree_on_single_values(old, new, allowed):
    seed = SEED.read_text(encoding="utf-8")
    assert seed.count(old) == 1
    text = seed.replace(old, new)
    by_schema = schema_errors(yaml.safe_load(text))
    by_loader = loader_errors(load_text(text, "d.yaml"))
    if allowed:
        assert (by_schema, by_loader) == ([], [])
    else:
        assert by_schema
        assert by_schema == by_loader
