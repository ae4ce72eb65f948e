"""The static disclosure site: a page per declaration in the official layout, indexes, downloads, search."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .build import build_pdfs, declaration_workbook, pdf_path, write_atomically
from .charts import budget_charts
from .compare import compare, previous_of
from .export import CSV_FILES, declaration_json, year_bundle
from .load import LoadedDeclaration
from .pdf import source_date
from .problems import format_money
from .render import TEMPLATES, environment, form_context

SITE_TITLE = "部门预算绩效目标公开"


@dataclass(frozen=True)
class Change:
    date: str
    revision: str
    message: str


@dataclass
class Entry:
    """One declaration as the site shows it."""

    loaded: LoadedDeclaration
    history: list[Change] = field(default_factory=list)

    @property
    def d(self):
        return self.loaded.declaration

    @property
    def folder(self) -> str:
        return f"{self.d.year}/{self.d.department.id}"

    @property
    def total_spending(self) -> str:
        return format_money(self.d.budget.spending.total)

    @property
    def indicator_count(self) -> int:
        return sum(1 for _ in self.d.indicator_rows())

    def downloads(self) -> list[tuple[str, str, str]]:
        """(file name, what it is, format) in the order the page lists them."""
        ident = self.d.department.id
        return [
            (f"{ident}.pdf", "申报表 PDF（可打印、归档，内含 YAML 源数据）", "PDF"),
            (f"{ident}.xlsx", "申报表 Excel（官方版式，可用 jixiao import 导回）", "XLSX"),
            (f"{ident}.yaml", "YAML 源文件", "YAML"),
            (f"{ident}.json", "完整数据", "JSON"),
            (f"{ident}-budget.csv", "预算整体情况", "CSV"),
            (f"{ident}-tasks.csv", "年度重点工作任务", "CSV"),
            (f"{ident}-indicators.csv", "绩效指标", "CSV"),
        ]


def git_history(path: Path) -> list[Change]:
    """The file's commits, newest first; empty outside a git checkout or for an untracked file."""
    try:
        out = subprocess.run(
            ["git", "log", "--follow", "--format=%H%x1f%cI%x1f%s", "--", path.name],
            cwd=path.parent, capture_output=True, text=True, timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if out.returncode != 0:
        return []
    changes = []
    for line in out.stdout.splitlines():
        parts = line.split("\x1f")
        if len(parts) == 3:
            changes.append(Change(parts[1][:10], parts[0][:10], parts[2]))
    return changes


def _relative(depth: int) -> str:
    return "../" * depth


class SiteWriter:
    """Renders pages into a fresh folder, which replaces the site only once it is complete."""

    def __init__(self, entries: list[Entry], pdf_root: Path):
        self.entries = sorted(entries, key=lambda e: (-e.d.year, e.d.department.name, e.d.department.id))
        self.pdf_root = pdf_root
        self.env = environment()
        self.years = sorted({e.d.year for e in self.entries}, reverse=True)

    def page(self, template: str, target: Path, depth: int, **context) -> None:
        html = self.env.get_template(f"site/{template}").render(
            root=_relative(depth), site_title=SITE_TITLE, years=self.years, version=__version__, **context
        )
        write_atomically(target, html.encode("utf-8"))

    def write(self, out: Path) -> None:
        self.copy_static(out)
        self.page("index.html", out / "index.html", 0, entries=self.entries)
        departments = sorted({e.d.department.name for e in self.entries})
        self.page("search.html", out / "search.html", 0, departments=departments)
        declarations = [e.d for e in self.entries]
        for year in self.years:
            in_year = [e for e in self.entries if e.d.year == year]
            bundle = f"jixiao-{year}.zip"
            self.page("year.html", out / str(year) / "index.html", 1, year=year, entries=in_year, bundle=bundle)
            self.write_bundle(out / str(year) / bundle, in_year, year)
        for entry in self.entries:
            previous = previous_of(entry.d, declarations)
            folder = out / entry.folder
            self.write_downloads(entry, folder)
            self.page(
                "declaration.html",
                folder / "index.html",
                2,
                entry=entry,
                charts=budget_charts(entry.d),
                comparison=compare(previous, entry.d) if previous else None,
                previous=previous,
                **form_context(entry.d),
            )

    def copy_static(self, out: Path) -> None:
        static = out / "static"
        for name in ("form.css", "site.css", "search.js", "favicon.svg"):
            write_atomically(static / name, (TEMPLATES / "static" / name).read_bytes())

    def write_downloads(self, entry: Entry, folder: Path) -> None:
        ident = entry.d.department.id
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(pdf_path(self.pdf_root, entry.d), folder / f"{ident}.pdf")
        write_atomically(folder / f"{ident}.xlsx", declaration_workbook([entry.loaded], source_date(entry.loaded)))
        write_atomically(folder / f"{ident}.yaml", entry.loaded.path.read_bytes())
        write_atomically(folder / f"{ident}.json", declaration_json(entry.d).encode("utf-8"))
        for name, make in CSV_FILES.items():
            write_atomically(folder / f"{ident}-{name}", make(entry.d).encode("utf-8"))

    def write_bundle(self, target: Path, entries: list[Entry], year: int) -> None:
        files = []
        for entry in entries:
            ident = entry.d.department.id
            files.append((f"{year}/{ident}.yaml", entry.loaded.path.read_bytes()))
            files.append((f"{year}/{ident}.json", declaration_json(entry.d).encode("utf-8")))
            files += [(f"{year}/{ident}-{name}", make(entry.d).encode("utf-8")) for name, make in CSV_FILES.items()]
        stamp = max(source_date(e.loaded) for e in entries)
        stamp = max(stamp, dt.datetime(1980, 1, 1, tzinfo=dt.timezone.utc))  # ZIP cannot go earlier
        write_atomically(target, year_bundle(files, stamp.timetuple()[:6]))


def index_search(site: Path) -> None:
    """Pagefind over the declaration pages (their form and headings), filters year and department."""
    from pagefind.index import IndexConfig, PagefindIndex

    async def run():
        async with PagefindIndex(IndexConfig(force_language="zh", output_path=str(site / "pagefind"))) as index:
            await index.add_directory(path=str(site))

    asyncio.run(run())


def build_site(loaded: list[LoadedDeclaration], out: Path, renderer, pdf_root: Path, search: bool = True):
    """PDFs first (cached in pdf_root), then every page into a temporary folder swapped in at the end."""
    result = build_pdfs(loaded, pdf_root, renderer)
    if result.problems:
        return result
    entries = [Entry(item, git_history(item.path)) for item in loaded]
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        SiteWriter(entries, pdf_root).write(staging)
        if search:
            index_search(staging)
        os.chmod(staging, 0o755)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.old.", dir=out.parent))
            os.replace(out, retired / "site")
            os.replace(staging, out)
            shutil.rmtree(retired)
        else:
            os.replace(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return result
