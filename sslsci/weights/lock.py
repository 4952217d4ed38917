"""An exclusive lock on a local file, so concurrent processes take turns.

``fcntl.flock`` is released by the kernel when the holder dies, so a crashed
publisher or puller never leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sslsci.weights.errors import WeightsError

POLL_SECONDS = 0.05


@contextmanager
def file_lock(path: Path, timeout: float = 300.0) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (created if needed) for the ``with`` block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise WeightsError(
                        f"could not lock {path} within {timeout:.0f} s; another sslsci process "
                        "holds it. Wait for it to finish, then retry."
                    ) from None
                time.sleep(POLL_SECONDS)
        yield
    finally:
        os.close(handle)  # closing the descriptor releases the lock
