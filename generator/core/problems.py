"""The one record every stage reports a problem with, and how it is printed."""

from __future__ import annotations

from dataclasses import dataclass, field as dataclass_field
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"

    @property
    def label(self) -> str:
        return "错误" if self is Severity.ERROR else "警告"


@dataclass(frozen=True, order=True)
class Problem:
    """A finding about one place in one file; `field` is a dotted path such as tasks[2].funds."""

    file: str
    line: int
    column: int
    code: str
    severity: Severity
    field: str
    message: str
    # The field path the problem is about, kept so `field` can be labelled once the form is known.
    path: tuple = dataclass_field(default=(), compare=False, repr=False)
    # A place in a workbook instead of a line: 'Sheet1!C12' (or '' for the whole workbook); when set,
    # the problem prints as book.xlsx:Sheet1!C12: … and line/column only order the problems.
    where: str | None = dataclass_field(default=None, compare=False)

    def format(self) -> str:
        if self.where is not None:
            where = f"{self.file}:{self.where}" if self.where else self.file
        else:
            where = f"{self.file}:{self.line}:{self.column}"
        field = self.field or "（文件）"
        return f"{where}: {self.severity.label} {self.code}: {field}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class StageFailed(Exception):
    """A step of a build that is not jixiao's own failed (Pagefind, a process the system ended):
    its words, in Chinese, are all the user sees (exit 1, no traceback)."""


class ProblemsFound(Exception):
    """Raised by a stage that cannot go on; carries every problem it found."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems
