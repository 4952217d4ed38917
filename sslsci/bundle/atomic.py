"""Write files so a reader sees the old content or the new, never half of one.

The new content goes to a temporary file in the same folder (same filesystem),
is flushed to disk, then renamed over the target, which POSIX makes atomic.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def replace_atomically(target: Path, write: Callable[[Path], None]) -> Path:
    """Call ``write(tmp_path)`` on a sibling temp file, then rename it over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        with open(tmp, "rb+") as flushed:
            os.fsync(flushed.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return target


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    """Atomically replace ``target`` with ``data``."""
    return replace_atomically(target, lambda tmp: tmp.write_bytes(data))


def write_text_atomic(target: Path, text: str) -> Path:
    """Atomically replace ``target`` with UTF-8 ``text``."""
    return write_bytes_atomic(target, text.encode("utf-8"))
