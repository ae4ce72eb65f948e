"""What git knows of a declaration: the date its outputs carry, and its list of changes for the site."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path


def source_date(loaded) -> dt.datetime:
    """The date a PDF carries: SOURCE_DATE_EPOCH, else the file's last commit, else its filing date,
    else 1 January of its year. Never the clock, so the same input gives the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%cI", "--", loaded.path.name],
            cwd=loaded.path.parent, capture_output=True, text=True, timeout=10,
        ).stdout.strip()
        if out:
            return dt.datetime.fromisoformat(out).astimezone(dt.timezone.utc)
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    filing = getattr(loaded.declaration, "filing", None)
    day = filing.date if filing is not None and filing.date else dt.date(loaded.year, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


@dataclass(frozen=True)
class Change:
    date: str
    revision: str
    message: str


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
