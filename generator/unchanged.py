"""A build with nothing changed stops before any YAML is parsed.

After a build that succeeded, the output folder keeps a state file: a key made of every
declaration's digest and commit date and of everything else the outputs depend on, and the list of
outputs. The next run makes the key again from the files' digests (read from the same cache while
a file's size and time are unchanged) and one `git log`; when it matches and every output is still
there, nothing can have changed or become invalid, and nothing is loaded. Any difference, and the
run is the ordinary one: every file loaded and checked, errors reported, changed outputs rebuilt."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from .files import write_atomically
from .history import commit_dates

# A file changed within this long before the state was saved may share its size and time with
# the version digested then; such a file is read again (git's "racy" entries).
RACY_NS = 2_000_000_000


class State:
    """One output kind's state file, e.g. output/pdf/.state.json."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.saved = {}
        self.digests: dict[str, list] = {}

    def _digest(self, path: Path) -> str:
        name = os.path.abspath(path)
        stat = os.stat(name)
        known = self.saved.get("digests", {}).get(name)
        saved_at = self.saved.get("saved_ns", 0)
        if known and known[:2] == [stat.st_size, stat.st_mtime_ns] and stat.st_mtime_ns < saved_at - RACY_NS:
            digest = known[2]
        else:
            with open(name, "rb") as stream:
                digest = hashlib.sha256(stream.read()).hexdigest()
        self.digests[name] = [stat.st_size, stat.st_mtime_ns, digest]
        return digest

    def key(self, files: list[Path], context: str) -> str:
        """Every file's path, digest and commit date, and `context` (code, fonts, options)."""
        dates = commit_dates(files)
        digest = hashlib.sha256(f"{context}\0{os.environ.get('SOURCE_DATE_EPOCH', '')}\n".encode())
        for path in files:
            date = dates[os.path.abspath(path)]
            digest.update(f"{path}\0{self._digest(path)}\0{date.isoformat() if date else ''}\n".encode())
        return digest.hexdigest()

    def unchanged(self, key: str, out: Path) -> list[Path] | None:
        """The outputs of the last successful build, when it had this key and they are all there."""
        if self.saved.get("key") != key:
            return None
        outputs = [out / name for name in self.saved.get("outputs", [])]
        return outputs if all(path.is_file() for path in outputs) else None

    def save(self, key: str, out: Path, outputs: list[Path]) -> None:
        state = {
            "key": key,
            "saved_ns": time.time_ns(),
            "outputs": sorted(path.relative_to(out).as_posix() for path in outputs),
            "digests": self.digests,
        }
        write_atomically(self.path, json.dumps(state, indent=0, sort_keys=True).encode())

    def forget(self) -> None:
        """A build that failed: the next one is the ordinary one."""
        self.path.unlink(missing_ok=True)
