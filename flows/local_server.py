"""A Prefect server on loopback for ``sslsci serve`` when no ``PREFECT_API_URL`` is set: its
database lives in the workdir, so runs, artifacts and schedules survive a restart."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

PR_SET_PDEATHSIG = 1
STARTUP_SECONDS = 180.0


def die_with_parent(sig: int = signal.SIGTERM) -> None:
    """Linux: this process gets ``sig`` when its parent dies (even by kill -9), so no server
    or training run outlives the ``sslsci serve`` that started it."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"the local Prefect server exited with code {process.returncode} before it "
                f"answered; its log is {log}"
            )
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{url}/health", timeout=2) as response,
        ):
            if response.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(
        f"the local Prefect server did not answer {url}/health within {STARTUP_SECONDS:.0f} s; "
        f"its log is {log}; set PREFECT_API_URL to use a server you run yourself"
    )


@contextlib.contextmanager
def local_server(home: Path) -> Iterator[str]:
    """Start ``prefect server start`` on 127.0.0.1 with its data under ``home``; yield its API
    URL; stop it on exit."""
    home.mkdir(parents=True, exist_ok=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = os.environ | {
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "PREFECT_UI_API_URL": url,  # else the UI calls the default port 4200 and shows nothing
    }
    env.pop("PREFECT_API_URL", None)
    log = home / "server.log"
    command = [sys.executable, "-m", "prefect", "server", "start"]
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
    try:
        wait_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
