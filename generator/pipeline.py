"""The one pipeline every command runs: find → load → check each form → cross-form rules, then the
output stages (PDF, site) in order. Every stage returns its problems; only cli.py prints them."""

from __future__ import annotations

import gc
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from typing import TYPE_CHECKING

from .catalogue import ERROR
from .files import Outputs, find_declarations, is_roster
from .problems import Problem

if TYPE_CHECKING:
    from .load import LoadedDocument

# The forms, pydantic and the loader are imported where used: a no-op build never needs them.


def run_checks(loaded: LoadedDocument) -> list[Problem]:
    """Every rule's findings for a document that loaded."""
    from .checks import check_file_location

    if loaded.declaration is None:
        return []
    rules = (*loaded.form.rules, check_file_location)
    return [problem for rule in rules for problem in rule(loaded)]


def run_cross_checks(documents: list[LoadedDocument]) -> list[Problem]:
    """The rules that need every document of the run: outputs that collide, forms that must agree."""
    from . import forms
    from .checks import check_unique_locations

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


def _find(paths: list[str | Path]) -> tuple[list[Path], list[Path], list[Problem]]:
    """(declaration files, rosters, problems): the roster (declarations/departments.yaml) is no form."""
    files, problems = find_declarations(paths)
    rosters = [path for path in files if is_roster(path, paths)]
    return [path for path in files if path not in rosters], rosters, problems


def _load(files: list[Path], problems: list[Problem], rosters: list[Path] = ()) -> list[LoadedDocument]:
    from .load import load_file
    from .roster import load_roster

    for path in rosters:
        problems.extend(load_roster(path)[1])
    # Loading makes many objects that live as long as the run and next to no reference cycles: the
    # cycle collector, which walks all the documents loaded so far each time it runs, took a third
    # of the time for 1,000 files. It is paused while they load.
    collecting = gc.isenabled()
    gc.disable()
    try:
        documents = [load_file(path) for path in files]
    finally:
        if collecting:
            gc.enable()
    for item in documents:
        problems.extend(item.problems)
        problems.extend(run_checks(item))
    problems.extend(run_cross_checks(documents))
    return documents


def load_all(paths: list[str | Path], strict: bool = False) -> tuple[list[LoadedDocument], list[Problem]]:
    """Every document under `paths`, and every problem of every file, sorted by file and line."""
    files, rosters, problems = _find(paths)
    documents = _load(files, problems, rosters)
    if strict:
        problems = strictly(problems)
    return documents, sorted(problems, key=_order)


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


Shard = tuple[int, int]  # --shard I/N: the I-th of N parts, 1 ≤ I ≤ N


@dataclass
class PdfOutput:
    out: Path
    settings: object  # fonts.FontSettings
    force: bool = False
    progress: Callable | None = None
    jobs: int = 1
    shard: Shard | None = None
    renderer: object = None  # pdf.PdfRenderer kept warm from one build to the next (serve)


@dataclass
class XlsxOutput:
    out: Path
    force: bool = False
    shard: Shard | None = None
    jobs: int = 1
    progress: Callable | None = None


@dataclass
class SiteOutput:
    out: Path
    search: bool = True
    cache: Path = Path("output")  # where PDFs and workbooks are built (incrementally) for the site
    pdf_from: Path | None = None  # PDFs (and workbooks) made elsewhere, e.g. by the shards of a CI matrix
    jobs: int = 1  # processes writing the documents' pages and downloads
    progress: Callable | None = None  # shows the workbooks' progress on a terminal


@dataclass
class Build:
    documents: list[LoadedDocument] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    pdf: object = None  # pdf.PdfBuild, when PDFs were asked for
    xlsx: object = None  # files.Outputs of the workbooks, when they were asked for
    stopped: bool = False  # errors in the declarations: nothing was written
    count: int = 0  # declaration files found

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)


def _state(pdf: PdfOutput | None, xlsx: XlsxOutput | None, files: list[Path]):
    """The state file of a PDF-only or workbook-only build and this run's key (generator/unchanged.py)."""
    from .unchanged import State, inputs_fingerprint, workbook_inputs_fingerprint

    if pdf is not None:
        state = State(pdf.out / "pdf" / ".state.json")
        return state, state.key(files, f"pdf {inputs_fingerprint(pdf.settings)} {pdf.shard}")
    state = State(xlsx.out / "xlsx" / ".state.json")
    return state, state.key(files, f"xlsx {workbook_inputs_fingerprint()} {xlsx.shard}")


def build(
    paths: list[str | Path], pdf: PdfOutput | None = None, site: SiteOutput | None = None, xlsx: XlsxOutput | None = None
) -> Build:
    """Load and check everything first; write nothing if any document has an error. The site needs
    the PDFs and workbooks, so asking for a site builds (or reuses) them first. A PDF or workbook
    build with nothing changed since the last successful one ends before loading anything."""
    from .history import forget_dates

    forget_dates()  # each build asks git afresh (serve rebuilds after commits)
    result = Build()
    files, rosters, result.problems = _find(paths)
    result.count = len(files)
    state = key = None
    if site is None and (pdf is None) != (xlsx is None) and not result.failed:
        state, key = _state(pdf, xlsx, files)
        outputs = None if (pdf or xlsx).force else state.unchanged(key, (pdf or xlsx).out)
        if outputs is not None:
            made = Outputs(skipped=outputs)
            if pdf is not None:
                result.pdf = made
            else:
                result.xlsx = made
            return result
    result.documents = _load(files, result.problems, rosters)
    result.problems.sort(key=_order)
    if result.failed:
        result.stopped = True
        if state is not None:
            state.forget()
        return result
    if pdf is not None:
        from .pdf import build_pdfs

        result.pdf = build_pdfs(
            result.documents, pdf.out, pdf.settings, force=pdf.force, progress=pdf.progress, jobs=pdf.jobs,
            shard=pdf.shard, renderer=pdf.renderer,
        )
        pdf.renderer = result.pdf.renderer or pdf.renderer
        result.problems = sorted(result.problems + result.pdf.problems, key=_order)
    if xlsx is not None:
        from .xlsx import build_workbooks

        result.xlsx = build_workbooks(
            result.documents, xlsx.out, force=xlsx.force, shard=xlsx.shard, jobs=xlsx.jobs, progress=xlsx.progress,
        )
        result.problems = sorted(result.problems + result.xlsx.problems, key=_order)
    if state is not None:
        made = result.pdf or result.xlsx
        if result.failed:
            state.forget()
        else:
            state.save(key, (pdf or xlsx).out, [*made.written, *made.skipped])
    if site is None or result.failed:
        return result
    from .site import build_site, published
    from .xlsx import year_xlsx_path

    folder = site.pdf_from if site.pdf_from is not None else site.cache
    year_workbooks = {item.year: year_xlsx_path(folder, item.year) for item in result.documents}
    if site.pdf_from is not None:
        pdfs, workbooks, missing = published(result.documents, site.pdf_from)
        result.problems = sorted(result.problems + missing, key=_order)
        if result.failed:
            return result
    else:
        from .xlsx import build_workbooks

        pdfs = result.pdf.files
        result.xlsx = build_workbooks(result.documents, site.cache, jobs=site.jobs, progress=site.progress)
        workbooks = result.xlsx.files
    result.problems = sorted(
        result.problems + build_site(
            result.documents, site.out, pdfs, workbooks, search=site.search, jobs=site.jobs, year_workbooks=year_workbooks,
        ), key=_order
    )
    return result
