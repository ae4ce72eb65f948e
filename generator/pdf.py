"""WeasyPrint: fonts chosen and checked for coverage, the form rendered to PDF/A-3b with its YAML inside."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import mimetypes
import os
import subprocess
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from .compact import compact_fonts
from .load import LoadedDeclaration
from .model import format_path
from .paginate import paginate
from .problems import Problem, ProblemsFound, Severity
from .render import TEMPLATES, render_form

FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
# WeasyPrint labels an attachment by its file name's type; Python before 3.13 knows no .yaml and
# would fall back to the machine's own database, so the same YAML could be labelled differently.
mimetypes.add_type("application/yaml", ".yaml")
mimetypes.add_type("application/yaml", ".yml")


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


@lru_cache(maxsize=None)
def font_characters(font: FontFile) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(font.path, fontNumber=font.index, lazy=True) as tt:
        return frozenset(tt.getBestCmap())


def _strings(value: Any, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))


def _heading_field(path: tuple) -> bool:
    """The values the form sets in the heading face: the title and the 一级/二级 indicator cells."""
    return path == ("title",) or (len(path) in (3, 5) and path[0] == "indicators" and path[-1] in ("level1", "level2"))


def check_coverage(loaded: LoadedDeclaration, settings: FontSettings) -> list[Problem]:
    """Every character must be in the face that prints it: a missing one would print as tofu."""
    body = resolve_font(settings.body, settings.folder)
    heading = resolve_font(settings.heading, settings.folder)
    problems = []
    for path, text in _strings(loaded.data, ()):
        font = heading if _heading_field(path) else body
        have = font_characters(font)
        missing = sorted({ch for ch in text if ord(ch) not in have and not ch.isspace()})
        if missing:
            shown = "、".join(f"「{ch}」（U+{ord(ch):04X}）" for ch in missing[:5])
            more = f" 等 {len(missing)} 个字符" if len(missing) > 5 else ""
            problems.append(
                loaded.problem(
                    "J501", Severity.ERROR, path,
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


def source_date(loaded: LoadedDeclaration) -> dt.datetime:
    """The date a PDF carries: SOURCE_DATE_EPOCH, else the file's last commit, else its filing date, else 1 Jan."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cI", "--", loaded.path.name],
            cwd=loaded.path.parent, capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        if out:
            return dt.datetime.fromisoformat(out).astimezone(dt.timezone.utc)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    declaration = loaded.declaration
    day = declaration.filing.date if declaration.filing and declaration.filing.date else dt.date(declaration.year, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@dataclass
class PdfRenderer:
    """One WeasyPrint set-up (FontConfiguration, stylesheets) shared by every PDF of a build."""

    settings: FontSettings = field(default_factory=FontSettings)

    def __post_init__(self):
        from weasyprint import CSS
        from weasyprint.text.ffi import harfbuzz_subset
        from weasyprint.text.fonts import FontConfiguration

        if harfbuzz_subset is None:
            # WeasyPrint would fall back to fontTools: same PDF, 13x slower. Refuse, say how to fix.
            raise FontError("缺少 HarfBuzz 子集库（libharfbuzz-subset0）；请运行 make pdf 自动安装，或 apt-get install libharfbuzz-subset0")
        for family in {self.settings.body, self.settings.heading}:
            resolve_font(family, self.settings.folder)
        self.font_config = FontConfiguration()
        # WeasyPrint reports a stylesheet's problems (an unknown property, a bad value) while parsing
        # it, here, not while rendering: kept, and reported by every render like a layout warning.
        collect = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collect)
        try:
            self.stylesheets = [
                CSS(filename=str(TEMPLATES / "static" / name), font_config=self.font_config)
                for name in ("form.css", "print.css")
            ]
            self.fonts_css = CSS(string=font_css(self.settings), font_config=self.font_config)
        finally:
            logger.removeHandler(collect)
        self.stylesheet_warnings = collect.messages

    def render(self, loaded: LoadedDeclaration, date: dt.datetime | None = None) -> bytes:
        """The PDF's bytes, dated `date` (else source_date); raises ProblemsFound for tofu or any WeasyPrint warning."""
        from weasyprint import HTML, Attachment

        problems = check_coverage(loaded, self.settings)
        if problems:
            raise ProblemsFound(problems)
        declaration = loaded.declaration
        date = date or source_date(loaded)
        stamp = date.strftime("%Y-%m-%dT%H:%M:%SZ")
        source = loaded.path.read_bytes() if loaded.path.is_file() else loaded.text.encode("utf-8")
        attachment = Attachment(
            file_obj=io.BytesIO(source),
            name=f"{declaration.department.id}.yaml",
            description=f"{declaration.department.name} {declaration.year}年度申报数据（YAML 源文件）",
            created=date,
            modified=date,
            relationship="Source",
        )
        collect = _Collect()
        logger = logging.getLogger("weasyprint")
        logger.addHandler(collect)
        def layout(plan):
            html = render_form(declaration, "print.html", plan=plan, date=stamp, font_faces="")
            return HTML(string=html, base_url=str(TEMPLATES)).render(
                stylesheets=[*self.stylesheets, self.fonts_css], font_config=self.font_config
            )

        try:
            # Laid out, read back, and laid out again where a group or row must be cut at a page
            # break so that every page carries its labels (generator/paginate.py).
            document, _plan = paginate(layout)
            pdf = document.write_pdf(
                pdf_variant="pdf/a-3b",
                attachments=[attachment],
                pdf_identifier=hashlib.md5(source).hexdigest().encode(),
                uncompressed_pdf=False,
            )
        finally:
            logger.removeHandler(collect)
        # Each layout reports the same problem again: once is enough.
        messages = list(dict.fromkeys([*self.stylesheet_warnings, *collect.messages]))
        if messages:
            raise ProblemsFound(
                [
                    Problem(loaded.display, 1, 1, "J510", Severity.ERROR, format_path(()), f"排版时 WeasyPrint 报告：{message}")
                    for message in messages
                ]
            )
        return compact_fonts(pdf)
