"""One writer per workdir: ingest and prune hold this lock while they change the store."""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def workdir_lock(root: Path) -> Iterator[None]:
    """One ingest per workdir at a time (temp files of a killed run are then safe to clean)."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / "ingest.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RuntimeError(
                f"another `sslsci ingest` is running on {root}; wait for it to finish"
            ) from None
        yield
