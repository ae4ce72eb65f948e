"""The typing mistakes a Chinese keyboard makes in YAML, found in the raw text line by line.

PyYAML reports such a mistake where its grammar gave up, often lines away and in words about
something else (a full-width colon under a section reads as "缩进不一致"). When a file has errors,
its lines are scanned for the mistakes below; those found replace the file's other problems, each
at its own line, since every other error in such a file is a consequence of them.
"""

from __future__ import annotations

import re
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Optional

from pydantic import BaseModel

from generator.core.catalogue import MISTAKES
from generator.core.fieldpath import format_path
from generator.core.problems import Problem, Severity

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_DASHES = "－—–"  # full-width hyphen, em and en dash: what an IME types for "-"
_LIST_MARK = re.compile(r"-(?: +|$)")
_FULL_DASH = re.compile(rf"([{_DASHES}•·])\s*(?={_IDENT}\s*[:：]|\{{)")
_KEY = re.compile(rf"({_IDENT})(\s*)([:：])(.?)")
_CJK_KEY = re.compile(r"([\u3400-\u9fff][^:：\s\"'{}\[\]#]{0,20}?)\s*(:(?=\s|$)|：)")
_BLOCK = re.compile(r"([>|])([-+]?[0-9]?|[0-9]?[-+]?)(?:\s+(#.*)?)?$")
_BLOCK_WITH_TEXT = re.compile(r"([>|][-+]?[0-9]?)[ \t\u3000]+([^#\s].*)$")
_COMPARISON = re.compile(r"=|[0-9.]+\s*(%|[^\s]{0,4}$)")  # "> 90%": a bound, not a block (parse.py says so)
_CN_QUOTES = {"“": "”", "‘": "’", "「": "」", "『": "』"}
_FLOW_FULL_COLON = re.compile(rf"[{{,]\s*({_IDENT})\s*：")
_FLOW_FULL_COMMA = re.compile(rf"，\s*({_IDENT})\s*[:：]")


MAX_SCAN_LINES = 5000
MAX_SCAN_CHARS = 1_000_000


@dataclass(frozen=True)
class Mistake:
    line: int
    column: int
    code: str
    kind: str  # a key of catalogue.MISTAKES
    values: tuple = ()
    weak: bool = False  # reported only where another error already points (a Chinese-quoted value)
    path: tuple = ()  # the field meant, when known (a Chinese key)
    syntax_only: bool = False  # reported only when the YAML did not parse (else the loader's own message is as good)

    @property
    def message(self) -> str:
        return MISTAKES[self.kind].format(**dict(self.values))


def explain(loaded) -> Any:
    """Replace the problems of a file that has errors with its typing mistakes, when it has any."""
    errors = [p for p in loaded.problems if p.is_error]
    if not errors or not loaded.text or loaded.text.count("\n", 0, MAX_SCAN_CHARS) >= MAX_SCAN_LINES:
        return loaded  # a real declaration has a few hundred lines; an absurd file keeps PyYAML's message
    error_lines = {p.line for p in errors}
    model = _form_model(loaded.text)
    unparsed = any(p.code == "J001" for p in errors)
    found = [
        m for m in scan(loaded.text, model)
        if (not m.weak or m.line in error_lines) and (not m.syntax_only or unparsed)
    ]
    if not found:
        return loaded
    loaded.declaration = None
    loaded.problems = [
        Problem(loaded.display, m.line, m.column, m.code, Severity.ERROR, format_path(model, m.path), m.message, m.path)
        for m in found
    ]
    return loaded


def _form_model(text: str):
    from generator.core import registry

    match = re.search(r"^form\s*[:：]\s*['\"]?([a-z-]+)", text, re.MULTILINE)
    form = registry.forms().get(match.group(1)) if match else None
    return (form or registry.default()).model


# --- the models, walked for field names, titles and which fields are lists -----------------------


def _inner(annotation: Any):
    """list[Task] → (Task, True), Optional[Filing] → (Filing, False); a scalar → (None, False)."""
    is_list = False
    stack = [annotation]
    while stack:
        current = stack.pop()
        if typing.get_origin(current) is list:
            is_list = True
        if isinstance(current, type) and issubclass(current, BaseModel):
            return current, is_list
        stack.extend(typing.get_args(current))
    return None, is_list


def _walk(model, prefix: tuple = ()):
    """(path, name, FieldInfo, is_list) for every field under `model`, depth first."""
    for name, info in model.model_fields.items():
        inner, is_list = _inner(info.annotation)
        path = prefix + (name,)
        yield path, info, is_list
        if inner is not None and len(path) < 8:
            yield from _walk(inner, path + ((0,) if is_list else ()))


