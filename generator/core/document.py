"""One declaration file as loaded: the record every stage and every form's rules work on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.core.catalogue import code as catalogue_code
from generator.core.fieldpath import FieldPath, format_path
from generator.core.problems import Problem, Severity


@dataclass
class LoadedDocument:
    """One file as loaded: its text, plain data, where each value stands, its form, and the model if valid."""

    path: Path
    display: str
    text: str = ""
    digest: str = ""  # SHA-256 of the bytes loaded: what the outputs' fingerprints take of the file
    data: Any = None
    positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[FieldPath, tuple[int, int]] = field(default_factory=dict)
    form: Any = None  # a forms.Form, once the `form:` key has been read
    schema_model: Any = None  # the model labels come from when the file is no form (the roster)
    declaration: Any = None  # the form's model, when the file is valid
    problems: list[Problem] = field(default_factory=list)

    @property
    def model(self):
        return self.form.model if self.form else self.schema_model

    @property
    def location(self) -> str:
        """Where this document's outputs go, e.g. 2024/nansha-dongchong/projects/roads."""
        return self.form.location(self.declaration)

    @property
    def year(self) -> int:
        return self.form.year(self.declaration)

    @property
    def department(self):
        return self.form.department(self.declaration)

    def where(self, path: FieldPath, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at `path`, or of its nearest ancestor that was written."""
        path = tuple(path)
        table = self.key_positions if key else self.positions
        if path in table:
            return table[path]
        while path:
            path = path[:-1]
            if path in self.positions:
                return self.positions[path]
        return (1, 1)

    def problem(self, code: str, severity: Severity, path: FieldPath, message: str, key: bool = False) -> Problem:
        line, column = self.where(path, key)
        return Problem(self.display, line, column, code, severity, format_path(self.model, path), message, tuple(path))

    def report(self, code: str, path: FieldPath, key: bool = False, **values) -> Problem:
        """A problem worded by the catalogue: report("J205", path, amount="-1.00")."""
        entry = catalogue_code(code)
        return self.problem(code, entry.severity, path, entry.text(**values), key)
