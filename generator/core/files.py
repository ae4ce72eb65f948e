"""Finding declaration files; writing outputs so that a reader never sees half a file; which outputs
a shard writes. Kept free of heavy imports: a no-op build uses only this, history and unchanged."""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from generator.core.catalogue import code as catalogue_code
from generator.core.problems import Problem, Severity


@dataclass
class Outputs:
    """What an output stage (PDFs, workbooks) did: files written, files up to date, its problems."""

    written: list[Path] = field(default_factory=list)
    skipped: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)  # location → its output

# Shared templates: print.html, the site's pages, static files. In a wheel they are package data.
PACKAGE = Path(__file__).resolve().parent.parent  # generator/
# The shared templates and the guide stay at the repository's top level; a wheel carries them inside the package.
TEMPLATES = PACKAGE / "templates" if (PACKAGE / "templates").is_dir() else PACKAGE.parent / "templates"
DOCS = PACKAGE / "docs" if (PACKAGE / "docs").is_dir() else PACKAGE.parent / "docs"


@lru_cache(maxsize=1)
def _umask() -> int:
    # Read once, when the first file is written: os.umask can only be read by setting it.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    # Named so that the next build into this folder knows a leftover of a killed one (generator/core/outdir.py).
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".jixiao-tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; published files are world-readable
        os.replace(temporary, target)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            from generator.core.oserrors import naming

            raise naming(exc, target)
        raise


def record_finished(manifest_path: Path, manifest: dict) -> None:
    """A failing build's fingerprints of the files it did write, if the disk still takes them: the
    next build redoes the rest and only the rest."""
    import json

    try:
        write_atomically(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    except OSError:
        pass


def in_shard(location: str, shard: tuple[int, int] | None) -> bool:
    """--shard I/N: whether this shard builds the output at `location` (2024/nansha-dongchong). A
    hash of that path, so every runner splits alike and a new declaration moves no other."""
    if shard is None:
        return True
    index, count = shard
    return int.from_bytes(hashlib.sha256(location.encode("utf-8")).digest()[:8], "big") % count == index - 1


def find_declarations(paths: list[str | Path]) -> tuple[list[Path], list[Problem]]:
    """Files named, and every *.yaml / *.yml below folders named, in a stable order."""
    files: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [
                p
                for p in sorted(path.rglob("*"))
                if p.suffix in (".yaml", ".yml")
                and not p.is_dir()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            ]
            if not found:
                problems.append(Problem(str(raw), 1, 1, "J005", Severity.WARNING, "", catalogue_code("J005").text()))
            problems.extend(_from_outside(path, found))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(str(raw), 1, 1, "J000", Severity.ERROR, "", _missing(path)))
    for path in files:
        if not path.is_file():  # a FIFO or device named x.yaml in a folder: said, never opened
            problems.append(Problem(str(path), 1, 1, "J000", Severity.ERROR, "", _missing(path)))
    files = [path for path in files if path.is_file()]
    # The same file named twice, or reached through a link (examples/ links the seed), is read once.
    unique = list({path.resolve(): path for path in reversed(files)}.values())[::-1]
    return unique, problems


def _from_outside(tree: Path, found: list[Path]) -> list[Problem]:
    """J006 for each file of the tree that a symbolic link (the file's or a folder's) takes outside it:
    what is published is that file, which the bureau may not know it publishes. A link to a file kept
    in the same git repository (examples/ links the seed in declarations/) is committed like the rest."""
    root = tree.resolve()
    for folder in (root, *root.parents):
        if (folder / ".git").exists():
            root = folder
            break
    problems = []
    for path in found:
        try:
            target = path.resolve()
        except (OSError, RuntimeError):
            continue  # a loop or worse: reading it will say so
        if not target.is_relative_to(root):
            text = catalogue_code("J006").text(target=target)
            problems.append(Problem(str(path), 1, 1, "J006", Severity.WARNING, "", text))
    return problems


def _missing(path: Path) -> str:
    """Why a path named is no declaration: a special file (FIFO, device) or nothing there."""
    from generator.core.oserrors import not_regular, special_kind

    kind = special_kind(path)
    if kind is not None:
        return not_regular(kind)
    try:
        path.stat()
    except OSError as exc:
        from generator.core.oserrors import reason

        return reason(exc)
    return "文件或文件夹不存在"


# The site's own folders at its top, beside each department's page across years (/<部门标识>/): a
# department with one of these ids would be published among the site's files (J405).
SITE_FOLDERS = ("help", "pagefind", "static")
ROSTER_NAME = "departments.yaml"  # the bureau's roster (generator/roster.py): no declaration


def is_roster(path: Path, named: list[str | Path]) -> bool:
    """departments.yaml named itself, or at the top of a folder named."""
    return path.name == ROSTER_NAME and any(
        Path(raw) == path or (Path(raw).is_dir() and Path(raw) / ROSTER_NAME == path) for raw in named
    )
