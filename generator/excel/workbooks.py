"""The workbook stage: each document in its form's official layout as a worksheet
(output/xlsx/<location>.xlsx), and one workbook per year with a sheet per document, as bureaus
circulate them. Incremental and byte-for-byte repeatable like the PDFs."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from generator.core.files import Outputs, in_shard, record_finished, write_atomically
from generator.core.unchanged import workbook_inputs_fingerprint
from generator.core.history import source_date

def xlsx_path(out: Path, loaded) -> Path:
    return out / "xlsx" / f"{loaded.location}.xlsx"


def year_xlsx_path(out: Path, year: int) -> Path:
    return out / "xlsx" / str(year) / f"jixiao-{year}.xlsx"


def sheet_titles(items: list) -> list[str]:
    """Each document's sheet title (those whose form has a sheet), made unique regardless of case as
    Excel wants: a repeated one gets （2）, （3）…"""
    used: set[str] = set()
    titles = []
    for item in items:
        title = base = item.form.sheet.sheet_title(item.declaration)
        number = 2
        while title.lower() in used:
            suffix = f"（{number}）"
            title = base[: 31 - len(suffix)] + suffix
            number += 1
        used.add(title.lower())
        titles.append(title)
    return titles


def workbook_bytes(items: list, stamp) -> bytes:
    """One workbook with a sheet per document (in the order given) whose form has a sheet, saved deterministically."""
    from openpyxl import Workbook

    from generator.excel.write import save_deterministic

    workbook = Workbook()
    workbook.remove(workbook.active)
    items = [item for item in items if item.form.sheet is not None]  # the self-evaluations have no sheet
    for item, title in zip(items, sheet_titles(items)):
        item.form.sheet.write_sheet(item.declaration, workbook.create_sheet(title))
    return save_deterministic(workbook, stamp.replace(tzinfo=None) if stamp else None)


def year_workbook_bytes(members: list, out: Path, manifest: dict, stamp) -> bytes:
    """A year's workbook from its documents' own workbooks (year_workbook.py), those of this run
    where they are up to date, else made here; openpyxl's whole when they cannot be put together."""
    from generator.excel.year_workbook import assembled

    items = [item for item, _fingerprint, _date in members]
    books = []
    for item, fingerprint, date in members:
        target = xlsx_path(out, item)
        current = manifest.get(target.relative_to(out).as_posix()) == fingerprint and target.is_file()
        books.append(target.read_bytes() if current else workbook_bytes([item], date))
    when = stamp.replace(tzinfo=None) if stamp else None
    return assembled(sheet_titles(items), books, when) or workbook_bytes(items, stamp)


# The workbooks a run writes, set before workers are forked so that each inherits them.
_TODO: list = []


def _write_one(index: int) -> None:
    item, target, date = _TODO[index]
    write_atomically(target, workbook_bytes([item], date))


def _write_all(todo: list, jobs: int, progress) -> None:
    """Each (document, target, date) written, by `jobs` forked workers when more than one; the same bytes."""
    _TODO[:] = todo
    try:
        indexes = range(len(todo))
        if jobs <= 1 or len(todo) < 2:
            for index in progress(indexes) if progress else indexes:
                _write_one(index)
            return
        import multiprocessing

        with multiprocessing.get_context("fork").Pool(min(jobs, len(todo))) as pool:
            done = pool.imap_unordered(_write_one, indexes, chunksize=max(1, len(todo) // (8 * jobs)))
            for _ in progress(done) if progress else done:
                pass
    finally:
        _TODO.clear()


def build_workbooks(documents: list, out: Path, force: bool = False, shard=None, jobs: int = 1, progress=None) -> Outputs:
    """A workbook for every document (of this shard) whose form has a sheet and whose inputs changed,
    and one per year (built by the shard its path falls to, from every document of the year)."""
    result = Outputs()
    common = workbook_inputs_fingerprint()
    manifest_path = out / "xlsx" / ".fingerprints.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        manifest = {}
    try:
        _write_workbooks(documents, out, force, shard, result, common, manifest, jobs, progress)
    except BaseException:
        record_finished(manifest_path, manifest)  # a disk that filled half-way: the rest is redone next time
        raise
    write_atomically(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    return result


def _write_workbooks(
    documents: list, out: Path, force: bool, shard, result: Outputs, common: str, manifest: dict, jobs: int, progress,
) -> None:
    by_year: dict[int, list[tuple[object, str, object]]] = {}
    todo: list = []
    for item in documents:
        if item.form.sheet is None:
            continue
        date = source_date(item)
        fingerprint = hashlib.sha256(f"{common}\0{date.isoformat()}\0{item.digest}".encode()).hexdigest()
        by_year.setdefault(item.year, []).append((item, fingerprint, date))
        if not in_shard(item.location, shard):
            continue
        target = xlsx_path(out, item)
        result.files[item.location] = target
        key = target.relative_to(out).as_posix()
        if not force and target.is_file() and manifest.get(key) == fingerprint:
            result.skipped.append(target)
            continue
        todo.append((item, target, date, key, fingerprint))
    _write_all([(item, target, date) for item, target, date, _key, _fingerprint in todo], jobs, progress)
    for _item, target, _date, key, fingerprint in todo:  # recorded once written: a failed run redoes them
        manifest[key] = fingerprint
        result.written.append(target)
    for year, members in sorted(by_year.items()):
        members.sort(key=lambda m: (m[0].department.name, m[0].department.id, m[0].location))
        if not in_shard(f"{year}/jixiao-{year}", shard):
            continue
        target = year_xlsx_path(out, year)
        key = target.relative_to(out).as_posix()
        fingerprint = hashlib.sha256("\0".join(f for _, f, _ in members).encode()).hexdigest()
        if not force and target.is_file() and manifest.get(key) == fingerprint:
            result.skipped.append(target)
            continue
        stamp = max(date for _, _, date in members)
        write_atomically(target, year_workbook_bytes(members, out, manifest, stamp))
        manifest[key] = fingerprint
        result.written.append(target)
