"""A build with nothing changed stops before any YAML is parsed.

After a build that succeeded, the output folder keeps a state file: a key made of every
declaration's digest and commit date and of everything else the outputs depend on, and the list of
outputs. The next run makes the key again from the files' digests (taken from the state while a file's
size, times and inode are unchanged) and one `git log`; when it matches and every output is still
there, nothing can have changed or become invalid, and nothing is loaded. Any difference, and the
run is the ordinary one: every file loaded and checked, errors reported, changed outputs rebuilt."""

from __future__ import annotations

import hashlib
import json
import os
import time
from importlib.metadata import version
from pathlib import Path

from generator.core.files import PACKAGE, TEMPLATES, write_atomically
from generator.core.fonts import resolve_font
from generator.core.history import commit_dates

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
        # The change time too: every write sets it, and unlike the modification time no tool puts it back.
        seen = [stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
        known = self.saved.get("digests", {}).get(name)
        if known and known[:4] == seen and stat.st_ctime_ns < self.saved.get("saved_ns", 0) - RACY_NS:
            digest = known[4]
        else:
            with open(name, "rb") as stream:
                digest = hashlib.sha256(stream.read()).hexdigest()
        self.digests[name] = [*seen, digest]
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


# What a PDF is made from besides its YAML: the shared print templates and styles, and every file of
# the package (code, form templates), so a change to any of them renders the PDFs again.
PDF_TEMPLATES = ("print.html", "_grid.html", "_indicators.html", "static/form.css", "static/print.css")


def add_tree(digest, root: Path, suffixes: tuple[str, ...] | None = None) -> None:
    """Every file below `root` (of those `suffixes`, when given) into `digest`: its path from
    `root` and its bytes, in path order; compiled files (__pycache__) left out."""
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and (suffixes is None or path.suffix in suffixes):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())


def inputs_fingerprint(settings) -> str:
    """Everything every PDF depends on besides its YAML and date. Versions are read from the
    installed metadata: importing WeasyPrint to ask would cost a no-op build 0.6 s."""
    from generator import __version__

    digest = hashlib.sha256(f"jixiao {__version__} weasyprint {version('weasyprint')}\n".encode())
    for name in PDF_TEMPLATES:
        digest.update(name.encode() + b"\0" + (TEMPLATES / name).read_bytes())
    add_tree(digest, PACKAGE, (".py", ".html", ".css"))
    for family in (settings.body, settings.heading):
        font = resolve_font(family, settings.folder)
        stat = font.path.stat()
        digest.update(f"{family}\0{font.path}\0{font.index}\0{stat.st_size}\0{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def workbook_inputs_fingerprint() -> str:
    """What every workbook depends on besides its YAML: jixiao's code and openpyxl's version (from
    the installed metadata: importing openpyxl to ask would slow a no-op build)."""
    from generator import __version__

    digest = hashlib.sha256(f"jixiao {__version__} openpyxl {version('openpyxl')}\n".encode())
    add_tree(digest, PACKAGE, (".py",))
    return digest.hexdigest()
