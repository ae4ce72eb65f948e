"""What a site build takes over from the site it replaces, so that after one changed file it writes
a few dozen files instead of 13,000.

The site is written whole into a staging folder and swapped in (generator/core/outdir.py). Creating
a file there costs some forty times hard-linking one (ext4), so a file is linked from the old site
instead of written when either
  - its key is unchanged: a hash of everything it is made from (the site's code and templates, and
    the documents it shows), recorded for it by the last build beside the site, in
    .<site>.jixiao-state.json, with the file's inode, size and time then, which it must still have; or
  - it comes out with the very bytes the old file holds (the PDFs and workbooks copied from the cache,
    the listings, which are cheap to make and read everything).
Only the old site is linked from, never the caches or the declarations, which a later edit in
place would change under the site; and a file is never written through a link (unshared first).
The state records inodes, so a state left behind by a killed build can only ever name a file that
is still the very file it was made as."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from importlib.metadata import version
from pathlib import Path
from typing import Callable

from generator import __version__
from generator.core.files import PACKAGE, TEMPLATES, write_atomically
from generator.core.oserrors import naming
from generator.core.unchanged import add_tree

STATE_VERSION = 1


def state_of(site: Path) -> Path:
    return site.parent / f".{site.name}.jixiao-state.json"


def site_fingerprint(*context) -> str:
    """Everything every page depends on besides its documents: jixiao's code and templates, every
    form plug-in's folder (an outside plug-in's too), the libraries that render and index them, and
    `context` (the years, what was withheld)."""
    from generator.core import registry

    libraries = " ".join(f"{name} {version(name)}" for name in ("jinja2", "markdown", "pagefind"))
    digest = hashlib.sha256(f"jixiao {__version__} {libraries} {context!r}\n".encode())
    roots = [PACKAGE, TEMPLATES] + [form.folder for form in registry.forms().values() if not form.folder.is_relative_to(PACKAGE)]
    for root in roots:
        add_tree(digest, root)
    return digest.hexdigest()


def key_of(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def _identity(path: Path) -> list[int]:
    stat = os.stat(path)
    return [stat.st_ino, stat.st_size, stat.st_mtime_ns]


def source_key(source: Path) -> str | None:
    """A cache file's key as copied into the site: the file itself (inode, size, time). The caches
    are only ever replaced whole (write_atomically), so the same file holds the same bytes."""
    try:
        return "copy " + " ".join(map(str, _identity(source)))
    except OSError:
        return None


def _write(target: Path, data: bytes) -> None:
    """A new file in the staging folder. No temporary file and rename per file (write_atomically): no
    one reads the folder before it is swapped in whole."""
    try:
        with open(target, "wb") as stream:
            stream.write(data)
    except OSError as exc:
        raise naming(exc, target)


class Staging:
    """The folder a site is written into, the site it will replace, and what the last build recorded."""

    def __init__(self, folder: Path, previous: Path | None = None):
        self.folder = folder
        self.previous = previous if previous is not None and previous.is_dir() else None
        self.recorded: dict = {}
        if self.previous is not None:
            try:
                saved = json.loads(state_of(self.previous).read_text(encoding="utf-8"))
            except (OSError, ValueError):
                saved = None
            # Anything else than what save_state writes (a hand-edited or foreign file): nothing reused.
            if isinstance(saved, dict) and saved.get("version") == STATE_VERSION and isinstance(saved.get("files"), dict):
                self.recorded = saved["files"]

    def _old(self, target: Path) -> Path:
        return self.previous / target.relative_to(self.folder)

    def _link(self, old: Path, target: Path) -> bool:
        try:
            os.link(old, target)
            return True
        except OSError:
            return False  # another file system, or no links there: written

    def _unshare(self, target: Path) -> None:
        """A file written twice at one place is written anew, never through a link into the old site."""
        if self.previous is not None:
            try:
                os.unlink(target)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise naming(exc, target)

    def kept(self, target: Path, key: str) -> Path | None:
        """The old site's file at `target`'s place, when the last build made it from `key` and it is
        still that file; linked into place. None: make it."""
        if self.previous is None:
            return None
        relative = target.relative_to(self.folder).as_posix()
        record = self.recorded.get(relative)
        if not isinstance(record, list) or len(record) != 4 or record[0] != key:
            return None
        old = self._old(target)
        try:
            if _identity(old) != record[1:]:
                return None
        except OSError:
            return None
        return old if self._link(old, target) else None

    def _same(self, target: Path, size: int, data: Callable[[], bytes]) -> Path | None:
        """The old site's file at `target`'s place when it holds the same bytes (read only when the sizes agree)."""
        if self.previous is None:
            return None
        old = self._old(target)
        try:
            if os.stat(old).st_size != size or old.read_bytes() != data():
                return None
        except OSError:
            return None
        return old

    def write(self, target: Path, data: bytes) -> None:
        old = self._same(target, len(data), lambda: data)
        if old is not None and self._link(old, target):
            return
        self._unshare(target)
        _write(target, data)

    def copy(self, source: Path, target: Path) -> None:
        """`source` (a PDF or workbook of the cache) into the site: linked from the old site when it
        was copied from this very file, or holds the same bytes."""
        key = source_key(source)
        if key is not None and self.kept(target, key):
            return
        try:
            size = os.stat(source).st_size
        except OSError as exc:
            raise naming(exc, source)
        old = self._same(target, size, source.read_bytes)
        if old is not None and self._link(old, target):
            return
        self._unshare(target)
        try:
            shutil.copyfile(source, target)
        except OSError as exc:
            raise naming(exc, target)

    def kept_tree(self, name: str, key: str) -> bool:
        """The old site's folder `name` (the search index) linked whole, when the last build recorded
        it made from `key` and its recorded file is still that file."""
        target = self.folder / name
        record = self.recorded.get(f"{name}/")
        if self.previous is None or not isinstance(record, list) or len(record) != 5 or record[0] != key:
            return False
        if not isinstance(record[1], str) or "/" in record[1] or record[1] in ("", ".", ".."):
            return False
        old = self.previous / name
        try:
            if _identity(old / record[1]) != record[2:]:
                return False
            for folder, _folders, files in os.walk(old):
                made = target / Path(folder).relative_to(old)
                made.mkdir(parents=True, exist_ok=True)
                for file in files:
                    os.link(Path(folder) / file, made / file)
        except OSError:
            if target.exists():
                shutil.rmtree(target)
            return False
        return True


def save_state(site: Path, keys: dict[str, str], trees: dict[str, tuple[str, str]]) -> None:
    """After the swap: each file's key with its inode, size and time as they now are in `site`;
    `trees`: folder → (key, a file in it that vouches for it). A file gone missing is left out."""
    files: dict[str, list] = {}
    for relative, key in keys.items():
        try:
            files[relative] = [key, *_identity(site / relative)]
        except OSError:
            pass
    for name, (key, witness) in trees.items():
        try:
            files[f"{name}/"] = [key, witness, *_identity(site / name / witness)]
        except OSError:
            pass
    state = {"version": STATE_VERSION, "files": files}
    try:
        write_atomically(state_of(site), json.dumps(state, separators=(",", ":"), sort_keys=True).encode())
    except OSError:
        state_of(site).unlink(missing_ok=True)  # no state: the next build makes every file
