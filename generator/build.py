"""Orchestration: load and check every declaration first, then (later stages) render and write."""

from __future__ import annotations

from pathlib import Path

from .checks import duplicate_ids, run_checks
from .load import LoadedDeclaration, find_declarations, load_file
from .problems import Problem


def load_and_check(paths: list[str | Path], strict: bool = False) -> tuple[list[LoadedDeclaration], list[Problem]]:
    """Every declaration under `paths`, and every problem of every file, sorted by file and line."""
    files, problems = find_declarations(paths)
    loaded = [load_file(path) for path in files]
    for item in loaded:
        problems.extend(item.problems)
        problems.extend(run_checks(item, strict=strict))
    problems.extend(duplicate_ids(loaded))
    return loaded, sorted(problems, key=lambda p: (p.file, p.line, p.column, p.code))
