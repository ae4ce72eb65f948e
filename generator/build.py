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
