"""The one pipeline every command runs: find → load → check each form → cross-form rules, then the
output stages (PDF, site) in order. Every stage returns its problems; only cli.py prints them."""

from __future__ import annotations

import gc
from collections import Counter
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from generator.core.catalogue import ERROR
from generator.core.files import Outputs, find_declarations, is_roster
from generator.core.problems import Problem, StageFailed

if TYPE_CHECKING:  # the loader and pydantic are imported where used: a no-op build never needs them
    from generator.core.document import LoadedDocument


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
    from generator.input.checks import run_checks, run_cross_checks
    from generator.input.load import load_file
    from generator.input.roster import load_roster

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
    warm: bool = False  # render in this process and keep the renderer (serve), never beside the site


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
    withheld: list = field(default_factory=list)  # dependents.Withheld: left out by --skip-invalid

    @property
    def failed(self) -> bool:
        return any(p.is_error for p in self.problems)


def _state(pdf: PdfOutput | None, xlsx: XlsxOutput | None, files: list[Path]):
    """The state file of a PDF-only or workbook-only build and this run's key (generator/unchanged.py)."""
    from generator.core.unchanged import State, inputs_fingerprint, workbook_inputs_fingerprint

    if pdf is not None:
        state = State(pdf.out / "pdf" / ".state.json")
        return state, state.key(files, f"pdf {inputs_fingerprint(pdf.settings)} {pdf.shard}")
    state = State(xlsx.out / "xlsx" / ".state.json")
    return state, state.key(files, f"xlsx {workbook_inputs_fingerprint()} {xlsx.shard}")


def _withhold(result: Build) -> None:
    """--skip-invalid: leave out each file with an error and the files leaning on it; an error that
    belongs to no document (a folder that is not there, a broken roster) still stops everything."""
    from generator.site.dependents import withhold

    names = {item.display for item in result.documents}
    if any(p.is_error and p.file not in names for p in result.problems):
        return
    result.documents, result.withheld = withhold(result.documents, result.problems)
    out = {w.file for w in result.withheld}
    result.problems = [p for p in result.problems if p.file not in out]


