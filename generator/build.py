"""Orchestration: load and check every declaration first, then (later stages) render and write."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from .checks import duplicate_ids, run_checks
from .load import LoadedDeclaration, find_declarations, load_file
from .problems import Problem, ProblemsFound
from .render import TEMPLATES


def load_and_check(paths: list[str | Path], strict: bool = False) -> tuple[list[LoadedDeclaration], list[Problem]]:
    """Every declaration under `paths`, and every problem of every file, sorted by file and line."""
    files, problems = find_declarations(paths)
    loaded = [load_file(path) for path in files]
    for item in loaded:
        problems.extend(item.problems)
        problems.extend(run_checks(item, strict=strict))
    problems.extend(duplicate_ids(loaded))
    return loaded, sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code))


_UMASK = os.umask(0)
os.umask(_UMASK)


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename: a reader never sees half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_UMASK)  # mkstemp makes 0600; published files are world-readable
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def pdf_path(out: Path, declaration) -> Path:
    return out / "pdf" / str(declaration.year) / f"{declaration.department.id}.pdf"


# What a PDF is made from, so that editing the website's pages does not re-render every PDF.
PDF_TEMPLATES = ("form.html", "print.html", "static/form.css", "static/print.css")
PDF_MODULES = ("__init__.py", "parse.py", "load.py", "model.py", "problems.py", "render.py", "pdf.py", "compact.py", "build.py")


def _inputs_fingerprint(renderer) -> str:
    """What every PDF depends on besides its YAML: templates, styles, fonts, tool versions."""
    import weasyprint

    from . import __version__
    from .pdf import resolve_font

    digest = hashlib.sha256(f"jixiao {__version__} weasyprint {weasyprint.__version__}\n".encode())
    for name in PDF_TEMPLATES:
        digest.update(name.encode() + b"\0" + (TEMPLATES / name).read_bytes())
    for name in PDF_MODULES:
        digest.update(name.encode() + b"\0" + (Path(__file__).parent / name).read_bytes())
    settings = renderer.settings
    for family in (settings.body, settings.heading):
        font = resolve_font(family, settings.folder)
        stat = font.path.stat()
        digest.update(f"{family}\0{font.path}\0{font.index}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


@dataclass
class PdfBuild:
    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def build_pdfs(loaded: list[LoadedDeclaration], out: Path, renderer, force: bool = False, progress=None) -> PdfBuild:
    """Render every declaration whose inputs changed since its PDF was written; nothing is written on error."""
    from .pdf import check_coverage, source_date

    result = PdfBuild()
    for item in loaded:
        result.problems.extend(check_coverage(item, renderer.settings))
    if result.problems:
        return result
    common = _inputs_fingerprint(renderer)
    manifest_path = out / "pdf" / ".fingerprints.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    items = progress(loaded) if progress else loaded
    for item in items:
        target = pdf_path(out, item.declaration)
        key = str(target.relative_to(out))
        date = source_date(item)  # asks git once; the PDF carries the same date
        stamp = f"{common}\0{date.isoformat()}\0".encode()
        fingerprint = hashlib.sha256(stamp + item.path.read_bytes()).hexdigest()
        if not force and target.is_file() and manifest.get(key) == fingerprint:
            result.skipped.append(target)
            continue
        try:
            data = renderer.render(item, date)
        except ProblemsFound as exc:
            result.problems.extend(exc.problems)
            continue
        write_atomically(target, data)
        manifest[key] = fingerprint
        result.written.append(target)
    write_atomically(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return result


# ---- workbooks ------------------------------------------------------------------------------------

XLSX_MODULES = ("__init__.py", "model.py", "render.py", "workbook_write.py", "department_sheet.py", "build.py")


def xlsx_path(out: Path, declaration) -> Path:
    return out / "xlsx" / str(declaration.year) / f"{declaration.department.id}.xlsx"


def year_xlsx_path(out: Path, year: int) -> Path:
    return out / "xlsx" / str(year) / f"jixiao-{year}.xlsx"


def _xlsx_fingerprint() -> str:
    import openpyxl

    from . import __version__

    digest = hashlib.sha256(f"jixiao {__version__} openpyxl {openpyxl.__version__}\n".encode())
    for name in XLSX_MODULES:
        digest.update(name.encode() + b"\0" + (Path(__file__).parent / name).read_bytes())
    return digest.hexdigest()


def declaration_workbook(items: list[LoadedDeclaration], stamp) -> bytes:
    """One workbook with a sheet per declaration (in the order given), saved deterministically."""
    from openpyxl import Workbook

    from .department_sheet import sheet_title, write_sheet
    from .workbook_write import save_deterministic

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for item in items:
        title = base = sheet_title(item.declaration)
        number = 2
        while title.lower() in used:  # sheet names are unique regardless of case
            suffix = f"（{number}）"
            title = base[: 31 - len(suffix)] + suffix
            number += 1
        used.add(title.lower())
        write_sheet(item.declaration, workbook.create_sheet(title))
    return save_deterministic(workbook, stamp.replace(tzinfo=None) if stamp else None)


def build_workbooks(loaded: list[LoadedDeclaration], out: Path, force: bool = False) -> PdfBuild:
    """output/xlsx/<年度>/<部门标识>.xlsx for every declaration whose inputs changed, and one
    output/xlsx/<年度>/jixiao-<年度>.xlsx per year with a sheet per department."""
    from .pdf import source_date

    result = PdfBuild()
    common = _xlsx_fingerprint()
    manifest_path = out / "xlsx" / ".fingerprints.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    by_year: dict[int, list[tuple[LoadedDeclaration, str, object]]] = {}
    for item in loaded:
        date = source_date(item)
        fingerprint = hashlib.sha256(f"{common}\0{date.isoformat()}\0".encode() + item.path.read_bytes()).hexdigest()
        by_year.setdefault(item.declaration.year, []).append((item, fingerprint, date))
        target = xlsx_path(out, item.declaration)
        key = str(target.relative_to(out))
        if not force and target.is_file() and manifest.get(key) == fingerprint:
            result.skipped.append(target)
            continue
        write_atomically(target, declaration_workbook([item], date))
        manifest[key] = fingerprint
        result.written.append(target)
    for year, members in sorted(by_year.items()):
        members.sort(key=lambda m: (m[0].declaration.department.name, m[0].declaration.department.id))
        target = year_xlsx_path(out, year)
        key = str(target.relative_to(out))
        fingerprint = hashlib.sha256("\0".join(f for _, f, _ in members).encode()).hexdigest()
        if not force and target.is_file() and manifest.get(key) == fingerprint:
            result.skipped.append(target)
            continue
        stamp = max(date for _, _, date in members)
        write_atomically(target, declaration_workbook([m[0] for m in members], stamp))
        manifest[key] = fingerprint
        result.written.append(target)
    write_atomically(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return result


WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def import_files(
    files: list[Path], out: Path, dept_id: str | None = None, year: int | None = None, force: bool = False
) -> tuple[list[Path], list[Problem]]:
    """Import every form in every workbook (generator.department_sheet), check each YAML as
    `jixiao validate` would, write it to out/<年度>/<部门标识>.yaml (never over an existing file
    unless `force`). Returns the files written and every problem, workbook cells and YAML lines alike."""
    from .department_sheet import import_workbook
    from .load import load_text
    from .problems import Severity

    schema = out / "declaration.schema.json"
    if not schema.is_file():
        schema = Path("declarations") / "declaration.schema.json"
    written: list[Path] = []
    problems: list[Problem] = []
    seen: dict[Path, str] = {}
    expanded: list[Path] = []
    for path in files:  # a folder stands for the workbooks in it (not Excel's ~$ lock files)
        if path.is_dir():
            expanded += sorted(
                p for p in path.rglob("*")
                if p.suffix.lower() in WORKBOOK_SUFFIXES and p.is_file() and not p.name.startswith(("~$", "."))
            )
        else:
            expanded.append(path)
    for path in expanded:
        forms, book_problems = import_workbook(path, out, display=str(path), dept_id=dept_id, year=year, schema_path=schema)
        problems.extend(book_problems)
        for form in forms:
            problems.extend(form.problems)
            if form.target is None or form.text is None:
                continue
            where = f"{path}:{form.sheet}"
            if form.target in seen:
                problems.append(
                    Problem(str(path), 0, 0, "J610", Severity.ERROR, "department.id",
                            f"与 {seen[form.target]} 得到同一个文件 {form.target}，请分别导入并用 --id 区分", where=form.sheet)
                )
                continue
            seen[form.target] = where
            if form.target.exists() and not force:
                problems.append(
                    Problem(str(path), 0, 0, "J608", Severity.ERROR, "", f"{form.target} 已存在，没有覆盖（要覆盖请加 --force）", where=form.sheet)
                )
                continue
            loaded = load_text(form.text, str(form.target))
            problems.extend(loaded.problems)
            if loaded.declaration is not None:
                problems.extend(run_checks(loaded))
            write_atomically(form.target, form.text.encode("utf-8"))
            written.append(form.target)
    return written, problems
