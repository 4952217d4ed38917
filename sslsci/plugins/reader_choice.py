"""Which of a plugin's readers reads a file: the one named by ``format``, else the first
whose cheap sniff accepts it."""

from __future__ import annotations

from pathlib import Path


def pick_reader(plugin, path: str, fmt: str | None):
    """The reader named by ``format``, else the first whose sniff accepts the file."""
    readers = list(plugin.readers)
    if fmt is not None:
        for reader in readers:
            if reader.name == fmt:
                return reader
        names = ", ".join(r.name for r in readers)
        raise ValueError(f"format {fmt!r} is not a {plugin.spec.name} reader; choose from {names}")
    head = _head(path)
    for reader in readers:
        if reader.sniff(path, head):
            return reader
    suffixes = sorted({s for r in readers for s in r.suffixes})
    raise ValueError(
        f"no {plugin.spec.name} reader recognises this file (readable: {', '.join(suffixes)}); "
        "set `format:` in the catalog entry if it is one of them"
    )


def _head(path: str) -> bytes:
    p = Path(path)
    if p.is_dir():
        return b""
    with open(p, "rb") as handle:
        return handle.read(4096)
