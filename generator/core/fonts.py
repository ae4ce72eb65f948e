"""Which faces print the form, where they are, and whether they hold every character a document uses."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from generator.core.catalogue import ERROR
from generator.core.problems import Problem

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")


@dataclass(frozen=True)
class FontSettings:
    """Which faces the form is set in; a font folder adds a department's own licensed faces."""

    body: str = "Noto Serif CJK SC"
    heading: str = "Noto Sans CJK SC"
    folder: Path | None = None

    @classmethod
    def from_env(cls, body: str | None = None, heading: str | None = None, folder: str | None = None) -> "FontSettings":
        folder = folder or os.environ.get("JIXIAO_FONT_DIR") or None
        return cls(
            body=body or os.environ.get("JIXIAO_BODY_FONT") or cls.body,
            heading=heading or os.environ.get("JIXIAO_HEADING_FONT") or cls.heading,
            folder=Path(folder).resolve() if folder else None,
        )


@dataclass(frozen=True)
class FontFile:
    family: str
    path: Path
    index: int


class FontError(Exception):
    """A chosen face is not installed, or the subsetter WeasyPrint needs is missing."""


def _folder_fonts(folder: Path) -> dict[str, FontFile]:
    """Family name → file for every font in a folder, read with fontTools (names in any language)."""
    from fontTools.ttLib import TTCollection, TTFont

    found: dict[str, FontFile] = {}
    for path in sorted(p for p in folder.rglob("*") if p.suffix.lower() in FONT_SUFFIXES):
        fonts = TTCollection(path, lazy=True).fonts if path.suffix.lower() in (".ttc", ".otc") else [TTFont(path, lazy=True)]
        for index, font in enumerate(fonts):
            for record in font["name"].names:
                if record.nameID in (1, 16):
                    try:
                        found.setdefault(record.toUnicode(), FontFile(record.toUnicode(), path, index))
                    except UnicodeDecodeError:
                        continue
    return found


@lru_cache(maxsize=None)
def resolve_font(family: str, folder: Path | None) -> FontFile:
    if folder is not None:
        if not folder.is_dir():
            raise FontError(f"字体文件夹 {folder} 不存在")
        fonts = _folder_fonts(folder)
        if family in fonts:
            return fonts[family]
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}\n%{index}\n%{family}\n", family],
            capture_output=True, text=True, check=True,
        ).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError) as exc:
        raise FontError(f"无法查找字体「{family}」（fc-match 不可用：{exc}）") from exc
    path, index, families = out[0], int(out[1] or 0), out[2].split(",")
    if family not in families:
        raise FontError(
            f"字体「{family}」没有安装（系统给出的是「{families[0]}」）；"
            "请安装 fonts-noto-cjk，或用 --font-dir 指定含该字体的文件夹"
        )
    return FontFile(family, Path(path), index)


def cache_folder() -> Path:
    """Where jixiao keeps what is slow to work out again: $JIXIAO_CACHE, else ~/.cache/jixiao."""
    named = os.environ.get("JIXIAO_CACHE") or os.environ.get("XDG_CACHE_HOME")
    base = Path(named) if named else Path.home() / ".cache"
    return base if os.environ.get("JIXIAO_CACHE") else base / "jixiao"


@lru_cache(maxsize=None)
def font_characters(font: FontFile) -> frozenset[int]:
    """The characters a face has. Reading a CJK font's cmap takes ~0.2 s, so it is kept on disk as
    ranges, keyed by the font file (path, face, size, time): a changed font is read again."""
    stat = font.path.stat()
    key = f"{font.path}\0{font.index}\0{stat.st_size}\0{stat.st_mtime_ns}"
    cached = cache_folder() / "fonts" / f"{hashlib.sha256(key.encode()).hexdigest()[:32]}.json"
    try:
        ranges = json.loads(cached.read_text(encoding="utf-8"))
        return frozenset(c for first, last in ranges for c in range(first, last + 1))
    except (OSError, ValueError, TypeError):
        pass
    from fontTools.ttLib import TTFont

    with TTFont(font.path, fontNumber=font.index, lazy=True) as tt:
        characters = frozenset(tt.getBestCmap())
    ranges: list[list[int]] = []
    for c in sorted(characters):
        if ranges and ranges[-1][1] == c - 1:
            ranges[-1][1] = c
        else:
            ranges.append([c, c])
    try:
        from generator.core.files import write_atomically

        write_atomically(cached, json.dumps(ranges, separators=(",", ":")).encode())
    except OSError:
        pass  # a read-only home: read the font every time
    return characters


def _heading_field(path: tuple) -> bool:
    """The values the form sets in the heading face: the title and the 一级/二级 indicator cells."""
    return path == ("title",) or (len(path) in (3, 5) and path[0] == "indicators" and path[-1] in ("level1", "level2"))


def check_coverage(loaded, settings: FontSettings) -> list[Problem]:
    """Every character must be in the face that prints it: a missing one would print as tofu."""
    from generator.core.fieldpath import walk_strings

    body = resolve_font(settings.body, settings.folder)
    heading = resolve_font(settings.heading, settings.folder)
    problems = []
    for path, text in walk_strings(loaded.data):
        font = heading if _heading_field(path) else body
        have = font_characters(font)
        missing = sorted({ch for ch in text if ord(ch) not in have and not ch.isspace()})
        if missing:
            shown = "、".join(f"「{ch}」（U+{ord(ch):04X}）" for ch in missing[:5])
            more = f" 等 {len(missing)} 个字符" if len(missing) > 5 else ""
            problems.append(
                loaded.problem(
                    "J501", ERROR, path,
                    f"字体「{font.family}」没有字符 {shown}{more}，印出来会是空框；请改用常用字，或用 --font-dir 换用含此字的字体",
                )
            )
    return problems


def font_css(settings: FontSettings) -> str:
    """@font-face rules for a font folder, the font stacks, and the footer's face (margin boxes do not inherit)."""
    rules = []
    if settings.folder is not None:
        for family in (settings.body, settings.heading):
            font = resolve_font(family, settings.folder)
            if font.path.is_relative_to(settings.folder):
                rules.append(f'@font-face {{ font-family: "{family}"; src: url("{font.path.as_uri()}"); }}')
    body = f'"{settings.body}", "Noto Serif CJK SC", serif'
    heading = f'"{settings.heading}", "Noto Sans CJK SC", sans-serif'
    rules.append(f":root {{ --form-serif: {body}; --form-sans: {heading}; }}")
    rules.append(f"@page {{ @bottom-center {{ font-family: {body}; }} }}")
    return "\n".join(rules)
