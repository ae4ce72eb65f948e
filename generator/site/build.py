"""The site stage: a page per document in the official layout, year and home listings, downloads,
search. It works on the loaded documents and the PDFs the PDF stage made; it knows no form by name."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Callable

from generator import __version__
from generator.core import registry
from generator.site.export import declaration_json, table_csv, year_bundle
from generator.core.fieldpath import field_label
from generator.core.fields import format_amount
from generator.core.history import Change, commit_dates, histories, source_date
from generator.core.problems import Problem, StageFailed
from generator.render.templates import DOCS, TEMPLATES, doc_to_html, environment, form_context
from generator.excel.workbooks import workbook_bytes, xlsx_path
from generator.core.outdir import die_with_parent, retired_of, staging_of
from generator.site import listings
from generator.site.figures import department_years, year_totals
from generator.site.reuse import Staging, key_of, save_state, site_fingerprint, source_key

SITE_TITLE = "部门预算绩效目标公开"
STATIC_FILES = ("form.css", "site.css", "listing.css", "search.js", "listing.js", "favicon.svg")
# The guide's pages in the order its menu lists them; any other page of docs/ follows by name.
HELP_ORDER = ("index", "install", "first-filing", "self-evaluation", "vscode", "excel", "codes", "bureau", "publishing", "review")


@dataclass(frozen=True)
class HelpPage:
    """One page of the user guide (docs/<name>.md), at help/<name>.html (help/index.html for index)."""

    name: str
    title: str
    body: str

    @property
    def file(self) -> str:
        return f"{self.name}.html"


def help_pages(folder: Path = DOCS) -> list[HelpPage]:
    if not folder.is_dir():
        return []
    paths = sorted(folder.glob("*.md"), key=lambda p: (HELP_ORDER.index(p.stem) if p.stem in HELP_ORDER else len(HELP_ORDER), p.stem))
    pages = []
    for path in paths:
        text = path.read_text(encoding="utf-8")
        title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), path.stem)
        pages.append(HelpPage(path.stem, title, doc_to_html(text)))
    return pages


@dataclass
class Entry:
    """One document as the site shows it."""

    loaded: object  # load.LoadedDocument
    history: list[Change] = field(default_factory=list)
    related: list["Entry"] = field(default_factory=list)  # the same department's other forms that year

    @property
    def form(self):
        return self.loaded.form

    @property
    def d(self):
        return self.loaded.declaration

    @property
    def folder(self) -> str:
        return self.loaded.location

    @property
    def depth(self) -> int:
        return len(PurePosixPath(self.folder).parts)

    @property
    def year(self) -> int:
        return self.loaded.year

    @property
    def department(self):
        return self.loaded.department

    @property
    def name(self) -> str:
        return self.form.name(self.d)

    @property
    def base(self) -> str:
        """Base name of its downloads: nansha-dongchong.pdf, roads.json."""
        return self.form.output_name(self.d)

    @property
    def is_department_form(self) -> bool:
        return self.form.heads_department

    @property
    def evaluated(self) -> str | None:
        """The folder of the target form this document evaluates (a self-evaluation's), else None."""
        return self.form.target_location(self.d) if self.form.target_location else None

    @property
    def cells(self) -> list[str]:
        """The form's listing columns for this document."""
        return [column.value(self.d) for column in self.form.columns]

    @property
    def facts(self) -> list[tuple[str, str]]:
        return [(column.header, column.text(self.d)) for column in self.form.columns]

    @property
    def headline(self) -> str:
        if self.form.headline is None:
            return ""
        title, amount = self.form.headline(self.d)
        return f"{title} {format_amount(amount)} 万元"

    def downloads(self) -> list[tuple[str, str, str]]:
        """(file name, what it is, format) in the order the page lists them."""
        base = self.base
        files = [
            (f"{base}.pdf", f"{self.form.title} PDF（可打印、归档，内含 YAML 源数据）", "PDF"),
        ]
        if self.form.sheet is not None:
            files.append((f"{base}.xlsx", f"{self.form.title} Excel（官方版式，可用 jixiao import 导回）", "XLSX"))
        files += [
            (f"{base}.yaml", "YAML 源文件", "YAML"),
            (f"{base}.json", "完整数据", "JSON"),
        ]
        files += [(f"{base}-{table.name}.csv", table.title, "CSV") for table in self.form.tables(self.d)]
        return files




def _relative(depth: int) -> str:
    return "../" * depth


def _same(entry: Entry, other: Entry) -> bool:
    """The same form of the same department and project (by id, or by 项目编码 when the id changed)."""
    if other.form is not entry.form:
        return False
    if PurePosixPath(other.folder).parts[1:] == PurePosixPath(entry.folder).parts[1:]:
        return True
    return _code(entry) is not None and _code(other) == _code(entry)


def _previous(entry: Entry, entries: list[Entry]) -> Entry | None:
    """The same form of the same department (and project) in the latest earlier year."""
    earlier = [e for e in entries if e.year < entry.year and _same(entry, e)]
    return max(earlier, key=lambda e: e.year) if earlier else None


def _next(entry: Entry, entries: list[Entry]) -> Entry | None:
    """The same form of the same department (and project) in the earliest later year."""
    later = [e for e in entries if e.year > entry.year and _same(entry, e)]
    return min(later, key=lambda e: e.year) if later else None


def _search_order(entry: Entry, index: int) -> int:
    """Where a page comes among its department's pages in search results: the department's own form,
    its self-evaluation, the projects' forms, their self-evaluations; newest year first in each; then
    the site's order (`index`), so that no two pages tie."""
    own = entry.is_department_form or entry.evaluated == f"{entry.year}/{entry.department.id}"
    rank = (0 if own else 2) + (1 if entry.form.target_location else 0)
    return (rank * 10000 + (9999 - entry.year)) * 1_000_000 + index


def _code(entry: Entry) -> str | None:
    """A project's 项目编码, which stays when its id changes from one year to the next."""
    code = getattr(getattr(entry.d, "project", None), "code", None)
    return str(code).strip() or None if code else None


class SiteWriter:
    """Renders pages into a fresh folder, which replaces the site only once it is complete."""

    def __init__(
        self, entries: list[Entry], pdfs: dict[str, Path], workbooks: dict[str, Path] | None = None,
        year_workbooks: dict[int, Path] | None = None,
    ):
        order = list(registry.forms())
        self.entries = sorted(
            entries, key=lambda e: (-e.year, e.department.name, e.department.id, order.index(e.form.kind), e.folder)
        )
        self.pdfs = pdfs
        self.workbooks = workbooks or {}
        self.year_workbooks = year_workbooks or {}
        self.env = environment()
        self.staging = Staging(Path("."))  # set by write()
        self.env.globals["as_shared"] = listings.as_shared
        self.years = sorted({e.year for e in self.entries}, reverse=True)
        # Indexed once, so that a page finds its relatives without a pass over every entry.
        together: dict[tuple, list[Entry]] = {}
        self.lineage: dict[tuple, list[Entry]] = {}  # one form of one department (and project), every year
        for entry in self.entries:
            together.setdefault((entry.year, entry.department.id), []).append(entry)
            self.lineage.setdefault((entry.form.kind, PurePosixPath(entry.folder).parts[1:]), []).append(entry)
        for entry in self.entries:
            entry.related = [e for e in together[(entry.year, entry.department.id)] if e is not entry]
        # The same project in other years: by its id (its folder), else by its 项目编码.
        by_code: dict[tuple, list[Entry]] = {}
        for entry in self.entries:
            if _code(entry):
                by_code.setdefault((entry.form.kind, _code(entry)), []).append(entry)
        self.years_of: dict[int, list[Entry]] = {}
        for entry in self.entries:
            same = self.lineage[(entry.form.kind, PurePosixPath(entry.folder).parts[1:])]
            if _code(entry):
                same = same + [e for e in by_code[(entry.form.kind, _code(entry))] if e not in same]
            self.years_of[id(entry)] = same
        self.index = {id(entry): number for number, entry in enumerate(self.entries)}
        self.rows = department_years(self.entries)
        self.departments: dict[str, dict[int, object]] = {}
        for (year, ident), row in sorted(self.rows.items()):
            self.departments.setdefault(ident, {})[year] = row
        self.scores = {
            row.score.entry.folder: row.score for row in self.rows.values() if row.score
        } | {p.score.entry.folder: p.score for row in self.rows.values() for p in row.projects if p.score}

    def page(self, template: str, target: Path, depth: int, **context) -> None:
        html = self.env.get_template(f"site/{template}").render(
            root=_relative(depth), site_title=SITE_TITLE, years=self.years, version=__version__, **context
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        self.staging.write(target, html.encode("utf-8"))

    def rows_of(self, year: int) -> list:
        return sorted((r for (y, _), r in self.rows.items() if y == year), key=lambda r: (r.department.name, r.department.id))

    def departments_by_name(self) -> list[tuple[object, dict]]:
        found = [(years[max(years)].department, years) for years in self.departments.values()]
        return sorted(found, key=lambda item: (item[0].name, item[0].id))

    def write_listings(self, out: Path) -> None:
        """The static files and every page but the documents' own and the data page: home (an
        overview: years, departments, search), search, guide, years, departments across years."""
        self.copy_static(out)
        totals = [year_totals(y, self.rows_of(y)) for y in self.years]
        departments = self.departments_by_name()
        self.page(
            "index.html", out / "index.html", 0, year_totals=totals, years_listing=listings.years_listing(totals),
            departments_listing=listings.departments_home(departments),
        )
        self.page(
            "search.html", out / "search.html", 0, departments=sorted({e.department.name for e in self.entries}),
            forms=[f.title for f in registry.forms().values() if any(e.form is f for e in self.entries)],
        )
        guide = help_pages()
        for item in guide:
            self.page("help.html", out / "help" / item.file, 1, help_page=item, guide=guide)
        for index, year in enumerate(self.years):
            rows = self.rows_of(year)
            weak = sorted(
                (s for r in rows for s in ([r.score] if r.score else []) + r.project_scores if s.weak),
                key=lambda s: (s.total if s.total is not None else Decimal(-1), s.entry.folder),
            )
            evaluations = listings.pages_of(listings.evaluations_of_year(year, rows))
            has_evaluations = bool(evaluations[0].rows)
            self.page(
                "year.html", out / str(year) / "index.html", 1, year=year, totals=totals[index], weak=weak,
                departments_listing=listings.departments_of_year(year, rows), evaluations_pages=has_evaluations,
                other_listings=listings.other_forms_of_year(year, rows),
                files=self.year_files(year), previous_year=self.years[index + 1] if index + 1 < len(self.years) else None,
                next_year=self.years[index - 1] if index else None,
            )
            if has_evaluations:
                for listing in evaluations:
                    name = listing.pages[listing.number - 1] if listing.pages else "index.html"
                    self.page("evaluations.html", out / str(year) / "evaluations" / name, 2, year=year, listing=listing)
        for department, years in departments:
            self.page(
                "department.html", out / department.id / "index.html", 1, department=department,
                department_years=sorted(years.items()), figures=listings.across_years(years),
                projects=listings.projects_across_years(years),
            )

    def year_files(self, year: int) -> dict:
        """The year's own downloads, relative to its page."""
        from generator.site.data import year_csv_name

        has_sheet = any(e.form.sheet is not None for e in self.entries if e.year == year)
        return {"csv": year_csv_name(year), "xlsx": f"jixiao-{year}.xlsx" if has_sheet else None, "zip": _bundle(year)}

    def keys(self, withheld: dict) -> None:
        """Each document's page key and data key: what Staging.kept compares with the last build's. A
        page shows its department's forms of its year, the same form in the years before and after
        (by id or 项目编码, possibly another department's) and their departments' forms, and its place
        in the site's order; its data files only its own file."""
        fingerprint = site_fingerprint(self.years, sorted(withheld.items()))
        own = {
            id(e): key_of(e.folder, repr(e.department), source_date(e.loaded).isoformat(), repr(e.history), e.loaded.digest)
            for e in self.entries
        }
        by_department: dict[str, list[str]] = {}
        for entry in self.entries:
            by_department.setdefault(entry.department.id, []).append(own[id(entry)])
        self.data_keys = {id(e): key_of(fingerprint, own[id(e)]) for e in self.entries}
        self.page_keys = {}
        for entry in self.entries:
            departments = sorted({entry.department.id} | {e.department.id for e in self.years_of[id(entry)]})
            shown = [key for ident in departments for key in [ident, *by_department[ident]]]
            self.page_keys[id(entry)] = key_of(fingerprint, str(self.index[id(entry)]), *shown)
        self.fingerprint = fingerprint

    def write_document(self, entry: Entry, out: Path) -> None:
        """A document's page: its form in the official layout, with what the site adds around it."""
        target = out / entry.folder / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.staging.kept(target, self.page_keys[id(entry)]):
            return
        same = self.years_of[id(entry)]
        previous, following = _previous(entry, same), _next(entry, same)
        # A target form of a later year shows how the same target scored at the end of the last one.
        previous_score = None
        if previous is not None and not entry.form.target_location:
            previous_score = next(
                (self.scores[e.folder] for e in previous.related
                 if e.evaluated == previous.folder and e.folder in self.scores), None,
            )
        row = self.rows[(entry.year, entry.department.id)]
        projects_listing = listings.projects_of_department(row) if entry.is_department_form and row.projects else None
        shown = {id(e) for p in row.projects for e in (p.target, p.score and p.score.entry) if e is not None}
        related = [e for e in entry.related if id(e) not in shown] if projects_listing else entry.related
        form_page = entry.form.template("page.html") if entry.form.has_template("page.html") else None
        evaluation = next((e for e in entry.related if e.evaluated == entry.folder), None)
        department_entry = next(
            (e for e in entry.related if e.is_department_form), None
        ) if not entry.is_department_form else None
        self.page(
            "document.html",
            target,
            entry.depth,
            entry=entry,
            previous_entry=previous,
            next_entry=following,
            previous_score=previous_score,
            projects_listing=projects_listing,
            related=related,
            search_order=_search_order(entry, self.index[id(entry)]),
            year_order=entry.year * 1_000_000 + self.index[id(entry)],
            department_entry=department_entry,
            form_page=form_page,
            owner_label=field_label(entry.form.model, ("department",)) or "部门",
            evaluation={"entry": evaluation, **evaluation.form.target_summary(evaluation.d)} if evaluation else None,
            **entry.form.page(entry.d, previous.d if previous else None),
            **form_context(entry.form, entry.d),
        )

    def copy_static(self, out: Path) -> None:
        (out / "static").mkdir(parents=True, exist_ok=True)
        for name in STATIC_FILES:
            self.staging.write(out / "static" / name, (TEMPLATES / "static" / name).read_bytes())

    def data_files(self, entry: Entry) -> list[tuple[str, Callable[[], bytes]]]:
        """YAML, JSON and CSVs of one document: (file name, what makes its bytes), for its page and its year's ZIP."""
        base = entry.base
        files = [
            (f"{base}.yaml", entry.loaded.path.read_bytes),
            (f"{base}.json", lambda: declaration_json(entry.d).encode("utf-8")),
        ]
        files += [(f"{base}-{t.name}.csv", lambda t=t: table_csv(t).encode("utf-8")) for t in entry.form.tables(entry.d)]
        return files

    def write_downloads(self, entry: Entry, out: Path) -> list[tuple[str, bytes]]:
        """A document's files beside its page; returns its data files, which its year's ZIP holds too."""
        folder = out / entry.folder
        folder.mkdir(parents=True, exist_ok=True)
        self.staging.copy(self.pdfs[entry.folder], folder / f"{entry.base}.pdf")
        if entry.form.sheet is not None:
            made = self.workbooks.get(entry.folder)
            if made is not None and made.is_file():  # built by the workbook stage: the same bytes
                self.staging.copy(made, folder / f"{entry.base}.xlsx")
            else:
                self.staging.write(folder / f"{entry.base}.xlsx", workbook_bytes([entry.loaded], source_date(entry.loaded)))
        files = []
        for name, make in self.data_files(entry):
            kept = self.staging.kept(folder / name, self.data_keys[id(entry)])
            if kept is not None:
                files.append((name, kept.read_bytes()))
            else:
                data = make()
                self.staging.write(folder / name, data)
                files.append((name, data))
        return files

    def write_data(self, out: Path) -> None:
        """Each year's CSV and workbook, the data package describing them, and the 数据下载 page."""
        from generator.site.data import FIELDS, PACKAGE, datapackage, size_text, year_csv, year_csv_name

        workbooks = {}
        for year in self.years:
            self.staging.write(out / str(year) / year_csv_name(year), year_csv(self, year))
            name = self.year_files(year)["xlsx"]
            if name is None:
                continue
            made = self.year_workbooks.get(year)
            if made is not None and made.is_file():  # built by the workbook stage: the same bytes
                self.staging.copy(made, out / str(year) / name)
            else:
                in_year = sorted(
                    (e for e in self.entries if e.year == year and e.form.sheet is not None),
                    key=lambda e: (e.department.name, e.department.id, e.folder),
                )
                stamp = max(source_date(e.loaded) for e in in_year)
                self.staging.write(out / str(year) / name, workbook_bytes([e.loaded for e in in_year], stamp))
            workbooks[year] = f"{year}/{name}"
        paths = [f"{y}/{year_csv_name(y)}" for y in self.years] + list(workbooks.values()) + [f"{y}/{_bundle(y)}" for y in self.years]
        sizes = {path: (out / path).stat().st_size for path in paths}
        self.staging.write(out / PACKAGE, datapackage(self.years, workbooks, sizes))
        sizes[PACKAGE] = (out / PACKAGE).stat().st_size
        files = [
            (year, [(kind, path, size_text(sizes[path])) for kind, path in (
                ("CSV", f"{year}/{year_csv_name(year)}"), ("XLSX", workbooks.get(year)), ("ZIP", f"{year}/{_bundle(year)}"),
            ) if path]) for year in self.years
        ]
        self.page("data.html", out / "data.html", 0, files=files, package=(PACKAGE, size_text(sizes[PACKAGE])),
                  fields=FIELDS)

    def bundle(self, year: int, data: list[list[tuple[str, bytes]]]) -> bytes:
        """The year's ZIP of its documents' data files (`data`: each one's, in the order of self.entries)."""
        in_year = [e for e in self.entries if e.year == year]
        files = []
        for entry, entry_files in zip(in_year, data, strict=True):
            parent = PurePosixPath(entry.folder).parent
            files += [(f"{parent}/{name}", content) for name, content in entry_files]
        stamp = max(source_date(e.loaded) for e in in_year)
        stamp = max(stamp, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc))  # ZIP cannot go earlier
        return year_bundle(files, stamp.timetuple()[:6])

    def write(
        self, out: Path, jobs: int = 1, beside: Callable[[Path], None] | None = None, previous: Path | None = None,
        ready: Callable[[], bool] | None = None,
    ) -> bool:
        """The documents' pages first; then, while `beside(out)` runs in a thread (build_site's search
        index, which reads only those pages), the listings, the documents' downloads and each year's
        ZIP. With `jobs` > 1 forked workers share the documents out; every file comes out the same
        as one process makes it. `previous`: the site `out` is to replace,
        whose unchanged files are linked rather than written (Staging). `ready()` waits for the PDFs
        and workbooks before they are copied in; when it says they failed, the writing stops there
        and write() returns False."""
        self.staging = Staging(out, previous)
        self.made_keys: dict[str, str] = {}  # file → its key, for the next build (reuse.save_state)
        self.made_trees: dict[str, tuple[str, str]] = {}
        search_key = key_of(self.fingerprint, "search", *(self.page_keys[id(e)] for e in self.entries))
        documents = range(len(self.entries))
        with _workers(self, out, jobs) as start, ThreadPoolExecutor(max_workers=1) as thread:
            start(_write_document, documents)()
            self.made_keys.update({f"{e.folder}/index.html": self.page_keys[id(e)] for e in self.entries})
            started = None
            if beside is not None:
                # Every page made from what the index was made from: the index is the same too.
                if self.staging.kept_tree("pagefind", search_key):
                    self.made_trees["pagefind"] = (search_key, "pagefind-entry.json")
                else:
                    started = thread.submit(beside, out)
                    _workers_yield()
            # The other pages while the index is made: it holds the documents' pages only (each other
            # page, lacking data-pagefind-body, is left out of it whole or half-written alike).
            self.write_listings(out)
            if ready is not None and not ready():
                return False
            data = start(_write_downloads, documents)()
            by_year: dict[int, list] = {year: [] for year in self.years}
            for entry, files in zip(self.entries, data):
                by_year[entry.year].append(files)
                self.made_keys.update({f"{entry.folder}/{name}": self.data_keys[id(entry)] for name, _ in files})
                copied = [(f"{entry.base}.pdf", self.pdfs[entry.folder]), (f"{entry.base}.xlsx", self.workbooks.get(entry.folder))]
                for name, source in copied:
                    if source is not None and (key := source_key(source)) is not None:
                        self.made_keys[f"{entry.folder}/{name}"] = key
            bundle_keys = {
                year: key_of(self.fingerprint, "zip", *(self.data_keys[id(e)] for e in self.entries if e.year == year))
                for year in self.years
            }
            todo = [(year, files) for year, files in by_year.items() if not self.staging.kept(out / str(year) / _bundle(year), bundle_keys[year])]
            for (year, _files), content in zip(todo, start(_bundle_bytes, todo)()):
                self.staging.write(out / str(year) / _bundle(year), content)
            self.made_keys.update({f"{year}/{_bundle(year)}": bundle_keys[year] for year in self.years})
            self.write_data(out)
            if started:
                started.result()
                self.made_trees["pagefind"] = (search_key, "pagefind-entry.json")
        return True


def _bundle(year: int) -> str:
    return f"jixiao-{year}.zip"


# What the workers work on: set before they are forked, so each inherits the loaded documents and
# the entries made of them instead of having them pickled to it.
_WORK: dict = {}


def _write_document(index: int) -> None:
    _WORK["writer"].write_document(_WORK["writer"].entries[index], _WORK["out"])


def _write_downloads(index: int) -> list[tuple[str, bytes]]:
    return _WORK["writer"].write_downloads(_WORK["writer"].entries[index], _WORK["out"])


def _bundle_bytes(task: tuple[int, list]) -> bytes:
    return _WORK["writer"].bundle(*task)


def _workers_yield() -> None:
    """Lower the workers' priority while the search index is built: the build waits for Pagefind,
    not for the downloads and ZIPs, so Pagefind takes the cores it can use and the workers the
    rest (for 1,000 pages on two cores, about 1.5 s sooner than sharing alike)."""
    import multiprocessing

    for child in multiprocessing.active_children():  # the pool's workers; one job has none
        try:
            os.setpriority(os.PRIO_PROCESS, child.pid, 10)
        except ProcessLookupError:
            pass


@contextmanager
def _workers(writer: SiteWriter, out: Path, jobs: int):
    """start(function, items) → wait(), which returns the function's results in order: worked out
    by `jobs` forked workers, started at once; or, with one job, in this process when waited for."""
    _WORK.update(writer=writer, out=out)
    jobs = min(jobs, len(writer.entries))
    # The loaded documents live until the site is written: set apart from the cycle collector, which
    # would otherwise walk them all in every process each time it runs (and, in a forked worker, copy
    # every memory page it touches). Put back when the site is written.
    gc.freeze()
    try:
        if jobs <= 1:
            yield lambda function, items: lambda: [function(item) for item in items]
            return
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(jobs, initializer=die_with_parent) as pool:
            # A few chunks per worker: few messages, and a slow chunk leaves the others work to take.
            yield lambda function, items: pool.map_async(function, items, chunksize=max(1, len(items) // (4 * jobs))).get
    finally:
        gc.unfreeze()
        _WORK.clear()


def index_search(site: Path) -> None:
    """Pagefind over the document pages (their form and headings). Its command line rather than its
    Python API: the same index, written by one process instead of a service answered by polling,
    and about a second and a half sooner for 1,000 pages. Run in the site's folder, where no
    pagefind.yml is, and without PAGEFIND_* settings from the environment, so that nothing but the
    pages decides the index."""
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise FileNotFoundError("Pagefind 的程序没有找到：pip install 'pagefind[extended]'")
    env = {name: value for name, value in os.environ.items() if not name.startswith("PAGEFIND_")}
    done = subprocess.run(
        [str(binary), "--site", ".", "--output-subdir", "pagefind", "--force-language", "zh", "--silent"],
        cwd=site, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=die_with_parent,
    )
    if done.returncode != 0:
        raise StageFailed(f"Pagefind 建索引失败：{done.stderr.decode('utf-8', 'replace').strip()}")
    from generator.site.search_index import canonicalise

    canonicalise(site / "pagefind")


def published(documents: list, folder: Path) -> tuple[dict[str, Path], dict[str, Path], list[Problem]]:
    """--pdf-from: the PDFs (and workbooks, where there) that `build pdf`/`build xlsx` wrote into
    `folder`, e.g. the artifacts of a CI matrix's shards gathered in one place; J520 for a PDF missing."""
    pdfs, workbooks, problems = {}, {}, []
    for item in documents:
        pdf = folder / "pdf" / f"{item.location}.pdf"
        if pdf.is_file():
            pdfs[item.location] = pdf
        else:
            problems.append(item.report("J520", (), pdf=pdf))
        workbook = xlsx_path(folder, item)
        if workbook.is_file():
            workbooks[item.location] = workbook
    return pdfs, workbooks, problems


def build_site(
    documents: list, out: Path, pdfs: dict[str, Path], workbooks: dict[str, Path] | None = None, search: bool = True,
    jobs: int = 1, withheld: dict[int, int] | None = None, year_workbooks: dict[int, Path] | None = None,
    ready: Callable[[], bool] | None = None,
) -> list[Problem]:
    """Every page into a temporary folder, swapped in for the old site only when complete.
    `withheld`: per year, how many documents --skip-invalid left out (the home page says so).
    `ready`: made while the pages are written, the PDFs and workbooks are waited for by calling it;
    False (they failed) leaves the old site as it is."""
    commit_dates([item.path for item in documents])  # one git call for every page's dates
    changes = histories([item.path for item in documents])
    entries = [Entry(item, changes[os.path.abspath(item.path)]) for item in documents]
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    # Fixed names beside the site (generator/core/outdir.py): the next build clears what a killed one left.
    staging, retired = staging_of(out), retired_of(out)
    for leftover in (staging, retired):
        if leftover.is_dir():
            shutil.rmtree(leftover)
    staging.mkdir()
    try:
        writer = SiteWriter(entries, pdfs, workbooks, year_workbooks)
        writer.env.globals["withheld"] = dict(withheld or {})
        writer.keys(writer.env.globals["withheld"])
        if not writer.write(staging, jobs, beside=index_search if search else None, previous=out, ready=ready):
            return []
        os.chmod(staging, 0o755)
        if out.exists():
            os.replace(out, retired)
            os.replace(staging, out)
            shutil.rmtree(retired)
        else:
            os.replace(staging, out)
        save_state(out, writer.made_keys, writer.made_trees)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
        if retired.exists() and not out.exists():
            os.replace(retired, out)  # the swap failed between its renames: the old site stays
    return []
