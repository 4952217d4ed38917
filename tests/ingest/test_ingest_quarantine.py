"""Done-when: bad files mixed with good ones are each quarantined with a specific reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from plugins.wearables.generator import write_demo_archive

CATALOG = """
entries:
  - name: mixed
    modality: wearables
    uri: archive
    include: ["*.csv"]
    exclude: ["labels.csv"]
    options: {sampling_rate: 30}
"""

# file -> words its quarantine reason must contain
EXPECTED = {
    "truncated.csv": ["last line has 2 of 7 fields", "truncated"],
    "text_in_number.csv": ["column 'acc_x' holds text 'oops'", "line 52", "number is expected"],
    "nan_run.csv": ["channel acc_y has 41 non-finite", "longest run is 41 samples from sample 40"],
    "time_goes_back.csv": ["time column 'time' is not increasing", "line 62"],
    "wrong_rate.csv": ["sampling rate of 15 Hz", "declared rate is 30 Hz"],
    "empty.csv": ["the file is empty"],
    "binary.csv": ["binary data", "not CSV text"],
    "header_only.csv": ["header but no data rows"],
}


def write_mixed_archive(root: Path) -> list[str]:
    """4 good recordings plus one bad file of each kind; returns the good file names."""
    write_demo_archive(root, subjects=2, recordings_per_subject=2, seconds=6, rate=30, seed=1)
    good = sorted(p.name for p in root.glob("s*.csv"))
    frame = pd.read_csv(root / good[0])
    lines = (root / good[0]).read_text().splitlines()
    (root / "truncated.csv").write_text("\n".join(lines[:100]) + "\n" + lines[100][:15])
    text = frame.astype({"acc_x": object})
    text.loc[50, "acc_x"] = "oops"
    text.to_csv(root / "text_in_number.csv", index=False)
    nan = frame.copy()
    nan.loc[40:80, "acc_y"] = np.nan
    nan.to_csv(root / "nan_run.csv", index=False)
    back = frame.copy()
    back.loc[60, "time"] = back.loc[30, "time"]
    back.to_csv(root / "time_goes_back.csv", index=False)
    slow = frame.copy()
    slow["time"] *= 2  # 15 Hz timestamps in an archive declared 30 Hz
    slow.to_csv(root / "wrong_rate.csv", index=False)
    (root / "empty.csv").write_bytes(b"")
    noise = np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8).tobytes()
    (root / "binary.csv").write_bytes(noise)
    frame.iloc[:0].to_csv(root / "header_only.csv", index=False)
    return good


@pytest.fixture
def mixed(tmp_path, monkeypatch):
    good = write_mixed_archive(tmp_path / "archive")
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    import sslsci.cli.data

    monkeypatch.setattr(sslsci.cli.data, "out", Console(width=400, markup=False))  # unwrapped
    return tmp_path, good


def _ingest(root: Path, *flags: str):
    from sslsci.cli import app

    args = ["ingest", "mixed", "--catalog", str(root / "catalog.yaml"), *flags]
    return CliRunner().invoke(app, args)


def test_each_bad_file_is_quarantined_with_its_reason_and_good_files_stored(mixed):
    root, good = mixed
    result = _ingest(root, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["entry"] == "mixed" and report["seconds"] > 0
    counts = report["counts"]
    assert (counts["new"], counts["ok"], counts["stored_items"]) == (12, 4, 4)
    assert counts["quarantined"] == counts["quarantined_total"] == len(EXPECTED)
    reasons = {Path(q["uri"]).name: q["reason"] for q in report["quarantined"]}
    assert set(reasons) == set(EXPECTED)
    for name, words in EXPECTED.items():
        for word in words:
            assert word in reasons[name], f"{name}: {word!r} not in {reasons[name]!r}"

    from sslsci.catalog import load_catalog
    from sslsci.store import Workspace

    workspace = Workspace(load_catalog(root / "catalog.yaml").resolve_workdir())
    manifest = workspace.manifest()
    stored = {Path(i.uri).name: i for i in manifest.items(["mixed"])}
    assert sorted(stored) == good
    assert all(workspace.store().read(i.store_key).shape == i.shape for i in stored.values())
    manifest.close()


def test_report_lists_counts_and_every_quarantined_file(mixed):
    root, _ = mixed
    first = _ingest(root, "--report")
    assert first.exit_code == 0, first.output
    assert "12 new" in first.stdout and "4 stored, 8 quarantined" in first.stdout
    for name, words in EXPECTED.items():
        assert name in first.stdout and words[0] in first.stdout
    again = _ingest(root, "--report")
    assert "0 new, 0 changed, 12 unchanged" in again.stdout
    assert all(name in again.stdout for name in EXPECTED)  # quarantine stays listed
    as_json = json.loads(_ingest(root, "--json").stdout)
    assert as_json["counts"]["unchanged"] == 12 and as_json["counts"]["quarantined"] == 0
    assert len(as_json["quarantined"]) == len(EXPECTED)


def test_ingest_of_an_unknown_entry_or_modality_fails_cleanly(mixed):
    root, _ = mixed
    result = _ingest(root)
    assert result.exit_code == 0
    from sslsci.cli import app

    missing = CliRunner().invoke(app, ["ingest", "nope", "--catalog", str(root / "catalog.yaml")])
    assert missing.exit_code == 2 and "no entry named 'nope'" in " ".join(missing.output.split())
    (root / "catalog.yaml").write_text(CATALOG.replace("wearables", "seismics"))
    broken = _ingest(root)
    assert broken.exit_code == 2
    assert "no usable sslsci plugin named 'seismics'" in " ".join(broken.output.split())
