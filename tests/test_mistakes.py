"""The typing mistakes of a Chinese keyboard, each made at three places in each form's example:
one message per mistake, at its own line, naming the mistake and its fix."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest

from generator.core.fields import Scalar
from generator.core.fieldpath import field_label
from generator.input.load import load_file, load_text

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "2024"
FORMS = {
    "department-target": EXAMPLES / "nansha-dongchong.yaml",
    "department-self-evaluation": EXAMPLES / "nansha-dongchong" / "self-evaluation.yaml",
    "project-target": EXAMPLES / "nansha-dongchong" / "projects" / "typical-town.yaml",
    "project-self-evaluation": EXAMPLES / "nansha-dongchong" / "projects" / "typical-town.self-evaluation.yaml",
}
JIXIAO = Path(sys.executable).parent / "jixiao"


@dataclass(frozen=True)
class Place:
    line: int  # 1-based
    column: int  # 1-based column of the key (or of the item's content after "- ")
    key: str
    path: tuple
    value: str


@dataclass(frozen=True)
class Example:
    lines: tuple
    keys: tuple  # Places of block keys with a scalar value ("key: value" on its own line)
    items: tuple  # Places of list items written "- …"
    flows: tuple  # Places of mappings written "{a: 1, b: 2}"
    model: object


def _value(data, path):
    for part in path:
        data = data[part]
    return data


def _sorted(places) -> tuple:
    return tuple(sorted(places, key=lambda p: (p.line, p.column)))


_EXAMPLES: dict = {}


def example(form: str) -> Example:
    if form in _EXAMPLES:
        return _EXAMPLES[form]
    text = FORMS[form].read_text(encoding="utf-8")
    loaded = load_text(text, form)
    assert not [p for p in loaded.problems if p.is_error], loaded.problems
    lines = text.split("\n")
    keys, items, flows = [], [], []
    for path, (line, column) in loaded.key_positions.items():
        value = _value(loaded.data, path)
        source = lines[line - 1]
        after = source[column - 1 + len(path[-1]) :]
        if source[: column - 1].strip() not in ("", "-"):
            continue  # inside { }
        if not isinstance(value, Scalar) or not after.startswith(": ") or after[2:].lstrip()[:1] in (">", "|", "{", '"', "'", "["):
            continue
        keys.append(Place(line, column, path[-1], path, str(value)))
    for path, (line, column) in loaded.positions.items():
        if path and isinstance(path[-1], int) and lines[line - 1][: column - 1].rstrip().endswith("-"):
            items.append(Place(line, column, "", path, ""))
        if lines[line - 1][column - 1 : column] == "{" and ", " in lines[line - 1][column:]:
            flows.append(Place(line, column, "", path, ""))
    _EXAMPLES[form] = Example(tuple(lines), _sorted(keys), _sorted(items), _sorted(flows), loaded.form.model)
    return _EXAMPLES[form]


def _three(places, what: str):
    """The first, a middle and the last of `places` in file order, as the first key of a section,
    one inside it and the last of its section where the places allow."""
    assert len(places) >= 3, f"the example has fewer than three {what}"
    places = _sorted(places)
    by_parent: dict = {}
    for place in places:
        by_parent.setdefault(place.path[:-1], []).append(place)
    sections = [group for group in by_parent.values() if len(group) >= 3]
    if sections:
        first = sections[0][0]
        middle = sections[len(sections) // 2][len(sections[len(sections) // 2]) // 2]
        last = sections[-1][-1]
        if len({first, middle, last}) == 3:
            return {"first": first, "middle": middle, "last": last}
    return {"first": places[0], "middle": places[len(places) // 2], "last": places[-1]}


def _typed(place: Place) -> bool:
    """A value that is a number, date or identifier, so quoting it wrongly is an error there."""
    import re

    return bool(re.fullmatch(r"[0-9][0-9.-]*|[a-z0-9-]+", place.value))


def _text(place: Place) -> bool:
    return not _typed(place) and not place.value[:1].isdigit() and place.key not in ("form", "title", "tier", "grade") and not set("“”‘’「」") & set(place.value)


@dataclass(frozen=True)
class Case:
    name: str
    places: str  # which kind of place: keys, typed, text, items, flows
    make: Callable  # (lines, place, model) -> (new lines, line to report)
    code: str
    phrase: str


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _edit(lines, place, new_line, extra=()):
    out = list(lines)
    out[place.line - 1 : place.line] = [new_line, *extra]
    return out


def _key_edit(replace: Callable):
    """A mistake made in the "key: value" part of the line."""

    def make(lines, place, model):
        source = lines[place.line - 1]
        start = place.column - 1
        head, rest = source[:start], source[start:]
        assert rest.startswith(place.key + ": ")
        return _edit(lines, place, head + replace(place.key, rest[len(place.key) + 2 :])), place.line

    return make


def _lead_edit(replace: Callable):
    def make(lines, place, model):
        source = lines[place.line - 1]
        lead = _indent(source)
        return _edit(lines, place, replace(lead) + source[len(lead) :]), place.line

    return make


def _quote(opening, closing, inner=lambda v: v):
    def replace(key, rest):
        value, _, comment = rest.partition("  #")
        value = value.rstrip()
        return f"{key}: {opening}{inner(value)}{closing}" + (f"  #{comment}" if comment else "")

    return _key_edit(replace)


def _block_same_line(marker):
    return _key_edit(lambda key, rest: f"{key}: {marker} {rest}")


def _block_not_indented(marker):
    def make(lines, place, model):
        source = lines[place.line - 1]
        start = place.column - 1
        value = source[start + len(place.key) + 2 :].split("  #")[0].strip()
        new = source[:start] + f"{place.key}: {marker}"
        return _edit(lines, place, new, [" " * start + value]), place.line + 1

    return make


def _item_edit(replace: Callable):
    def make(lines, place, model):
        source = lines[place.line - 1]
        start = place.column - 1
        dash = source[:start].rstrip().rfind("-")
        return _edit(lines, place, replace(source[:dash], source[start:])), place.line

    return make


def _chinese_key(colon):
    def make(lines, place, model):
        title = field_label(model, place.path)
        source = lines[place.line - 1]
        start = place.column - 1
        rest = source[start + len(place.key) + 2 :]
        return _edit(lines, place, source[:start] + title + colon + rest), place.line

    return make


def _flow_edit(old, new):
    def make(lines, place, model):
        source = lines[place.line - 1]
        brace = source.index("{", place.column - 1)
        assert old in source[brace:]
        return _edit(lines, place, source[:brace] + source[brace:].replace(old, new, 1)), place.line

    return make


CASES = [
    Case("全角冒号", "keys", _key_edit(lambda k, v: f"{k}：{v}"), "J001", "全角冒号"),
    Case("全角冒号加空格", "keys", _key_edit(lambda k, v: f"{k}： {v}"), "J001", "全角冒号"),
    Case("全角冒号前有空格", "keys", _key_edit(lambda k, v: f"{k} ：{v}"), "J001", "全角冒号"),
    Case("冒号后无空格", "keys", _key_edit(lambda k, v: f"{k}:{v}"), "J001", "冒号后缺少空格"),
    Case("冒号后全角空格", "keys", _key_edit(lambda k, v: f"{k}:\u3000{v}"), "J001", "冒号后是全角空格"),
    Case("全角空格缩进", "keys", _lead_edit(lambda lead: "\u3000" * max(1, len(lead) // 2)), "J001", "缩进里有全角空格"),
    Case("缩进混入一个全角空格", "keys", _lead_edit(lambda lead: lead[:-2] + "\u3000" if lead else "\u3000"), "J001", "缩进里有全角空格"),
    Case("Tab 缩进", "keys", _lead_edit(lambda lead: "\t" * max(1, len(lead) // 2)), "J001", "制表符"),
    Case("缩进混入 Tab", "keys", _lead_edit(lambda lead: "\t" + lead[2:]), "J001", "制表符"),
    Case("中文双引号（数值）", "typed", _quote("“", "”"), "J011", "中文引号"),
    Case("中文单引号（数值）", "typed", _quote("‘", "’"), "J011", "中文引号"),
    Case("直角引号（数值）", "typed", _quote("「", "」"), "J011", "中文引号"),
    Case("中文引号（含“: ”的文字）", "text", _quote("“", "”", lambda v: v[:4] + ": " + v[4:]), "J011", "中文引号"),
    Case(">- 同一行写文字", "text", _block_same_line(">-"), "J001", "同一行"),
    Case("|- 同一行写文字", "text", _block_same_line("|-"), "J001", "同一行"),
    Case("> 同一行写文字", "text", _block_same_line(">"), "J001", "同一行"),
    Case(">- 下的文字没有缩进", "text", _block_not_indented(">-"), "J001", "没有缩进"),
    Case("| 下的文字没有缩进", "text", _block_not_indented("|"), "J001", "没有缩进"),
    Case("列表项少了“- ”", "items", _item_edit(lambda head, rest: head + rest), "J001", "缺少列表项开头的“- ”"),
    Case("列表项少了“- ”（对齐）", "items", _item_edit(lambda head, rest: head + "  " + rest), "J001", "缺少列表项开头的“- ”"),
    Case("列表项用全角减号", "items", _item_edit(lambda head, rest: head + "－ " + rest), "J001", "列表项开头用了“－”"),
    Case("列表项用破折号", "items", _item_edit(lambda head, rest: head + "— " + rest), "J001", "列表项开头用了“—”"),
    Case("{ } 里全角冒号", "flows", _flow_edit(": ", "："), "J001", "全角冒号"),
    Case("{ } 里全角逗号", "flows", _flow_edit(", ", "，"), "J001", "全角逗号"),
    Case("中文栏目名作键", "keys", _chinese_key(": "), "J012", "中文栏目名"),
    Case("中文栏目名作键加全角冒号", "keys", _chinese_key("："), "J012", "冒号也要用英文冒号"),
]


def _places(form: str, kind: str):
    ex = example(form)
    if kind == "keys":
        return _three(ex.keys, "keys")
    if kind == "typed":
        return _three([p for p in ex.keys if _typed(p)], "typed values")
    if kind == "text":
        return _three([p for p in ex.keys if _text(p)], "text values")
    if kind == "items":
        return _three(ex.items, "list items")
    return _three(ex.flows, "{ } mappings")


PARAMS = [
    pytest.param(form, case, position, id=f"{form}-{case.name}-{position}")
    for form in FORMS
    for case in CASES
    for position in ("first", "middle", "last")
]


def test_enough_mistakes_and_places():
    assert len(CASES) >= 20
    assert len(PARAMS) == len(CASES) * 3 * len(FORMS)


@pytest.mark.parametrize("form,case,position", PARAMS)
def test_mistake_reported_at_its_line(form, case, position):
    ex = example(form)
    place = _places(form, case.places)[position]
    lines, line = case.make(ex.lines, place, ex.model)
    loaded = load_text("\n".join(lines), "x.yaml")
    shown = "\n".join(p.format() for p in loaded.problems)
    assert len(loaded.problems) == 1, f"{lines[line - 1]!r}\n{shown}"
    problem = loaded.problems[0]
    assert (problem.code, problem.line) == (case.code, line), f"{lines[line - 1]!r}\n{shown}"
    assert case.phrase in problem.message, shown
    if case.code == "J012":  # names the English key and its place in the form
        dotted = ".".join(p for p in place.path if isinstance(p, str))
        assert f"{place.key}（完整路径 {dotted}）" in problem.message, shown


def test_the_correct_files_have_no_mistakes():
    for form, path in FORMS.items():
        assert not [p for p in load_file(path).problems if p.is_error], form


def test_text_that_only_looks_like_a_mistake_is_left_alone():
    """Full-width colons and Chinese quotes inside text, and labels inside a block, are text: a file
    with another error there gets that error, not a mistake it does not have."""
    text = FORMS["department-target"].read_text(encoding="utf-8")
    text = text.replace("  name: 广州市南沙区东涌镇人民政府", "  name: “广州市南沙区东涌镇人民政府”", 1)
    text = text.replace("overall_goal: >-\n", "overall_goal: >-\n  部门名称：示例\n  year：2024\n  - 一项\n", 1)
    assert not [p for p in load_text(text, "x.yaml").problems if p.is_error]
    broken = text.replace("year: 2024", "year: 二〇二四", 1)
    assert [(p.code, p.line, p.message) for p in load_text(broken, "x.yaml").problems] == [
        ("J011", 4, "「二〇二四」不是年份，应写成四位数字，如 2024")
    ]


@pytest.mark.parametrize(
    "old,new,code,phrase",
    [
        ("  staff_count: 244", "  staff_count：244", "J001", "全角冒号"),
        ("  subordinate_units: 15", "  subordinate_units:15", "J001", "冒号后缺少空格"),
        ("  name: 广州市南沙区东涌镇人民政府", "  部门名称: 广州市南沙区东涌镇人民政府", "J012", "department.name"),
        ("overall_goal: >-\n  坚持", "overall_goal: >- 坚持", "J001", "同一行"),
    ],
)
def test_through_the_command_line(tmp_path, old, new, code, phrase):
    """What `jixiao validate` prints for a mistake: file:line:column, the code and the fix."""
    text = FORMS["department-target"].read_text(encoding="utf-8")
    assert old in text
    broken = text.replace(old, new, 1)
    line = broken[: broken.index(new)].count("\n") + 1
    target = tmp_path / "2024" / "nansha-dongchong.yaml"
    target.parent.mkdir()
    target.write_text(broken, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [str(JIXIAO), "validate", str(target)], capture_output=True, text=True, encoding="utf-8", env=env, timeout=60
    )
    assert result.returncode == 1, result.stdout + result.stderr
    printed = [row for row in (result.stdout + result.stderr).splitlines() if f" {code}: " in row]
    assert len(printed) == 1 and f"{target}:{line}:" in printed[0] and phrase in printed[0], result.stdout + result.stderr
