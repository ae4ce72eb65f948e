"""`jixiao import`: workbooks in → declaration files out, each checked as `jixiao validate` would.

The department form's sheet module reads the workbook (generator/forms/department_target/sheet.py);
this module expands folders, refuses to overwrite, and passes every problem on."""

from __future__ import annotations

from pathlib import Path

from .files import write_atomically
from .forms.department_target.sheet import import_workbook
from .problems import Problem, Severity

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")


def import_files(
    files: list[Path], out: Path, dept_id: str | None = None, year: int | None = None, force: bool = False
) -> tuple[list[Path], list[Problem]]:
    """Import every form in every workbook (each form's sheet module), check each YAML as
    `jixiao validate` would, write it to out/<年度>/<部门标识>.yaml (never over an existing file
    unless `force`). Returns the files written and every problem, workbook cells and YAML lines alike."""
    from .load import load_text
    from .pipeline import run_checks

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
        found, book_problems = import_workbook(path, out, display=str(path), dept_id=dept_id, year=year, schema_path=schema)
        problems.extend(book_problems)
        for form in found:
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
