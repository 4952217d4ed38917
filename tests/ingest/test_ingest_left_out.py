"""Done-when: items a stored source leaves out (22 of the 151 real RacketSports TRAIN
recordings, gyro above 40 rad/s) are counted and listed with their reasons in --json and
--report, on the first run and on a rerun that reads nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from plugins.wearables.readers_ts import TsReader

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "wearables"
TRAIN = DATA / "RacketSports_TRAIN.ts"
CATALOG = f"""
entries:
  - name: racket
    modality: wearables
    uri: {DATA.resolve()}
    include: ["RacketSports_TRAIN.ts"]
    options: {{sampling_rate: 10, acc_units: "m/s^2"}}
"""


def _too_fast() -> set[str]:
    """Items whose angular rate (gyro magnitude) exceeds 40 rad/s, found without ingest."""
    records = TsReader().read(str(TRAIN), sampling_rate=10)
    return {r.item for r in records if np.linalg.norm(r.array.values[3:], axis=0).max() > 40}


def _ingest(root: Path, flag: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "sslsci", "ingest", "racket", "--catalog", "catalog.yaml", flag],
        cwd=root,
        env={**os.environ, "COLUMNS": "300"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_left_out_recordings_are_counted_and_listed_with_reasons(tmp_path: Path) -> None:
    if not TRAIN.is_file():
        pytest.skip(f"real RacketSports file not found at {TRAIN.resolve()}")
    expected = _too_fast()
    assert len(expected) == 22
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    for run in range(2):  # the rerun reads nothing and still lists them
        report = json.loads(_ingest(tmp_path, "--json"))
        assert report["counts"]["left_out_items"] == 22
        assert report["counts"]["stored_items"] == 151 - 22
        assert {row["item"] for row in report["left_out"]} == expected
        assert all("rad/s" in row["reason"] for row in report["left_out"])
        assert report["counts"]["unchanged"] == run
    text = _ingest(tmp_path, "--report")
    assert "22 left out of stored files" in text
    assert all(f"│ {item} " in text for item in expected), text