@lru_cache(maxsize=16)
def _field_table(model) -> dict:
    """For one form: field path (list positions as 0) → (FieldInfo, is_list), and title → paths."""
    fields, titles = {}, {}
    for path, info, is_list in _walk(model):
        fields[path] = (info, is_list)
        if info.title:
            for title in {info.title, re.sub(r"（[^）]*）$", "", info.title)}:
                titles.setdefault(title, []).append(path)
    return fields, titles


@lru_cache(maxsize=1)
def _all_field_names() -> frozenset:
    from generator.core import registry

    return frozenset(path[-1] for form in registry.forms().values() for path in _field_table(form.model)[0])


def _dotted(path: tuple) -> str:
    return format_path(None, tuple(p for p in path if not isinstance(p, int))) if path else ""


# --- the scan ---------------------------------------------------------------------------------------


@dataclass
class _Frame:
    indent: int
    key: Optional[str]  # None for a list item
    first_key: Optional[str] = None  # of a list item: the key on its "- " line


def scan(text: str, model=None) -> list[Mistake]:
    """Every typing mistake in `text`, in line order, one per line at most."""
    fields, titles = _field_table(model) if model is not None else ({}, {})
    known = _all_field_names()
    found: list[Mistake] = []
    stack: list[_Frame] = []
    block: Optional[tuple[int, str, str]] = None  # (indent of its key, key, marker) while in a block scalar
    block_seen_text = False
    swallow: Optional[int] = None  # unindented block text: skip its further lines at this indent
    unsure = False  # after a line indented with Tab or full-width spaces

    def path_of(frames) -> tuple:
        return tuple(0 if f.key is None else f.key for f in frames)

    for number, raw in enumerate(text.split("\n"), 1):
        line = raw.rstrip("\r")
        lead = len(line) - len(line.lstrip(" \t\u3000"))
        body = line[lead:]
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if block is not None:
            key_indent, key, marker = block
            if indent > key_indent:
                block_seen_text = True
                continue
            block = None
            if not block_seen_text and not _looks_like_key(body) and "\t" not in line[:lead] and "\u3000" not in line[:lead]:
                found.append(Mistake(number, lead + 1, "J001", "block_not_indented", (("key", key), ("marker", marker))))
                swallow = indent
                continue
        if swallow is not None:
            if indent == swallow and not _looks_like_key(body) and "\t" not in line[:lead]:
                continue
            swallow = None
        whitespace = line[:lead]
        if "\u3000" in whitespace:
            found.append(Mistake(number, whitespace.index("\u3000") + 1, "J001", "fullwidth_indent"))
            unsure = True  # where the line stands is a guess: the nesting of what follows is not judged
            continue
        if "\t" in whitespace:
            found.append(Mistake(number, whitespace.index("\t") + 1, "J001", "tab_indent"))
            unsure = True
            continue
        # list markers, then the key
        column = lead
        items = 0
        dash = _FULL_DASH.match(body)
        if dash:  # reported, then read as the "- " it stands for
            found.append(Mistake(number, lead + 1, "J001", "fullwidth_dash", (("dash", dash.group(1)),)))
            line = line[:lead] + "- " + line[dash.end():]
        while True:
            mark = _LIST_MARK.match(line, column)
            if not mark:
                break
            items += 1
            while stack and stack[-1].indent >= column:
                stack.pop()
            stack.append(_Frame(column, None))
            column = mark.end()
        rest = line[column:]
        if not items:
            while stack and stack[-1].indent >= indent:
                stack.pop()
        parent = path_of(stack)
        if rest.startswith(("{", "[")) and not items and stack and fields.get(_list_path(parent), (None, False))[1]:
            found.append(Mistake(number, column + 1, "J001", "list_item_no_dash", (("parent", _dotted(parent) or "列表"),),
                                 syntax_only=True))
            continue
        mistake = _flow_mistake(rest, number, column)
        if mistake:
            found.append(mistake)
            continue
        key_match = _KEY.match(rest)
        cjk = None if key_match else _CJK_KEY.match(rest)
        if cjk:
            title, colon = cjk.group(1), cjk.group(2)
            paths = titles.get(title)
            if paths:
                target = _best_path(paths, path_of(stack))
                found.append(
                    Mistake(
                        number, column + 1, "J012", "chinese_key",
                        (("title", title), ("key", target[-1]), ("path", _dotted(target)),
                         ("colon", "" if colon == ":" else MISTAKES["and_colon"])),
                        path=tuple(p for p in target if not isinstance(p, int)),  # which item is not known here
                    )
                )
                stack.append(_Frame(column, target[-1]))
            continue
        if not key_match:
            continue
        key, gap, colon, after = key_match.groups()
        value_at = column + key_match.end(3)
        value = line[value_at:]
        if colon == "：":
            found.append(Mistake(number, column + key_match.start(3) + 1, "J001", "fullwidth_colon", (("key", key),)))
            stack.append(_Frame(column, key))
            continue
        if after == "\u3000":
            found.append(Mistake(number, value_at + 1, "J001", "fullwidth_space_after_colon", (("key", key),)))
            stack.append(_Frame(column, key))
            continue
        if after and not after.isspace() and key in known and after not in "/:":
            shown = value.split("#")[0].strip()
            found.append(Mistake(number, column + key_match.start(3) + 1, "J001", "no_space", (("key", key), ("value", shown))))
            stack.append(_Frame(column, key))
            continue
        if gap or (after and not after.isspace()):
            continue  # not a key: a URL, a time, "a :b" inside text
        # a real key line: list structure
        parent = path_of(stack)
        if not items and stack and stack[-1].key is not None and fields.get(_list_path(parent), (None, False))[1]:
            found.append(Mistake(number, column + 1, "J001", "list_item_no_dash", (("parent", _dotted(parent)),),
                                 syntax_only=True))
            # read on as the item it was meant to be, so its other keys are not reported too
            stack.append(_Frame(column - 2 if column - 2 > stack[-1].indent else column, None, key))
            continue
        item = stack[-1] if stack and stack[-1].key is None and stack[-1].indent + 2 == column else None
        if item is not None and items == 0 and item.first_key == key:
            found.append(Mistake(number, column + 1, "J001", "list_item_no_dash", (("parent", _dotted(parent[:-1]) or "列表"),)))
            continue
        if item is not None and item.first_key is None:
            item.first_key = key
        stack.append(_Frame(column, key))
        value = value.strip()
        with_text = _BLOCK_WITH_TEXT.match(value)
        if with_text and not _BLOCK.match(value) and not _COMPARISON.match(with_text.group(2)):
            found.append(
                Mistake(number, value_at + value.find(with_text.group(2)) + 2, "J001", "block_text_same_line",
                        (("key", key), ("marker", with_text.group(1))))
            )
            continue
        if _BLOCK.match(value):
            block = (column, key, _BLOCK.match(value).group(1) + _BLOCK.match(value).group(2))
            block_seen_text = False
            continue
        quoted = _chinese_quoted(value)
        if quoted:
            found.append(Mistake(number, value_at + 2, "J011", "chinese_quotes", (("quote", quoted),), weak=True))
    if unsure:
        found = [m for m in found if m.kind not in _NESTING or m.line < _first_unsure(found)]
    return _one_per_line(found)


