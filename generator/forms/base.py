"""What a form plug-in is: its model, rules, template folder, exports and where its files go."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, Iterator

from pydantic import BaseModel

from ..catalogue import Code
from ..problems import Problem


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

    kind: str  # the value of `form:` in a YAML file, e.g. project-target
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
        from ..fieldpath import field_label

        id_label = field_label(self.model, self.id_path)
        names = {"year": "<年度>", "department": "<部门标识>", "id": f"<{id_label}>"}
        return "declarations/" + self.path.format(**names) + ".yaml"

    def output_name(self, doc) -> str:
        """The last part of its location: the base name of its PDF and downloads."""
        return PurePosixPath(self.location(doc)).name


def sum_amounts(amounts: Iterable[Decimal]) -> Decimal:
    return sum(amounts, Decimal(0))
