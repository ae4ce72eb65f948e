"""The one pipeline every command runs: find → load → check each form → cross-form rules, then the
output stages (PDF, site) in order. Every stage returns its problems; only cli.py prints them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from . import forms
from .catalogue import ERROR
from .checks import check_file_location, check_unique_locations
from .load import LoadedDocument, find_declarations, load_file
from .problems import Problem
from .roster import is_roster, load_roster


def run_checks(loaded: LoadedDocument) -> list[Problem]:
    """Every rule's findings for a document that loaded."""
    if loaded.declaration is None:
        return []
    rules = (*loaded.form.rules, check_file_location)
    return [problem for rule in rules for problem in rule(loaded)]


def run_cross_checks(documents: list[LoadedDocument]) -> list[Problem]:
    """The rules that need every document of the run: outputs that collide, forms that must agree."""
    valid = [item for item in documents if item.declaration is not None]
    found = list(check_unique_locations(valid))
    for form in forms.FORMS.values():
        for rule in form.cross_rules:
            found.extend(rule(valid))
    return found


def strictly(problems: list[Problem]) -> list[Problem]:
    """--strict: warnings count as errors."""
    return [p if p.is_error else replace(p, severity=ERROR) for p in problems]


def _order(problem: Problem):
    return (problem.file, problem.line, problem.column, problem.code)


def load_all(paths: list[str | Path], strict: bool = False) -> tuple[list[LoadedDocument], list[Problem]]:
    """Every document under `paths`, and every problem of every file, sorted by file and line."""
    files, problems = find_declarations(paths)
    for path in [path for path in files if is_roster(path, paths)]:
        files.remove(path)
        problems.extend(load_roster(path)[1])
    documents = [load_file(path) for path in files]
    for item in documents:
        problems.extend(item.problems)
        problems.extend(run_checks(item))
    problems.extend(run_cross_checks(documents))
    if strict:
        problems = strictly(problems)
    return documents, sorted(problems, key=_order)


@dataclass
class PdfOutput:
    out: Path
    renderer: object  # pdf.PdfRenderer
    force: bool = False
    progress: Callable | None = None


@dataclass
class SiteOutput:
    out: Path
    search: bool = True


@dataclass
class Build:
    documents: list[LoadedDocument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pdf: object = None  # pdf.PdfBuild, when PDFs were asked for
    stopped: bool = False  # errors in the declarations: nothing was written

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)


def build(paths: list[str | Path], pdf: PdfOutput | None = None, site: SiteOutput | None = None) -> Build:
    """Load and check everything first; write nothing if any document has an error. The site needs
    the PDFs, so asking for a site renders (or reuses) them first."""
    result = Build()
    result.documents, result.problems = load_all(paths)
    if result.failed:
        result.stopped = True
        return result
    if pdf is None and site is None:
        return result
    from .pdf import build_pdfs

    result.pdf = build_pdfs(result.documents, pdf.out, pdf.renderer, force=pdf.force, progress=pdf.progress)
    result.problems = sorted(result.problems + result.pdf.problems, key=_order)
    if result.pdf.problems or site is None:
        return result
    from .site import build_site

    result.problems = sorted(
        result.problems + build_site(result.documents, site.out, result.pdf.files, search=site.search), key=_order
    )
    return result
