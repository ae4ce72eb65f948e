"""Writing outputs so that a reader never sees half a file; which outputs a shard writes."""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def _umask() -> int:
    # Read once, when the first file is written: os.umask can only be read by setting it.
    mask = os.umask(0)
    os.umask(mask)
    return mask


def write_atomically(target: Path, data: bytes) -> None:
    """Write to a temporary file beside the target, then rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; published files are world-readable
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def in_shard(location: str, shard: tuple[int, int] | None) -> bool:
    """--shard I/N: whether this shard builds the output at `location` (2024/nansha-dongchong). A
    hash of that path, so every runner splits alike and a new declaration moves no other."""
    if shard is None:
        return True
    index, count = shard
    return int.from_bytes(hashlib.sha256(location.encode("utf-8")).digest()[:8], "big") % count == index - 1
