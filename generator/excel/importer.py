"""`jixiao import`: workbooks in → declaration files out, each checked as `jixiao validate` would.

Every sheet of a workbook is offered once to every registered form that has a sheet module
(`Form.sheet`: `recognise(grid)`, `read_sheet(grid)`, `to_yaml(...)`); the form that recognises it
best reads it. A workbook may hold several forms of several kinds (a department's form and its
projects'). This module fills in what the sheet does not say (the budget year from the file name,
ids from names), puts each file where its form's `path` says, expands folders, refuses to
overwrite, and passes every problem on."""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from generator.core.catalogue import code as catalogue_code
from generator.core.fieldpath import field_label
from generator.core.fields import ID_PATTERN
from generator.core.files import write_atomically
from generator.core.problems import Problem
from generator.excel.import_merge import PLACE_READINGS, carry_comments, find_existing, project_id
from generator.excel.read import WorkbookError, read_workbook, sheet_notes, sheet_ref, short

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


@dataclass
class ImportedForm:
    sheet: str
    target: Path | None
    text: str | None
    problems: list[Problem] = field(default_factory=list)
    unplaced: list[tuple[str, str]] = field(default_factory=list)
    id_field: str = "department.id"  # the field --id sets, and two forms' clash is reported on
    existing: object = None  # import_merge.Existing: the file already holding this document, updated in place


def _problem(display: str, code: str, field_: str = "", where: str = "", **values) -> Problem:
    """A workbook's problem, worded by the catalogue; it has no line, only a sheet (and cell)."""
    entry = catalogue_code(code)
    return Problem(display, 0, 0, code, entry.severity, field_, entry.text(**values), where=where)


def _year_from_path(path: Path) -> int | None:
    for part in reversed([path.stem, *path.parent.parts[-2:]]):
        match = re.search(r"(?<!\d)(20\d\d)(?!\d)", part)
        if match:
            return int(match.group(1))
    return None


def _sheet_forms() -> list:
    from generator.core import registry

    return [form for form in registry.forms().values() if form.sheet is not None]


def _best_form(grid, forms: list):
    """The form that recognises the grid most surely (the first registered on a tie), or None."""
    scores = [(form.sheet.recognise(grid), -number, form) for number, form in enumerate(forms)]
    score, _, form = max(scores, key=lambda s: s[:2], default=(0, 0, None))
    return form if score > 0 else None


def import_workbook(
    path: Path,
    out: Path,
    display: str | None = None,
    ident: str | None = None,
    year: int | None = None,
    schema_path: Path | None = None,
) -> tuple[list[ImportedForm], list[Problem]]:
    """Every form in the workbook at `path` as a YAML text and its target below `out`; plus the
    problems of the workbook as a whole (unreadable, no form). Writes nothing. `ident` sets the id of
    the workbook's one form (a department's 部门标识, a project's 项目标识)."""
    display = display or str(path)
    try:
        grids = read_workbook(path, display)
    except WorkbookError as exc:
        return [], [_problem(display, exc.code, detail=exc.message)]
    forms = _sheet_forms()
    found: list[ImportedForm] = []
    skipped: list[Problem] = []
    for grid in grids:
        form = _best_form(grid, forms)
        data, placement, problems = form.sheet.read_sheet(grid) if form else (None, None, [])
        if data is None:
            if grid.cells:
                skipped.append(
                    _problem(display, "J611", "（工作表）", sheet_ref(grid.name))
                )
            continue
        imported = ImportedForm(grid.name, None, None, list(problems), placement.unplaced, ".".join(form.id_path))
        imported.problems[:0] = sheet_notes(display, grid)  # hidden sheet (J612), formulas without value (J613)
        _finish(form, imported, data, path, out, ident, year, schema_path)
        found.append(imported)
    if not found:
        return [], [_problem(display, "J604")]
    if ident and len(found) > 1:
        return [], [_problem(display, "J609", detail=f"工作簿里有 {len(found)} 份申报表，--id 只能用于只有一份的工作簿")]
    return found, skipped


