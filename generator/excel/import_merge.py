"""Importing again into a folder that already holds the document: the file found, its ids kept, its
comments carried over; and short ids for new projects.

A project's id is part of its file name and of every address on the website, so it must stay put
when the yearly workbook is imported again, and be short when made: the 项目编码, else the initials of
the name in pinyin — never the whole name spelled out.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from generator.core import registry

from generator.core.fields import ID_PATTERN

MAX_ID = 24
# Place names read differently from the common reading (涌 is chōng in Guangdong's place names).
PLACE_READINGS = {"东涌": [["dōng"], ["chōng"]], "南沙": [["nán"], ["shā"]], "番禺": [["pān"], ["yú"]]}


def project_id(name: str, code: str | None) -> str:
    """A new project's id: its 项目编码 when that is a valid id, else the initials of its name in pinyin
    (东涌镇“百千万工程”典型镇建设 → dczbqwgcdxzjs), at most 24 characters; '' when nothing is left."""
    if code:
        candidate = re.sub(r"[^a-z0-9-]+", "-", unicodedata.normalize("NFKC", str(code)).lower()).strip("-")
        candidate = re.sub(r"-{2,}", "-", candidate)
        if candidate and len(candidate) <= MAX_ID and re.match(ID_PATTERN, candidate):
            return candidate
    from pypinyin import Style, lazy_pinyin, load_phrases_dict

    load_phrases_dict(PLACE_READINGS)  # 东涌 is dōng chōng
    text = re.sub(r"[（(][^）)]*[）)]", "", unicodedata.normalize("NFKC", name or ""))  # （示例）, (2024)
    letters = lazy_pinyin(text, style=Style.FIRST_LETTER, errors=lambda chars: [c for c in chars.lower() if c.isalnum()])
    initials = re.sub(r"[^a-z0-9]", "", "".join(letters).lower())[:MAX_ID]
    return initials if re.match(ID_PATTERN, initials or "-") else ""


@dataclass(frozen=True)
class Existing:
    path: Path
    own_id: str  # the id the file already has (部门标识 or 项目标识)
    department_id: str
    why: str  # how it was recognised, for the message


def _quick(path: Path):
    """The file's plain data (None if it is not a readable mapping), read once per version of the file:
    a yearly workbook asks about every file of the year once for each of its forms."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return _read(str(path), stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=4096)
def _read(path: str, mtime_ns: int, size: int):
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8-sig"), Loader=loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    return data if isinstance(data, dict) else None


def _text(value) -> str:
    return re.sub(r"\s+", "", str(value)) if value not in (None, "") else ""


def find_existing(out: Path, form, data: dict) -> Existing | None:
    """The file under out/<year>/ that holds the same document as `data`: the same form and year, and
    the same 项目编码, or the same department (name or id) and the same 项目名称 (for a project form),
    or the same department (for a department form)."""
    folder = out / str(data.get("year"))
    if not folder.is_dir():
        return None
    own_key = form.id_path[0]
    department = data.get("department") or {}
    own = data.get(own_key) or {}
    for path in sorted(folder.rglob("*.y*ml")):
        if path.suffix not in (".yaml", ".yml"):
            continue
        old = _quick(path)
        if old is None or (old.get("form") or registry.default().kind) != form.kind or str(old.get("year")) != str(data.get("year")):
            continue
        old_department = old.get("department") if isinstance(old.get("department"), dict) else {}
        old_own = old.get(own_key) if isinstance(old.get(own_key), dict) else {}
        same_department = bool(
            (_text(department.get("name")) and _text(department.get("name")) == _text(old_department.get("name")))
            or (_text(department.get("id")) and _text(department.get("id")) == _text(old_department.get("id")))
        )
        if own_key == "department":
            why = "部门相同" if same_department else ""
        elif _text(own.get("code")) and _text(own.get("code")) == _text(old_own.get("code")):
            why = f"项目编码「{own.get('code')}」相同"
        elif same_department and _text(own.get("name")) and _text(own.get("name")) == _text(old_own.get("name")):
            why = f"项目名称「{own.get('name')}」相同"
        else:
            why = ""
        if why and old_own.get("id"):
            return Existing(path, str(old_own.get("id")), str(old_department.get("id") or ""), why)
    return None


# ---- comments -------------------------------------------------------------------------------------

_KEY_LINE = re.compile(r"^( *)(- +)?([A-Za-z_][A-Za-z0-9_]*):(?=\s|$)")


def _comment_of(line: str) -> str:
    """The trailing `# …` of a YAML line, outside quotes; '' when none."""
    quote = ""
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "#" and index > 0 and line[index - 1] in " \t":
            return line[index:]
    return ""


def _keyed_lines(text: str):
    """(key path, line number) for every block key line; list items counted by position."""
    stack: list[tuple[int, object]] = []
    counters: dict[tuple, int] = {}
    for number, line in enumerate(text.split("\n")):
        match = _KEY_LINE.match(line)
        if not match:
            continue
        indent = len(match.group(1))
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = tuple(part for _, part in stack)
        if match.group(2):
            index = counters.get(parent, -1) + 1  # parents hold their items' positions: no reset needed
            counters[parent] = index
            stack.append((indent, index))
            parent = parent + (index,)
            indent += len(match.group(2))
        stack.append((indent, match.group(3)))
        yield parent + (match.group(3),), number


def carry_comments(old_text: str, new_text: str) -> str:
    """The new text with the comments the user wrote in the old file put back on the same keys: the
    comment lines just above a key, and a comment at the end of a key's line. The file's own header
    (the lines before the first key) is the new one."""
    old_lines = old_text.split("\n")
    above: dict[tuple, list[str]] = {}
    after: dict[tuple, str] = {}
    for path, number in _keyed_lines(old_text):
        comment = _comment_of(old_lines[number])
        if comment:
            after[path] = comment
        block, previous = [], number - 1
        while previous >= 0 and old_lines[previous].lstrip().startswith("#"):
            block.insert(0, old_lines[previous])
            previous -= 1
        if block and previous >= 0:  # comments above the first key are the file's header
            above[path] = block
    new_lines = new_text.split("\n")
    out: list[str] = []
    keyed = dict((number, path) for path, number in _keyed_lines(new_text))
    for number, line in enumerate(new_lines):
        path = keyed.get(number)
        if path is not None:
            block = above.get(path, [])
            if block and out[-len(block):] != block:
                out.extend(block)
            if path in after and not _comment_of(line):
                line = f"{line}  {after[path]}"
        out.append(line)
    return "\n".join(out)
