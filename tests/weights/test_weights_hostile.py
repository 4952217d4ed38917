"""Hostile registries over real HTTP: endless bodies, huge listed sizes, full disks, deep JSON.

Each attack must be refused with a message naming the file and the fix, with no
retry of what cannot succeed, and must leave the cache without a single file.
"""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sslsci.weights import IntegrityError, OfflineError, UnsafeIndexError, pull, transfer
from sslsci.weights.errors import CacheWriteError
from sslsci.weights.pull import DEFAULT_MAX_FILE_BYTES

from .conftest import FAST, NAME, WEIGHTS_PATH, cache_files, invoke
from .http_registry import RegistryServer

HUGE = 76 * 10**9  # the size the disk-filling index listed
MIB = 1 << 20


def _list_size(registry: Path, size: int) -> None:
    """Make the index list ``size`` bytes for the weights file (the file itself is unchanged)."""
    path = registry / "index.json"
    document = json.loads(path.read_text())
    for file in document["models"][NAME]["versions"]["1.0"]["files"]:
        if file["path"] == WEIGHTS_PATH:
            file["size"] = size
    path.write_text(json.dumps(document))


def test_an_endless_body_stops_at_the_listed_size(
    server: RegistryServer, registry: Path, cache: Path
) -> None:
    listed = (registry / WEIGHTS_PATH).stat().st_size
    server.faults.endless.add(WEIGHTS_PATH)
    with pytest.raises(IntegrityError, match=rf"sends more than the {listed} bytes"):
        pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert len(server.requests_for(WEIGHTS_PATH)) == 1  # refused, not retried
    assert cache_files(cache) == []


def test_a_huge_listed_size_is_refused_before_anything_is_downloaded(
    server: RegistryServer, registry: Path, cache: Path
) -> None:
    _list_size(registry, HUGE)
    server.faults.endless.add(WEIGHTS_PATH)
    with pytest.raises(UnsafeIndexError) as caught:
        pull(NAME, registry=server.url, progress=False, retry=FAST)
    message = str(caught.value)
    assert f"lists {WEIGHTS_PATH} at {HUGE} bytes" in message
    assert f"over the {DEFAULT_MAX_FILE_BYTES}-byte limit" in message
    assert "--max-file-size" in message
    assert server.requests_for(WEIGHTS_PATH) == []
    assert cache_files(cache) == []


def test_the_cli_limit_refuses_a_file_over_it(server: RegistryServer, cache: Path) -> None:
    result = invoke("pull", NAME, "--registry", server.url, "--no-progress", "--max-file-size", 64)
    assert result.exit_code == 2
    assert "over the 64-byte limit" in result.stderr
    assert cache_files(cache) == []


def test_listed_sizes_beyond_the_free_disk_space_are_refused(
    server: RegistryServer, registry: Path, cache: Path
) -> None:
    _list_size(registry, 1 << 62)
    with pytest.raises(CacheWriteError, match=r"needs \d+ more bytes but the cache's disk has"):
        pull(NAME, registry=server.url, progress=False, retry=FAST, max_file_bytes=1 << 63)
    assert server.requests_for(WEIGHTS_PATH) == []
    assert cache_files(cache) == []
    assert not (cache / "weights" / ".staging").exists()


class _FullDisk(io.FileIO):
    """A part file on a disk that fills up after ``room`` bytes."""

    room = MIB

    def write(self, data) -> int:
        if self.tell() + len(data) > self.room:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


def test_a_full_disk_is_fatal_and_deletes_the_part(
    server: RegistryServer, registry: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _list_size(registry, 64 * MIB)
    server.faults.endless.add(WEIGHTS_PATH)
    monkeypatch.setattr(
        transfer, "open", lambda path, mode, buffering=-1: _FullDisk(path, mode), raising=False
    )
    with pytest.raises(CacheWriteError) as caught:
        pull(NAME, registry=server.url, progress=False, retry=FAST)
    message = str(caught.value)
    assert "weights.safetensors.part" in message
    assert "disk is full" in message and "partial download was deleted" in message
    assert len(server.requests_for(WEIGHTS_PATH)) == 1  # ENOSPC is not retried
    assert cache_files(cache) == []


PULL_UNDER_FSIZE_LIMIT = """
import resource, runpy, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # so a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, {limit}))
sys.argv = ["sslsci", "weights", "pull", {name!r}, "--registry", {url!r}, "--no-progress"]
runpy.run_module("sslsci", run_name="__main__")
"""


def test_a_file_size_limit_in_a_real_process_is_fatal(
    server: RegistryServer, registry: Path, cache: Path
) -> None:
    _list_size(registry, 64 * MIB)
    server.faults.endless.add(WEIGHTS_PATH)
    code = PULL_UNDER_FSIZE_LIMIT.format(limit=2 * MIB, name=NAME, url=server.url)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=os.environ
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "no room to write" in result.stderr and "File too large" in result.stderr
    assert len(server.requests_for(WEIGHTS_PATH)) == 1
    assert cache_files(cache) == []


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_a_deeply_nested_index_is_an_index_error(
    server: RegistryServer, registry: Path, cache: Path
) -> None:
    (registry / "index.json").write_text(f'{{"schema_version": 1, "models": {_deep(100_000)}}}')
    with pytest.raises(UnsafeIndexError, match=r"index\.json nests arrays or objects more than"):
        pull(NAME, registry=server.url, progress=False, retry=FAST)
    assert cache_files(cache) == []


def test_a_deeply_nested_cache_entry_names_the_file(
    server: RegistryServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = pull(NAME, registry=server.url, progress=False, retry=FAST)
    entry = folder / "registry-entry.json"
    entry.write_text(f'{{"name": {_deep(100_000)}}}')
    monkeypatch.setenv("SSLSCI_OFFLINE", "1")
    with pytest.raises(OfflineError, match=rf"{entry} is not a valid cache entry: nests arrays"):
        pull(f"{NAME}@1.0")