def _finish(form, imported: ImportedForm, data: dict, path: Path, out: Path, ident, year, schema_path) -> None:
    """Year and ids filled in, the target path from the form's `path`, the YAML text."""
    sheet_where = sheet_ref(imported.sheet)
    if year is not None:
        data["year"] = year
    if data.get("year") is None:
        data["year"] = _year_from_path(path)
    if data.get("year") is None:
        imported.problems.append(_problem(str(path), "J605", "year", sheet_where, detail="表上找不到预算年度（如“2024年度”），请用 --year 指定"))
        return
    own_key = form.id_path[0]  # the mapping holding the form's own name and id: department, project
    if ident:
        data[own_key]["id"] = ident
    existing = find_existing(out, form, data)
    if existing is not None and ident and ident != existing.own_id:
        imported.problems.append(_problem(
            str(path), "J614", f"{own_key}.id", sheet_where, existing=existing.path, why=existing.why, own_id=existing.own_id, ident=ident,
        ))
        return
    if existing is not None:  # imported again: the file keeps its ids (and so its name and addresses)
        data[own_key]["id"] = existing.own_id
        if existing.department_id and isinstance(data.get("department"), dict):
            data["department"]["id"] = existing.department_id
        imported.existing = existing
    # every {name, id} without an id (the form's own, a project's 主管部门) gets one from its name
    for key in [own_key] + [k for k in data if k != own_key]:
        value = data[key]
        if not (isinstance(value, dict) and "name" in value and "id" in value) or value["id"]:
            continue
        value["id"] = project_id(value["name"] or "", value.get("code")) if key == "project" else slug(value["name"] or "")
        if not value["id"]:
            name_label, id_label = field_label(form.model, (key, "name")) or "名称", field_label(form.model, (key, "id")) or "标识"
            hint = "请用 --id 指定" if key == own_key else "请在表上写出全称"
            imported.problems.append(_problem(str(path), "J609", f"{key}.id", sheet_where,
                                              detail=f"无法从{name_label}「{value['name'] or ''}」生成{id_label}，{hint}"))
            return
    own = data[own_key]
    target = out / f"{form.new_location(data['year'], data['department']['id'], own['id'])}.yaml"
    if existing is not None:
        target = existing.path
    schema = schema_path or Path("declarations") / "declaration.schema.json"
    relative = os.path.relpath(schema.resolve(), target.resolve().parent).replace(os.sep, "/")
    name_label = field_label(form.model, (own_key, "name")) or "名称"
    note = [f"{own['name'] or f'（未填{name_label}）'} {data['year']} 年度{data.get('title') or form.title}，"
            f"由 jixiao import 从 {path.name} 的工作表「{imported.sheet}」导入。"]
    if imported.unplaced:
        note.append("未导入的单元格（不在表的任何栏目里）：")
        note += [f"  {address}: 「{short(text, 60)}」" for address, text in imported.unplaced]
    imported.target = target
    imported.text = form.sheet.to_yaml(data, "\n".join(note), relative)


def import_files(
    files: list[Path], out: Path, ident: str | None = None, year: int | None = None, force: bool = False,
    updated: dict | None = None,
) -> tuple[list[Path], list[Problem]]:
    """Import every form in every workbook and write each as YAML
    where its form's files go below `out` (never over an existing file unless `force`). Returns the
    files written and the workbooks' problems (the caller checks the YAML written as `jixiao validate`
    would, over the folder written into, so that the rules across files see it). A file that already holds
    the same document is updated in place; `updated` (if given) gets its path and what was kept."""

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
        found, book_problems = import_workbook(path, out, display=str(path), ident=ident, year=year, schema_path=schema)
        problems.extend(book_problems)
        for form in found:
            problems.extend(form.problems)
            if form.target is None or form.text is None:
                continue
            where = f"{path}:{form.sheet}"
            if form.target in seen:
                problems.append(_problem(str(path), "J610", form.id_field, form.sheet, other=seen[form.target], target=form.target))
                continue
            seen[form.target] = where
            updating = form.existing is not None and form.target == form.existing.path
            if form.target.exists() and not force and not updating:
                problems.append(_problem(str(path), "J608", "", form.sheet, target=form.target))
                continue
            text = form.text
            if updating:
                text = carry_comments(form.target.read_text(encoding="utf-8-sig"), text)
                if updated is not None:
                    updated[form.target] = f"{form.existing.why}，更新了已有的文件，保留标识「{form.existing.own_id}」和注释"
            write_atomically(form.target, text.encode("utf-8"))
            written.append(form.target)
    return written, problems


# ---- ids from names ---------------------------------------------------------------------------------------

_PLACE = re.compile(r"^([\u4e00-\u9fff]{1,7}?(?:特别行政区|自治区|自治州|自治县|省|市|地区|盟|区|县|旗))")
_SUFFIXES = ("人民政府", "委员会")
_TOWN = re.compile(r"(镇|乡|街道|街道办事处|办事处)$")


def slug(name: str) -> str:
    """The default 部门标识 (and 项目标识, by the same rule): leading place names dropped except the last (广州市南沙区 → 南沙), a trailing
    人民政府/委员会 and a town's 镇/乡/街道 dropped, the rest in pinyin: 广州市南沙区东涌镇人民政府 →
    nansha-dongchong, 广州市南沙区财政局 → nansha-caizhengju. '' when nothing is left."""
    from pypinyin import Style, lazy_pinyin, load_phrases_dict

    load_phrases_dict(PLACE_READINGS)

    rest = re.sub(r"\s+", "", unicodedata.normalize("NFKC", name))
    rest = re.sub(r"[（(][^）)]*[）)]", "", rest)  # （本级）, (汇总)
    places = []
    while True:
        match = _PLACE.match(rest)
        if not match or len(match.group(1)) == len(rest):
            break
        place = match.group(1)
        places.append(re.sub(r"(特别行政区|自治区|自治州|自治县|省|市|地区|盟|区|县|旗)$", "", place) or place)
        rest = rest[match.end():]
    for suffix in _SUFFIXES:
        if rest.endswith(suffix) and len(rest) > len(suffix):
            rest = rest[: -len(suffix)]
    if _TOWN.search(rest) and len(_TOWN.sub("", rest)) >= 2:
        rest = _TOWN.sub("", rest)

    def pinyin(text: str) -> str:
        parts = lazy_pinyin(text, style=Style.NORMAL, errors=lambda chars: [c for c in chars.lower() if c.isalnum()])
        return re.sub(r"[^a-z0-9]", "", "".join(parts).lower().replace("ü", "v"))

    words = ([pinyin(places[-1])] if places else []) + [pinyin(rest)]
    slug = "-".join(w for w in words if w)[:63].strip("-")
    return slug if re.match(ID_PATTERN, slug) else ""
