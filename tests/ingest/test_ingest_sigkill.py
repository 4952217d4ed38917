"""Done-when: ingest killed with SIGKILL midway (one worker, or a pool of two), then run
again at once, leaves a consistent store; the pool's workers die with their parent."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from plugins.wearables.generator import write_demo_archive
from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace

CATALOG = """
entries:
  - name: big
    modality: wearables
    uri: archive
    include: ["*.csv"]
    exclude: ["labels.csv"]
    labels: {sidecar: labels.csv, group_column: subject}
    splits: {fraction: {train: 0.8, test: 0.2}, group_by: subject}
"""
BAD = ("zz_empty.csv", "zz_binary.csv", "m_empty.csv")
LAUNCH = "from sslsci.cli import main; main()"


def _manifest_rows(path: Path) -> int:
    if not path.is_file():
        return 0
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0


def _children(pid: int) -> set[int]:
    """Pids of the live processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _kill_midway(root: Path, manifest: Path, total: int, workers: int) -> int:
    command = [sys.executable, "-c", LAUNCH, "ingest", "big", "--catalog", "catalog.yaml"]
    process = subprocess.Popen(
        [*command, "--workers", str(workers)],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 300
    pool: set[int] = set()
    try:
        while _manifest_rows(manifest) == 0 or len(pool) < workers - 1:
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "ingest never recorded a file"
            pool |= _children(process.pid) if workers > 1 else set()
            time.sleep(0.02)
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL
    orphans = pool
    while orphans := {pid for pid in orphans if _alive(pid)}:  # workers die with it
        assert time.monotonic() < deadline, f"workers {orphans} outlived the killed ingest"
        time.sleep(0.05)
    rows = _manifest_rows(manifest)
    assert 0 < rows < total, f"the kill came too late to be midway ({rows} of {total})"
    return rows


@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_midway_then_rerun_leaves_every_file_stored_once(tmp_path, workers):
    archive = tmp_path / "archive"
    write_demo_archive(archive, subjects=20, recordings_per_subject=10, seconds=3, rate=30, seed=5)
    for name in BAD:
        (archive / name).write_bytes(b"" if "empty" in name else bytes(range(256)) * 4)
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    catalog = load_catalog(tmp_path / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())
    total = 200 + len(BAD)

    killed_at = _kill_midway(tmp_path, workspace.manifest_path, total, workers)

    report = ingest_entry(catalog, "big", workspace)  # at once: the lock died with it
    assert report.counts["new"] == total - killed_at  # the recorded ones were not redone
    manifest = workspace.manifest()
    sources = manifest.sources("big")
    assert len(sources) == total
    status = {Path(uri).name: row.status for uri, row in sources.items()}
    assert {n for n, s in status.items() if s == "quarantined"} == set(BAD)
    assert sum(s == "ok" for s in status.values()) == 200
    items = manifest.items(["big"])
    assert len(items) == 200 and len({i.uri for i in items}) == 200
    store = workspace.store()
    for item in items:
        assert store.read(item.store_key).shape == item.shape
    assert store.keys() == {i.store_key for i in items}
    leftovers = list((store.root / "tmp").iterdir()) if (store.root / "tmp").exists() else []
    assert leftovers == []
    labels = pd.read_csv(archive / "labels.csv").set_index("file")
    for item in items:  # each item is its file's content, labelled as in labels.csv
        assert item.sha256 == hashlib.sha256(Path(item.uri).read_bytes()).hexdigest()
        assert item.label == labels.loc[Path(item.uri).name, "label"]
    manifest.close()
