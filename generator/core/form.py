"""What a form plug-in is: its model, rules, template folder, exports and where its files go."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator

from pydantic import BaseModel

from generator.core.catalogue import Code
from generator.core.fieldpath import field_label
from generator.core.problems import Problem


class LazyModule:
    """A module imported when first used: a form's sheet module (openpyxl) is not needed to print."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute: str):
        import importlib

        return getattr(importlib.import_module(self._name), attribute)


@dataclass(frozen=True)
class Table:
    """One CSV download: <id>-<name>.csv."""

    name: str
    title: str
    header: list[str]
    rows: list[list]


@dataclass(frozen=True)
class Column:
    """A column of the year page's listing of this form: header and the text shown for a document."""

    header: str
    value: Callable[[Any], str]
    numeric: bool = True
    unit: str = ""  # 万元: the header says （万元）, the page's summary line puts it after the figure

    @property
    def heading(self) -> str:
        return f"{self.header}（{self.unit}）" if self.unit else self.header

    def text(self, doc) -> str:
        return f"{self.value(doc)} {self.unit}" if self.unit else self.value(doc)


@dataclass(frozen=True)
class Loss:
    """An indicator that scored less than its 分值."""

    path: tuple  # its field path, for the line it stands on
    name: str
    score: Decimal
    points: Decimal

    @property
    def lost(self) -> Decimal:
        return self.points - self.score


@dataclass(frozen=True)
class Scorecard:
    """What a scored document comes to by the rules: 总分, 等级, 执行率 (None where it cannot be
    computed), the amounts the rate is of, and the indicators that lost points, most lost first."""

    total: Decimal | None
    grade: str
    execution_rate: Decimal | None
    budget: Decimal = Decimal(0)
    executed: Decimal = Decimal(0)
    losses: tuple[Loss, ...] = ()
    total_path: tuple = ()  # where the 总分 is written, else where the figures it comes from are
    filed_total: Decimal | None = None  # the 总分 and 等级 the document states, if it does
    filed_grade: str | None = None


Rule = Callable[[Any], Iterator[Problem]]  # LoadedDocument → problems
CrossRule = Callable[[list], Iterator[Problem]]  # every LoadedDocument of a run → problems


def _year(doc) -> int:
    return doc.year


def _department(doc):
    return doc.department