_NESTING = {"list_item_no_dash", "block_not_indented"}


def _first_unsure(found: list[Mistake]) -> int:
    return min(m.line for m in found if m.kind in ("fullwidth_indent", "tab_indent"))


def _looks_like_key(body: str) -> bool:
    return bool(re.match(rf"(- +)*({_IDENT}\s*[:：](\s|$)|- |-$)", body)) or bool(_CJK_KEY.match(body))


def _list_path(path: tuple) -> tuple:
    return tuple(0 if isinstance(p, int) else p for p in path)


def _best_path(paths: list, parent: tuple) -> tuple:
    """Of the fields with this title, the one under the section the line is in, else the first."""
    parent = _list_path(parent)
    for path in paths:
        if path[:-1] == parent:
            return path
    return paths[0]


def _flow_mistake(rest: str, number: int, column: int) -> Optional[Mistake]:
    """A full-width colon or comma inside { } (the budget lines are written that way)."""
    start = rest.find("{")
    if start < 0:
        return None
    inside = rest[start:]
    colon = _FLOW_FULL_COLON.search(inside)
    if colon:
        at = column + start + inside.index("：", colon.start()) + 1
        return Mistake(number, at, "J001", "fullwidth_colon", (("key", colon.group(1)),))
    comma = _FLOW_FULL_COMMA.search(inside)
    if comma:
        return Mistake(number, column + start + comma.start() + 1, "J001", "fullwidth_comma")
    return None


def _chinese_quoted(value: str) -> str:
    """“…” when the whole value is wrapped in Chinese quotes (and has none inside), else ''."""
    value = re.sub(r"\s+#.*$", "", value).strip()
    if len(value) < 2:
        return ""
    opening, closing = value[0], value[-1]
    if _CN_QUOTES.get(opening) != closing:
        return ""
    if opening in value[1:-1] or closing in value[1:-1]:
        return ""
    return opening + "…" + closing


def _one_per_line(found: list[Mistake]) -> list[Mistake]:
    seen, out = set(), []
    for mistake in found:
        if mistake.line not in seen:
            seen.add(mistake.line)
            out.append(mistake)
    return out
