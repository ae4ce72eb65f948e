"""Operating-system errors in Chinese, naming the path: the one place errno is mapped (the wording is
in generator/catalogue.py). A special file (FIFO, device) where a declaration is expected is told
apart before it is opened: reading a FIFO would wait for a writer for ever."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from generator.core.catalogue import NO_PATH, NOT_A_REGULAR_FILE, OS_ERROR_OTHER, OS_ERRORS, SPECIAL_FILES


def reason(exc: OSError) -> str:
    """What went wrong, in Chinese, without the path."""
    name = errno.errorcode.get(exc.errno or 0, "")
    if name in OS_ERRORS:
        return OS_ERRORS[name]
    return OS_ERROR_OTHER.format(reason=exc.strerror or exc)


def describe(exc: OSError, path: str | os.PathLike | None = None) -> str:
    """'<path>: <reason>': the path the error names (or `path`), both when a rename names two."""
    where = exc.filename if exc.filename is not None else path
    where = os.fsdecode(where) if where is not None else NO_PATH
    if getattr(exc, "filename2", None):
        where = f"{where} → {os.fsdecode(exc.filename2)}"
    return f"{where}: {reason(exc)}"


def special_kind(path: Path) -> str | None:
    """'命名管道（FIFO）' and the like for a path that exists and is no regular file or folder."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    for test, key in ((stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "char"), (stat.S_ISBLK, "block"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return SPECIAL_FILES[key]
    return None


def not_regular(kind: str) -> str:
    return NOT_A_REGULAR_FILE.format(kind=kind)


def naming(exc: OSError, path: str | os.PathLike) -> OSError:
    """The error with `path` as its file name when it names none (a write that failed on a full disk)."""
    if exc.filename is None:
        exc.filename = os.fspath(path)
    return exc
