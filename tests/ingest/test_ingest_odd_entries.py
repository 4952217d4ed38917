"""Issue 10: links, pipes and devices in an archive are quarantined with their kind named,
never opened; brackets in the archive's own path are not taken as a glob."""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plugins.wearables.generator import write_demo_archive

CATALOG = """
entries:
  - name: odd
    modality: wearables
    uri: {uri}
    include: ["*.csv"]
    exclude: ["labels.csv"]
    options: {{sampling_rate: 30}}
"""

# entry -> words its quarantine reason must contain
EXPECTED = {
    "broken.csv": ["broken symlink", "missing.csv"],
    "loop.csv": ["symlink loop"],
    "pipe.csv": ["named pipe", "not a regular file"],
    "zero.csv": ["character device", "through a symlink"],
}


@pytest.fixture
def hang_guard():
    """A hash of a pipe or /dev/zero never returns: fail the test instead of hanging it."""

    def _timeout(*_):
        raise TimeoutError("ingest hung on an entry that is not a regular file")

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _archive(root: Path) -> list[str]:
    write_demo_archive(root, subjects=1, recordings_per_subject=2, seconds=6, rate=30, seed=3)
    good = sorted(p.name for p in root.glob("s*.csv"))
    os.symlink(root / "missing.csv", root / "broken.csv")
    os.symlink(root / "loop.csv", root / "loop.csv")
    os.mkfifo(root / "pipe.csv")
    os.symlink("/dev/zero", root / "zero.csv")
    return good


def _ingest(tmp_path: Path, uri: str) -> dict:
    from sslsci.cli import app

    (tmp_path / "catalog.yaml").write_text(CATALOG.format(uri=json.dumps(uri)))
    args = ["ingest", "odd", "--catalog", str(tmp_path / "catalog.yaml"), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_links_pipes_and_devices_are_quarantined_and_good_files_stored(tmp_path, hang_guard):
    good = _archive(tmp_path / "archive")
    report = _ingest(tmp_path, "archive")
    reasons = {Path(q["uri"]).name: q["reason"] for q in report["quarantined"]}
    assert set(reasons) == set(EXPECTED)
    for name, words in EXPECTED.items():
        for word in words:
            assert word in reasons[name], f"{name}: {word!r} not in {reasons[name]!r}"
    assert report["counts"]["stored_items"] == len(good)
    again = _ingest(tmp_path, "archive")  # a rerun neither hangs nor re-reads
    assert again["counts"]["unchanged"] == len(good) + len(EXPECTED)


def test_brackets_in_the_archive_path_are_literal(tmp_path):
    root = tmp_path / "study[2024]"
    write_demo_archive(root, subjects=1, recordings_per_subject=2, seconds=6, rate=30, seed=4)
    good = sorted(p.name for p in root.glob("s*.csv"))
    report = _ingest(tmp_path, "study[2024]")
    assert report["counts"]["stored_items"] == len(good) == 2
    assert report["quarantined"] == []
