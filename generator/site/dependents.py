"""Which file's checks lean on which: a project on its department's 部门整体 form, a self-evaluation on
the target form it evaluates. The desk folds the cross-form findings a broken file causes into one
note (no cascades), and `build --skip-invalid` withholds a file together with those leaning on it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from generator.core import catalogue, registry
from generator.core.problems import Problem

@dataclass(frozen=True)
class Placed:
    """A file's place — year, department, form, where its outputs go — read from the model, or for a
    file too broken to load, from what it says and where it lies."""

    item: object
    year: int
    dept_id: str
    dept_name: str
    form: object  # core.form.Form
    location: str  # e.g. 2024/nansha-dongchong/projects/roads
    leans_on: str | None  # the location of the file its cross-form checks need

    @property
    def kind(self) -> str:
        return self.form.kind

    @property
    def valid(self) -> bool:
        return self.item.declaration is not None


def place(item) -> Placed | None:
    if item.declaration is not None:
        form, year, dept = item.form, item.year, item.department
        return Placed(item, year, dept.id, dept.name, form, item.location,
                      form.leaning_location(year, dept.id, form.identifier(item.declaration)))
    data = item.data if isinstance(item.data, dict) else {}
    department = data.get("department") if isinstance(data.get("department"), dict) else {}
    parts = PurePosixPath(item.path.with_suffix("").as_posix()).parts
    named = data.get("form")
    form = registry.forms()[named] if isinstance(named, str) and named in registry.forms() else registry.form_at(item.path)
    where = form.place(parts) or {}
    year = str(data.get("year") or where.get("year", ""))
    dept_id = str(department.get("id") or where.get("department") or (parts[-1] if parts else ""))
    if not year.isdigit() or not dept_id:
        return None
    ident = where.get("id", dept_id)
    return Placed(item, int(year), dept_id, str(department.get("name") or dept_id), form,
                  form.new_location(int(year), dept_id, ident), form.leaning_location(int(year), dept_id, ident))


def erroneous(problems: list[Problem]) -> dict[str, Problem]:
    """Each file with an error → its first error."""
    first: dict[str, Problem] = {}
    for problem in problems:
        if problem.is_error and problem.file not in first:
            first[problem.file] = problem
    return first


@dataclass(frozen=True)
class Withheld:
    file: str
    year: int
    reason: str  # the first error, or which withheld file it leans on
    because_of: str = ""  # the withheld file it leans on ("" for a file with an error of its own)

    def line(self) -> str:
        return f"{self.file}: 警告 {'J531' if self.because_of else 'J530'}: （文件）: {self.reason}"


def withhold(documents: list, problems: list[Problem]) -> tuple[list, list[Withheld]]:
    """(the documents to publish, the files withheld in path order): a file with an error, and any
    file whose cross-form checks lean on a withheld one (transitively: a project's self-evaluation
    goes with its department form)."""
    first = erroneous(problems)
    placed = {item.display: place(item) for item in documents}
    withheld: dict[str, Withheld] = {}
    for item in documents:
        if item.display in first:
            p = first[item.display]
            reason = catalogue.code("J530").text(line=p.line, first=f"{p.code} {p.field or '（文件）'}：{p.message}")
            withheld[item.display] = Withheld(item.display, placed[item.display].year if placed[item.display] else 0, reason)
    changed = True
    while changed:  # at most three rounds: project self-evaluation → project → department
        changed = False
        out_locations = {placed[f].location: f for f in withheld if placed.get(f) is not None}
        for item in documents:
            here = placed[item.display]
            if item.display in withheld or here is None or here.leans_on not in out_locations:
                continue
            other = out_locations[here.leans_on]
            withheld[item.display] = Withheld(item.display, here.year, catalogue.code("J531").text(file=other), other)
            changed = True
    kept = [item for item in documents if item.display not in withheld]
    return kept, [withheld[name] for name in sorted(withheld)]
