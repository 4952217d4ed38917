"""One writer per workdir: ingest and prune hold this lock while they change the store.

The lock is an ``flock`` on ``ingest.lock``, which the kernel drops when the holder dies.
A forked worker inherits the descriptor and, with it, the lock: workers call
``release_inherited_locks`` first thing, so a kill -9 of the parent frees the workdir
even while an orphaned worker is still winding down. The file names the holder's pid.

A remote workdir (``s3://...``) has no file to flock: its lock is a local file keyed by
the URL (``sslsci.store.remote.local_state``), which keeps two ingests on one machine
apart. Across machines a remote workdir has one writer by rule: run ingest (and prune)
on one node, as ``sslsci ingest --dask`` does (workers store items, the parent alone
writes the manifest); every other node only reads.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sslsci.store.remote import is_url, local_state

_HELD: set[int] = set()  # descriptors of the locks this process holds


@contextmanager
def workdir_lock(root: Path | str) -> Iterator[None]:
    """One ingest per workdir at a time (temp files of a killed run are then safe to clean)."""
    folder = local_state(str(root)) if is_url(root) else Path(root)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "ingest.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            who = f" (pid {holder})" if holder.isdigit() else ""
            raise RuntimeError(
                f"another `sslsci ingest`{who} is running on {root}; wait for it to finish"
            ) from None
        handle.truncate(0)
        handle.write(str(os.getpid()))
        handle.flush()
        _HELD.add(handle.fileno())
        try:
            yield
        finally:
            _HELD.discard(handle.fileno())


def release_inherited_locks() -> None:
    """In a forked child: let go of the lock descriptors inherited from the parent, so
    the lock lives exactly as long as the process that took it.

    Each is pointed at /dev/null rather than closed: the inherited file object may still
    close its number later, which must not hit a descriptor the child opened since.
    """
    if not _HELD:
        return
    null = os.open(os.devnull, os.O_RDWR)
    try:
        for fd in _HELD:
            os.dup2(null, fd)
    finally:
        os.close(null)
    _HELD.clear()
