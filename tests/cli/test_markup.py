"""Square brackets in file names and messages reach the terminal as written: rich markup
would read ``[bold]`` as a style and ``[a-z0-9]`` as a tag and drop them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from plugins.wearables.generator import write_demo_archive

CATALOG = """
entries:
  - name: {name}
    modality: wearables
    uri: archive
    include: ["*.csv"]
    exclude: ["labels.csv"]
    options: {{sampling_rate: 30}}
"""


def _sslsci(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "300"}  # no wrapped table cells
    return subprocess.run(
        [sys.executable, "-m", "sslsci", *args, "--catalog", str(root / "catalog.yaml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_bracketed_file_name_is_shown_whole_in_the_report(tmp_path: Path) -> None:
    write_demo_archive(
        tmp_path / "archive", subjects=1, recordings_per_subject=1, seconds=4, rate=30, seed=1
    )
    (tmp_path / "archive" / "empty[bold].csv").write_bytes(b"")
    (tmp_path / "catalog.yaml").write_text(CATALOG.format(name="mixed"))
    result = _sslsci(tmp_path, "ingest", "mixed", "--report")
    assert result.returncode == 0, result.stderr
    assert "empty[bold].csv" in result.stdout, result.stdout


def test_name_pattern_in_a_catalog_error_is_shown_whole(tmp_path: Path) -> None:
    (tmp_path / "catalog.yaml").write_text(CATALOG.format(name="Bad Name"))
    result = _sslsci(tmp_path, "catalog", "check")
    assert result.returncode == 2, result.stdout
    assert "^[a-z0-9][a-z0-9_.-]*$" in result.stderr, result.stderr
