"""Ingest worker processes that never outlive the ingest that started them.

After a kill -9 of the parent, a pool worker would otherwise wait on its task queue
forever. Each worker asks the kernel (Linux ``PR_SET_PDEATHSIG``) for SIGKILL when its
parent dies, checks the parent is still the one that forked it (it may have died
before the request), and lets go of the workdir lock it inherited.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

from sslsci.store.lock import release_inherited_locks

PR_SET_PDEATHSIG = 1


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process."""
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def die_with_parent(parent: int) -> None:
    """Pool initializer: SIGKILL this worker when ``parent`` dies; free inherited locks."""
    release_inherited_locks()
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(1)
