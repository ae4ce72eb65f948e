"""An output folder held by one build at a time, and the leftovers of a killed build cleared.

Beside each output folder F (output/pdf, output/xlsx, output/site) a build keeps, under fixed names a
user can recognise and the next build can find:
  .F.jixiao-lock     held (fcntl) while the build runs, removed at its end;
  .F.jixiao-staging  the site being written, swapped in for F when complete;
  .F.jixiao-old      the site it replaces, for the moment of the swap;
and, inside F, `.<name>.<random>.jixiao-tmp` files being written (generator/files.py write_atomically).
A build that fails removes its own; one killed (kill -9, power cut) leaves them, and the next build,
once it holds the lock, removes them. They lie beside F and not in /tmp because a rename can only
swap a folder in on the same file system.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import shutil
from pathlib import Path

TEMPORARY_SUFFIX = ".jixiao-tmp"


def staging_of(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.jixiao-staging"


def retired_of(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.jixiao-old"


def lock_of(folder: Path) -> Path:
    return folder.parent / f".{folder.name}.jixiao-lock"


class Busy(Exception):
    """Another build holds the output folder."""

    def __init__(self, folder: Path, pid: str):
        super().__init__(str(folder))
        self.folder = folder
        self.pid = pid


def _take(folder: Path) -> int:
    """The lock file, open and locked by this process; Busy when another process holds it. POSIX record
    locks (lockf) are per process: forked workers do not inherit them, so a build killed while its
    workers linger does not keep the folder locked."""
    lock = lock_of(folder)
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EAGAIN):
                os.close(fd)
                raise
            pid = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            raise Busy(folder, pid) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except FileNotFoundError:
            same = False
        if same:  # not a file the build before unlinked as this one opened it
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            return fd
        os.close(fd)


def clear_leftovers(folder: Path) -> None:
    """What a killed build left: its staging folder, the old site (put back if the swap was cut
    between its two renames), half-written files inside the folder."""
    retired = retired_of(folder)
    if retired.is_dir() and not folder.exists():
        os.replace(retired, folder)
    for leftover in (staging_of(folder), retired):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover)
    if folder.is_dir():
        for path in folder.rglob(f"*{TEMPORARY_SUFFIX}"):
            if path.is_file() and path.name.startswith("."):
                path.unlink()


@contextlib.contextmanager
def held(*folders: Path):
    """Hold every folder for this build (in the order given), clearing what a killed build left in
    each; Busy, holding none, if another build holds any."""
    taken: list[tuple[Path, int]] = []
    made: list[Path] = []  # folders made for the locks: removed again if the build wrote nothing there
    try:
        for folder in folders:
            folder = Path(folder)  # as the user wrote it: messages name it so
            missing = [parent for parent in (folder.parent, *folder.parent.parents) if not parent.exists()]
            folder.parent.mkdir(parents=True, exist_ok=True)
            made.extend(missing)
            try:
                taken.append((lock_of(folder), _take(folder)))
            except OSError as exc:  # a read-only or locked-down place: named by the user's folder, not the lock's
                exc.filename = str(folder)
                raise
            clear_leftovers(folder)
        yield
    finally:
        for lock, fd in reversed(taken):
            with contextlib.suppress(FileNotFoundError):
                lock.unlink()  # before unlocking: a build waiting on this file sees it was replaced
            os.close(fd)
        for parent in made:  # deepest first
            with contextlib.suppress(OSError):
                parent.rmdir()


def die_with_parent() -> None:
    """In a worker or a child program: ended when the build that started it is killed, so it cannot
    go on writing into a staging folder the next build has cleared (Linux; elsewhere nothing)."""
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