@dataclass(frozen=True)
class Form:
    """A form plug-in. Its folder holds form.html (the official layout, shared by PDF and page),
    skeleton.yaml (what `jixiao new` writes) and optionally page.html (what its web page shows
    beside the form). The model's field titles are the form's labels."""

    kind: str  # the value of `form:` in a YAML file; each plug-in names its own
    model: type[BaseModel]
    folder: Path
    # Where its file lies below declarations/ and its outputs below output/pdf and output/site, from
    # {year}, {department} (the department's id) and {id} (the value at id_path), without a suffix.
    path: str
    id_path: tuple  # the field whose value names the file
    name: Callable[[Any], str]  # what a listing calls one document
    rules: tuple[Rule, ...] = ()
    cross_rules: tuple[CrossRule, ...] = ()
    codes: tuple[Code, ...] = ()
    context: Callable[[Any, Any], dict] = lambda doc, plan: {}  # form.html's rows; plan: paginate.Plan
    tables: Callable[[Any], list[Table]] = lambda doc: []  # CSV downloads
    page: Callable[[Any, Any], dict] = lambda doc, previous: {}  # page.html's context, given last year's form
    headline: Callable[[Any], tuple[str, Decimal]] | None = None  # the one amount a listing shows
    columns: tuple[Column, ...] = ()
    year: Callable[[Any], int] = _year
    department: Callable[[Any], Any] = _department  # a fields.Department: name and id
    # How the form maps to a worksheet, or None: no workbook. A module or object with
    # sheet_title(doc) and write_sheet(doc, worksheet) (build xlsx, the site's download), and for
    # `jixiao import` recognise(grid) -> int (0: not this form), read_sheet(grid) -> (data,
    # placement, problems) and to_yaml(data, note, schema_path); see project_target/sheet.py.
    sheet: Any = None
    # A self-evaluation: where the target form it evaluates lies (its location), and the lines
    # `jixiao build` prints with the computed scores.
    target_location: Callable[[Any], str] | None = None
    evaluates: str | None = None  # the kind of that target form
    summary: Callable[[Any], list[str]] | None = None
    breakdown: Callable[[Any], list[str]] | None = None  # `jixiao score`: the summary and every indicator's score
    # What shared stages ask of a form instead of its name:
    position: int = 100  # where the form comes in listings, menus and the schema: lower first
    default: bool = False  # a file without `form:` is this form (one form says so)
    scope: str = "project"  # "department": one a department a year, its id the department's; "project": one a project
    owed: bool = False  # the roster's default: every department owes this form every year
    figures: Callable[[Any], dict[str, Decimal]] = lambda doc: {}  # named amounts the desk adds up
    scorecard: Callable[[Any], Scorecard] | None = None  # a scored form: what a document comes to
    grades: tuple[str, ...] = ()  # a scored form's grades, best first (优 良 中 差)
    # What the desk calls one document: in "此{called}有错误", and its dependents in "其 N 个{counted_as}".
    called: str = ""  # default: the title
    counted_as: str = "份"
    # A form whose checks compare it with another file: where that file lies (a path pattern like
    # `path`, filled with this document's year, department and id), and the codes that only say the
    # two disagree, folded away when that file has an error of its own (no cascades).
    leans_on: str | None = None
    leaning_codes: frozenset[str] = frozenset()
    target_summary: Callable[[Any], dict] | None = None  # a self-evaluation as its target form's page shows it

    @property
    def scored(self) -> bool:
        return self.scorecard is not None

    @property
    def short_title(self) -> str:
        return self.called or self.title

    @property
    def heads_department(self) -> bool:
        """The form that stands for a department in listings: its department-wide target form."""
        return self.scope == "department" and self.is_target

    @property
    def is_target(self) -> bool:
        """A target form (目标申报表), as against a self-evaluation that evaluates one."""
        return self.evaluates is None

    def place(self, parts: tuple[str, ...]) -> dict[str, str] | None:
        """{year, department, id} of a file whose path (without suffix) ends in these parts, if it
        lies where this form's files lie; else None."""
        depth = self.path.count("/") + 1
        pattern = re.escape(self.path)
        for name, part in (("year", r"\d{4}"), ("department", "[^/]+"), ("id", "[^/]+")):
            pattern = pattern.replace(rf"\{{{name}\}}", f"(?P<{name}>{part})", 1).replace(rf"\{{{name}\}}", f"(?P={name})")
        match = re.fullmatch(pattern, "/".join(parts[-depth:])) if len(parts) >= depth else None
        return match.groupdict() if match else None

    def matches(self, parts: tuple[str, ...]) -> bool:
        return self.place(parts) is not None

    def leaning_location(self, year: int, department: str, ident: str) -> str | None:
        """Where the file this document's cross-form checks need lies, or None."""
        return self.leans_on.format(year=year, department=department, id=ident) if self.leans_on else None

    @property
    def title(self) -> str:
        """The form's official name, from the model's title."""
        return str(self.model.model_config.get("title") or self.kind)

    def template(self, name: str) -> str:
        """A template of this form as the shared Jinja environment names it."""
        return f"{self.kind}/{name}"

    def has_template(self, name: str) -> bool:
        return (self.folder / name).is_file()

    def identifier(self, doc) -> str:
        value: Any = doc
        for part in self.id_path:
            value = getattr(value, part)
        return value

    def location(self, doc) -> str:
        """2024/nansha-dongchong or 2024/nansha-dongchong/projects/roads: where its outputs go."""
        return self.path.format(year=self.year(doc), department=self.department(doc).id, id=self.identifier(doc))

    def new_location(self, year: int, department: str, ident: str) -> str:
        return self.path.format(year=year, department=department, id=ident)

    @property
    def file_pattern(self) -> str:
        """Where its files belong, for messages: declarations/<年度>/<部门标识>/projects/<项目标识>.yaml."""
        id_label = field_label(self.model, self.id_path)
        names = {"year": "<年度>", "department": "<部门标识>", "id": f"<{id_label}>"}
        return "declarations/" + self.path.format(**names) + ".yaml"

    def output_name(self, doc) -> str:
        """The last part of its location: the base name of its PDF and downloads."""
        return PurePosixPath(self.location(doc)).name


def sum_amounts(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))
