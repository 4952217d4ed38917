"""The workdir lock lives exactly as long as the process that took it, never as long as
a forked child that inherited its descriptor."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sslsci.store import workdir_lock

HOLDER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from sslsci.store.lock import release_inherited_locks, workdir_lock

    with workdir_lock(Path(sys.argv[1])):
        child = os.fork()
        if child == 0:  # like a pool worker: free the inherited lock, then outlive us
            release_inherited_locks()
            print(os.getpid(), flush=True)  # only once released: the test kills us next
            time.sleep(120)
            os._exit(0)
        time.sleep(120)
    """
)


def test_lock_is_free_once_its_holder_is_killed_though_its_child_lives(tmp_path: Path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    child = int(holder.stdout.readline())
    try:
        with pytest.raises(RuntimeError, match=f"pid {holder.pid}"), workdir_lock(tmp_path):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait()
        assert os.path.exists(f"/proc/{child}")  # the forked child still runs
        with workdir_lock(tmp_path):  # yet the lock went with its holder
            assert (tmp_path / "ingest.lock").read_text() == str(os.getpid())
    finally:
        holder.kill()
        os.kill(child, signal.SIGKILL)
