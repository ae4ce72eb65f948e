"""What git knows of a declaration: the date its outputs carry, and its list of changes for the site.

Git is asked once per repository for all files (`commit_dates`, `histories`), not once per file:
a subprocess per file was most of a no-op build's time."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

_DATES: dict[str, dt.datetime | None] = {}  # absolute path → its last commit's date, filled by commit_dates


def _epoch() -> dt.datetime | None:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return None


def _repository(folder: str, found: dict[str, str | None]) -> str | None:
    """The work tree holding `folder` (where `.git` is), looked up without a subprocess."""
    trail = []
    while folder not in found:
        trail.append(folder)
        if os.path.exists(os.path.join(folder, ".git")):
            found[folder] = folder
            break
        parent = os.path.dirname(folder)
        if parent == folder:
            found[folder] = None
            break
        folder = parent
    for item in trail:
        found[item] = found[folder]
    return found[folder]


def _by_repository(paths) -> dict[str, dict[str, str]]:
    """{work tree: {path inside it, as git names it: absolute path}}; files outside git are left out."""
    found: dict[str, str | None] = {}
    groups: dict[str, dict[str, str]] = {}
    for path in paths:
        absolute = os.path.abspath(path)
        root = _repository(os.path.dirname(absolute), found)
        if root is not None:
            groups.setdefault(root, {})[Path(os.path.relpath(absolute, root)).as_posix()] = absolute
    return groups


def _git_log(root: str, args: list[str]) -> list[tuple[str, list[str]]]:
    """(header, the NUL-separated fields after it) per commit, newest first; [] when git fails."""
    try:
        out = subprocess.run(
            ["git", "-c", "core.quotePath=false", "log", "-z", "--format=%x1e%H%x1f%cI%x1f%s", *args],
            cwd=root, capture_output=True, timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if out.returncode != 0:
        return []
    commits = []
    for record in out.stdout.decode("utf-8", "replace").split("\x1e")[1:]:
        header, _, rest = record.partition("\0")
        commits.append((header, [field for field in rest.lstrip("\n").split("\0") if field]))
    return commits


def commit_dates(paths) -> dict[str, dt.datetime | None]:
    """Each file's last commit date (None when untracked or outside git): one `git log` per repository.
    Remembered, so source_date() asks git nothing more for these files."""
    result: dict[str, dt.datetime | None] = {}
    for root, names in _by_repository(paths).items():
        folder = os.path.commonpath([os.path.dirname(name) or "." for name in names]) or "."
        # -c: a merge lists the files it changed from every parent, as `git log -1 -- file` would show it.
        for header, files in _git_log(root, ["-c", "--name-only", "--", folder]):
            date = None
            for name in files:
                if name in names and names[name] not in result:
                    date = date or dt.datetime.fromisoformat(header.split("\x1f")[1]).astimezone(dt.timezone.utc)
                    result[names[name]] = date
            if len(result) == len(names):
                break
    for path in paths:
        result.setdefault(os.path.abspath(path), None)
    _DATES.update(result)
    return result


def source_date(loaded) -> dt.datetime:
    """The date a PDF carries: SOURCE_DATE_EPOCH, else the file's last commit, else its filing date,
    else 1 January of its year. Never the clock, so the same input gives the same bytes."""
    epoch = _epoch()
    if epoch is not None:
        return epoch
    key = os.path.abspath(loaded.path)
    if key not in _DATES:
        commit_dates([loaded.path])
    if _DATES.get(key) is not None:
        return _DATES[key]
    filing = getattr(loaded.declaration, "filing", None)
    day = filing.date if filing is not None and filing.date else dt.date(loaded.year, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def forget_dates() -> None:
    """Ask git again next time (serve rebuilds after commits; tests commit between builds)."""
    _DATES.clear()


@dataclass(frozen=True)
class Change:
    date: str
    revision: str
    message: str


def histories(paths) -> dict[str, list[Change]]:
    """Each file's commits, newest first, following renames like `git log --follow`: one `git log`
    per repository. Empty outside a git checkout or for an untracked file."""
    result: dict[str, list[Change]] = {os.path.abspath(path): [] for path in paths}
    for root, names in _by_repository(paths).items():
        current = {name: name for name in names}  # the name each file had at the commit being read
        # Like --follow: renames and copies followed, merges not listed.
        for header, fields in _git_log(root, ["-M", "-C", "--name-status"]):
            revision, date, message = header.split("\x1f", 2)
            touched: dict[str, str | None] = {}  # path in this commit → its earlier name (renamed, copied)
            index = 0
            while index < len(fields):
                status = fields[index]
                if status[:1] in ("R", "C") and status[1:].isdigit():
                    old, new = fields[index + 1], fields[index + 2]
                    touched[new] = old
                    index += 3
                else:
                    touched[fields[index + 1]] = None
                    index += 2
            for original, name in list(current.items()):
                if name is not None and name in touched:
                    result[names[original]].append(Change(date[:10], revision[:10], message))
                    if touched[name] is not None:
                        current[original] = touched[name]
                    elif status_added(fields, name):
                        current[original] = None  # created here: nothing older
    return result


def status_added(fields: list[str], name: str) -> bool:
    """Whether `name` was added (not modified) in a commit's --name-status fields."""
    for index, field in enumerate(fields[:-1]):
        if fields[index + 1] == name and field == "A":
            return True
    return False

