"""Pagefind's filter indexes made byte-for-byte repeatable. Pagefind writes each filter's values (and
the lists of filters and of sort orders in its metadata file) in hash-map order, which changes from run to run, and
names the files by a hash of their bytes; the site must come out the same from the same input.
After Pagefind has run, each filter's values and the metadata's filter list are put in order, and
the files renamed by a hash of their new bytes (the metadata names the filter files, the entry file
names the metadata file). Everything else Pagefind writes is left as it is.

The files are gzip'd CBOR after a "pagefind_dcd" signature; the few CBOR kinds they use (unsigned
and negative integers, byte and text strings, arrays, maps, simple values) are read and written here.
A file that does not read back to the same bytes is left untouched."""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path

SIGNATURE = b"pagefind_dcd"


class _Simple(int):
    """A CBOR simple value (false, true, null) kept as its number."""


def _head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, "B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if value < 1 << (8 * struct.calcsize(size)):
            return bytes([major << 5 | info]) + struct.pack(size, value)
    raise ValueError(value)


def encode(value) -> bytes:
    if isinstance(value, _Simple):
        return bytes([0xE0 | value])
    if isinstance(value, bool):
        return b"\xf5" if value else b"\xf4"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        data = value.encode("utf-8")
        return _head(3, len(data)) + data
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(item) for item in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise TypeError(type(value))


def decode(data: bytes, at: int = 0):
    """(value, position after it)."""
    first = data[at]
    major, info = first >> 5, first & 31
    at += 1
    if info < 24:
        value = info
    elif info in (24, 25, 26, 27):
        size = 1 << (info - 24)
        value = int.from_bytes(data[at:at + size], "big")
        at += size
    else:
        raise ValueError(f"CBOR 的长度编码 {info} 不支持")
    if major == 0:
        return value, at
    if major == 1:
        return -1 - value, at
    if major == 2:
        return bytes(data[at:at + value]), at + value
    if major == 3:
        return data[at:at + value].decode("utf-8"), at + value
    if major == 4:
        items = []
        for _ in range(value):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        mapping = {}
        for _ in range(value):
            key, at = decode(data, at)
            mapping[key], at = decode(data, at)
        return mapping, at
    if major == 7 and info < 24:
        return _Simple(value), at
    raise ValueError(f"CBOR 类型 {major} 不支持")


def _read(path: Path):
    raw = gzip.decompress(path.read_bytes())
    if not raw.startswith(SIGNATURE):
        return None
    body = raw[len(SIGNATURE):]
    value, end = decode(body)
    return value if end == len(body) and encode(value) == body else None


def _write(folder: Path, prefix: str, suffix: str, value, digits: int) -> str:
    """Writes `value` to folder/<prefix><lang>_<hash><suffix>; returns <lang>_<hash> (lang given in prefix's place)."""
    data = SIGNATURE + encode(value)
    name = hashlib.sha256(data).hexdigest()[:digits]
    (folder / f"{prefix}{name}{suffix}").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
    return name


def canonicalise(bundle: Path) -> None:
    """Put the filter files of a Pagefind bundle (site/pagefind) and its metadata in a fixed order."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read(meta_path)
        if meta is None or len(meta) < 4:
            continue
        filters = []
        for name, file_hash in meta[3]:
            path = bundle / "filter" / f"{file_hash}.pf_filter"
            content = _read(path)
            if content is None:
                filters.append([name, file_hash])
                continue
            content[1] = sorted(content[1], key=lambda item: encode(item[0]))
            path.unlink()
            filters.append([name, language + "_" + _write(bundle / "filter", f"{language}_", ".pf_filter", content, 7)])
        meta[3] = sorted(filters, key=lambda item: item[0])
        if len(meta) > 4 and isinstance(meta[4], list):
            meta[4] = sorted(meta[4], key=lambda item: item[0])  # the sort orders, by name
        meta_path.unlink()
        info["hash"] = language + "_" + _write(bundle, f"pagefind.{language}_", ".pf_meta", meta, 10)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