def write_withheld(result: Build, folder: Path) -> Path:
    """The withheld files for the desk (jixiao review reads <output>/withheld.json)."""
    import json

    from generator.core.files import write_atomically

    data = {"version": 1, "withheld": [
        {"file": w.file, "year": w.year, "reason": w.reason, "because_of": w.because_of} for w in result.withheld
    ]}
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "withheld.json"
    write_atomically(target, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return target


def _folders(pdf: PdfOutput | None, site: SiteOutput | None, xlsx: XlsxOutput | None) -> list[Path]:
    """The output folders a build writes into, each held by it alone (generator/core/outdir.py)."""
    folders = []
    if pdf is not None:
        folders.append(pdf.out / "pdf")
    if xlsx is not None:
        folders.append(xlsx.out / "xlsx")
    if site is not None:
        if site.pdf_from is None:
            folders.append(site.cache / "xlsx")
        folders.append(site.out)
    return list({os.path.abspath(folder): folder for folder in folders}.values())


def _forget_state(pdf: PdfOutput | None, xlsx: XlsxOutput | None) -> None:
    from generator.core.unchanged import State

    for folder in (pdf.out / "pdf" if pdf else None, xlsx.out / "xlsx" if xlsx else None):
        if folder is not None:
            try:
                State(folder / ".state.json").forget()
            except OSError:
                pass


def build(
    paths: list[str | Path], pdf: PdfOutput | None = None, site: SiteOutput | None = None, xlsx: XlsxOutput | None = None,
    skip_invalid: bool = False,
) -> Build:
    """`run_build` with its output folders held: refused (J532) while another build writes into one."""
    from generator.core.catalogue import code
    from generator.core.outdir import Busy, held
    from generator.core.problems import Severity

    try:
        with held(*_folders(pdf, site, xlsx)):
            try:
                return run_build(paths, pdf, site, xlsx, skip_invalid)
            except BaseException:
                _forget_state(pdf, xlsx)  # a disk full half-way: the next run is no no-op
                raise
    except Busy as busy:
        message = code("J532").text(pid=busy.pid or "?")
        problem = Problem(str(busy.folder), 1, 1, "J532", Severity.ERROR, "", message, where="")
        return Build(problems=[problem], stopped=True)


def run_build(
    paths: list[str | Path], pdf: PdfOutput | None = None, site: SiteOutput | None = None, xlsx: XlsxOutput | None = None,
    skip_invalid: bool = False,
) -> Build:
    """Load and check everything first; write nothing if any document has an error (with
    skip_invalid, write every document without one and list the rest in withheld). The site needs
    the PDFs and workbooks, so asking for a site builds (or reuses) them first. A PDF or workbook
    build with nothing changed since the last successful one ends before loading anything."""
    from generator.core.history import forget_dates

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
    if result.failed and skip_invalid:
        _withhold(result)
    if skip_invalid and not result.failed:
        write_withheld(result, site.cache if site is not None else (pdf or xlsx).out)
    if result.failed:
        result.stopped = True
        if state is not None:
            state.forget()
        return result
    if site is not None and site.pdf_from is None:
        return _publish(result, pdf, site)
    if pdf is not None:
        from generator.pdf.writer import build_pdfs

        result.pdf = build_pdfs(
            result.documents, pdf.out, pdf.settings, force=pdf.force, progress=pdf.progress, jobs=pdf.jobs,
            shard=pdf.shard, renderer=pdf.renderer,
        )
        pdf.renderer = result.pdf.renderer or pdf.renderer
        result.problems = sorted(result.problems + result.pdf.problems, key=_order)
    if xlsx is not None:
        from generator.excel.workbooks import build_workbooks

        result.xlsx = build_workbooks(
            result.documents, xlsx.out, force=xlsx.force, shard=xlsx.shard, jobs=xlsx.jobs, progress=xlsx.progress,
        )
        result.problems = sorted(result.problems + result.xlsx.problems, key=_order)
    if state is not None:
        made = result.pdf or result.xlsx
        if result.failed or result.withheld:  # withheld files are looked at again next time
            state.forget()
        else:
            state.save(key, (pdf or xlsx).out, [*made.written, *made.skipped])
    if site is None or result.failed:
        return result
    from generator.site.build import build_site, published
    from generator.excel.workbooks import year_xlsx_path

    # --pdf-from: the PDFs and workbooks made elsewhere (the site with its own: _publish)
    year_workbooks = {item.year: year_xlsx_path(site.pdf_from, item.year) for item in result.documents}
    pdfs, workbooks, missing = published(result.documents, site.pdf_from)
    result.problems = sorted(result.problems + missing, key=_order)
    if result.failed:
        return result
    result.problems = sorted(
        result.problems + build_site(
            result.documents, site.out, pdfs, workbooks, search=site.search, jobs=site.jobs, year_workbooks=year_workbooks,
            withheld=Counter(w.year for w in result.withheld),
        ), key=_order
    )
    return result


def _pdfs(documents: list, pdf: PdfOutput):
    from generator.pdf.writer import build_pdfs

    made = build_pdfs(
        documents, pdf.out, pdf.settings, force=pdf.force, progress=pdf.progress, jobs=pdf.jobs, renderer=pdf.renderer,
    )
    if pdf.warm:
        pdf.renderer = made.renderer or pdf.renderer
    made.renderer = None  # stays in its process
    return made


def _workbooks(documents: list, site: SiteOutput):
    from generator.excel.workbooks import build_workbooks

    return build_workbooks(documents, site.cache, jobs=site.jobs, progress=site.progress)


def _publish(result: Build, pdf: PdfOutput, site: SiteOutput) -> Build:
    """The site with its PDFs and workbooks: those are made by two forked processes (one each) while
    this one writes the pages and starts the search index, which need neither (a page names its PDF,
    and the PDF's place is known beforehand); the site then waits for them before it copies them in,
    and is dropped whole if they failed. After one changed file this halves the wait on two cores.
    Workbooks made for a build whose PDFs fail are kept: the next build finds them unchanged. A warm
    PDF stage (serve) makes both here, first, and keeps its renderer for the next build."""
    from generator.excel.workbooks import xlsx_path, year_xlsx_path
    from generator.pdf.writer import pdf_path
    from generator.site.build import build_site

    documents = result.documents
    pdfs = {item.location: pdf_path(pdf.out, item) for item in documents}
    workbooks = {item.location: xlsx_path(site.cache, item) for item in documents if item.form.sheet is not None}
    year_workbooks = {item.year: year_xlsx_path(site.cache, item.year) for item in documents}
    stage = Now if pdf.warm else Forked
    making = [stage(_pdfs, documents, pdf), stage(_workbooks, documents, site)]

    def ready() -> bool:
        result.pdf, result.xlsx = (process.result() for process in making)
        result.problems = sorted(result.problems + result.pdf.problems + result.xlsx.problems, key=_order)
        return not result.failed

    try:
        problems = build_site(
            documents, site.out, pdfs, workbooks, search=site.search, jobs=site.jobs, year_workbooks=year_workbooks,
            withheld=Counter(w.year for w in result.withheld), ready=ready,
        )
    finally:
        for process in making:
            process.stop()
    result.problems = sorted(result.problems + problems, key=_order)
    return result


class Forked:
    """function(*args) run in a forked process (it inherits the loaded documents instead of having
    them pickled to it); result() waits for its return value, or raises what it raised."""

    def __init__(self, function, *args):
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=_run_forked, args=(send, function, args))
        self._process.start()
        send.close()
        self._done = False

    def result(self):
        try:
            kind, value = self._receive.recv()
        except EOFError:
            self._process.join()
            kind, value = "error", StageFailed(
                f"生成 PDF 和 Excel 的进程意外退出（退出码 {self._process.exitcode}，常因内存不足被系统结束）；"
                "请重试，或用 --jobs 1 减少同时运行的进程"
            )
        finally:
            self._done = True
            self._process.join()
        if kind == "error":
            raise value
        return value

    def stop(self) -> None:
        """Ended unwaited for (the site failed): stopped, not left writing."""
        if not self._done:
            self._process.terminate()
            self._process.join()
        self._receive.close()


class Now:
    """function(*args) run here and now, answering like Forked."""

    def __init__(self, function, *args):
        self._value = function(*args)

    def result(self):
        return self._value

    def stop(self) -> None:
        pass


def _run_forked(send, function, args) -> None:
    from generator.core.outdir import die_with_parent

    die_with_parent()
    try:
        outcome = ("ok", function(*args))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, which raises it
        outcome = ("error", exc)
    try:
        send.send(outcome)
    except Exception:  # an exception that does not pickle: its words
        send.send(("error", RuntimeError(str(outcome[1]))))
    finally:
        send.close()
