"""The house style of declaration files, for YAML that jixiao writes (`jixiao import`): scalars plain
when they read back as the same text, amounts as plain numbers, long text as block scalars, a comment
per block, the 绩效指标 grid every form shares. Each form's sheet module lays out its own keys."""

from __future__ import annotations

import json
import re
import unicodedata
from decimal import Decimal
from typing import Any

import yaml

from generator.input.parse import NULLS, _core_kind

_STR_TAG = "tag:yaml.org,2002:str"
_HIDDEN = "\x85\u2028\u2029\ufeff"


def _plain_ok(text: str, flow: bool = False) -> bool:
    if not text or text != text.strip() or "\n" in text or "\t" in text:
        return False
    if any(ord(ch) < 32 or ord(ch) == 127 or ch in _HIDDEN for ch in text):
        return False
    if text in NULLS or _core_kind(text) != "str":
        return False
    if flow and any(ch in text for ch in ",[]{}"):
        return False
    doc = f"k: {{x: {text}}}" if flow else f"k: {text}"
    try:
        node = yaml.compose(doc, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return False
    value = node.value[0][1]
    if flow:
        if not isinstance(value, yaml.MappingNode) or len(value.value) != 1:
            return False
        value = value.value[0][1]
    return isinstance(value, yaml.ScalarNode) and value.style is None and value.value == text and value.tag == _STR_TAG


def scalar(text: Any, flow: bool = False) -> str:
    """A text as a YAML scalar: plain when it reads back as the same text, else double-quoted."""
    if text is None:
        return ""
    text = str(text)
    if _plain_ok(text, flow):
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    for ch in _HIDDEN:
        quoted = quoted.replace(ch, f"\\u{ord(ch):04x}")
    return quoted


def amount_text(value: Any, exact: bool = False, flow: bool = False) -> str:
    """9830.96, 52906.00: two decimals as the form prints them, more when the amount has them (with
    `exact`, every decimal written, trailing zeros too: 421.910000). Text that is no amount (a cell
    read as it was) is quoted as text."""
    if isinstance(value, Decimal):
        places = -value.as_tuple().exponent if isinstance(value.as_tuple().exponent, int) else 0
        if exact:
            return f"{value:.{max(2, places)}f}"
        if places <= 2 or value == value.quantize(Decimal("0.01")):
            return f"{value:.2f}"
        return format(value.normalize(), "f")
    if value is None:
        return ""
    return scalar(str(value), flow)


def _block(text: str, indent: str) -> str | None:
    """Block scalar (>- for one line, |- for several) holding `text` exactly, or None if it cannot."""
    if not text or text != text.strip() or text.startswith(("\n", " ")):
        return None
    if any((ord(ch) < 32 and ch != "\n") or ord(ch) == 127 or ch in _HIDDEN for ch in text):
        return None
    lines = text.split("\n")
    if any(line != line.rstrip() for line in lines):
        return None
    if len(lines) == 1:
        # Folded: one line per numbered item (①②③), which >- joins back with the one space between.
        lines = re.split(r"(?<=\S) (?=[①-⑳])", text)
        return ">-\n" + "\n".join(f"{indent}{line}" for line in lines)
    return "|-\n" + "\n".join(f"{indent}{line}" if line else "" for line in lines)


def prose(text: Any, indent: str) -> str:
    """Long text (Markdown) as a block scalar indented by `indent`, or a quoted scalar."""
    if text is None or text == "":
        return ""
    return _block(str(text), indent) or scalar(text)


def width(text: str) -> int:
    """Columns a line takes in an editor: CJK and full-width characters two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def comment(line: str, text: str, column: int = 26) -> str:
    """`line` with `# text` at `column` (counted as an editor shows it), or two spaces after."""
    used = width(line)
    return f"{line}{' ' * (column - used)}# {text}" if used < column else f"{line}  # {text}"


def header(schema_path: str, source_note: str) -> list[str]:
    """The first lines: the editor's schema (relative to the file), then the note, as comments."""
    return [f"# yaml-language-server: $schema={schema_path}"] + [
        f"# {line}" if line else "#" for line in source_note.split("\n")
    ]


def indicators_lines(indicators: list) -> list[str]:
    """The 绩效指标 grid below an `indicators:` line (plain data as read from a sheet)."""
    out = []
    for category in indicators:
        out.append(f"  - level1: {scalar(category.get('level1'))}".rstrip())
        out.append("    groups:")
        for group in category.get("groups") or []:
            out.append(f"      - level2: {scalar(group.get('level2'))}".rstrip())
            out.append("        items:")
            for item in group.get("items") or []:
                out.append(f"          - level3: {scalar(item.get('level3'))}".rstrip())
                for key in ("period_value", "annual_value", "value"):
                    if key in item:
                        out.append(f"            {key}: {scalar(item[key])}".rstrip())
    return out
