"""Issue 10: file names that are not UTF-8 (top level, and inside a DICOM series folder)
get manifest rows, the store never holds an item the manifest lacks, and a rerun works."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from plugins.ct.phantom import make_phantom, write_dicom_series
from plugins.wearables.samples import _recording, _table
from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Manifest, Workspace

CATALOG = """
entries:
  - {name: w, modality: wearables, uri: w, include: ["*.csv"], options: {sampling_rate: 30}}
  - {name: c, modality: ct, uri: c, include: ["*"], options: {target_spacing: 4.0}}
"""


def _bad(folder: Path, raw: bytes) -> str:
    """A path in ``folder`` whose last part is the bytes ``raw`` (not valid UTF-8)."""
    return os.path.join(os.fsdecode(folder), os.fsdecode(raw))


def _archives(root: Path) -> None:
    wear = root / "w"
    wear.mkdir(parents=True)
    for seed in range(2):
        _table(_recording(seed), 30.0).to_csv(wear / f"r{seed}.csv", index=False)
    _table(_recording(7), 30.0).to_csv(_bad(wear, b"good\xff.csv"), index=False)
    Path(_bad(wear, b"binary\xfe.csv")).write_bytes(bytes(range(256)) * 4)
    ct = root / "c"
    phantom = make_phantom((16, 12, 8), seed=1, spacing=(4.0, 4.0, 4.0), condition="normal")
    slices = write_dicom_series(phantom.volume, phantom.spacing, ct / "inner", "1.2.826.0.1.9.1")
    slices[0].rename(_bad(ct / "inner", b"IM\xfe.dcm"))
    write_dicom_series(phantom.volume, phantom.spacing, _bad(ct, b"series\xff"), "1.2.826.0.1.9.2")
    broken = write_dicom_series(phantom.volume, phantom.spacing, ct / "gap", "1.2.826.0.1.9.3")
    broken[3].unlink()  # a slice missing: quarantined with a reason naming a file
    broken[4].rename(_bad(ct / "gap", b"IM\xff_0004.dcm"))
    (root / "catalog.yaml").write_text(CATALOG)


def _cli_json(root: Path, name: str) -> dict:
    from sslsci.cli import app

    args = ["ingest", name, "--catalog", str(root / "catalog.yaml"), "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _assert_store_matches_manifest(workspace: Workspace) -> None:
    manifest = workspace.manifest()
    try:
        assert workspace.store().keys() == manifest.live_keys()
    finally:
        manifest.close()


def test_undecodable_names_are_recorded_and_a_rerun_finds_them(tmp_path: Path) -> None:
    _archives(tmp_path)
    wear = _cli_json(tmp_path, "w")
    ct = _cli_json(tmp_path, "c")
    assert wear["counts"]["ok"] == 3 and ct["counts"]["ok"] == 2
    quarantined = {
        Path(q["uri"]).name: q["reason"] for q in wear["quarantined"] + ct["quarantined"]
    }
    assert set(quarantined) == {"binary\\xfe.csv", "gap"}
    assert "binary\\xfe.csv" in quarantined["binary\\xfe.csv"]
    workspace = Workspace(load_catalog(tmp_path / "catalog.yaml").resolve_workdir())
    manifest = workspace.manifest()
    stored = {Path(item.uri).name for item in manifest.items()}
    manifest.close()
    assert stored == {"r0.csv", "r1.csv", "good\\xff.csv", "inner", "series\\xff"}
    _assert_store_matches_manifest(workspace)
    for name, total in (("w", 4), ("c", 3)):
        again = _cli_json(tmp_path, name)
        assert again["counts"]["unchanged"] == total, again


def test_a_manifest_write_that_fails_leaves_no_stored_item_behind(tmp_path, monkeypatch) -> None:
    _archives(tmp_path)
    catalog = load_catalog(tmp_path / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())
    real = Manifest.record_ok
    calls = []

    def fail_second(self, source, items):
        calls.append(source.uri)
        if len(calls) == 2:
            raise sqlite3.OperationalError("disk I/O error")
        return real(self, source, items)

    monkeypatch.setattr(Manifest, "record_ok", fail_second)
    with pytest.raises(sqlite3.OperationalError):
        ingest_entry(catalog, "w", workspace)
    _assert_store_matches_manifest(workspace)
    monkeypatch.setattr(Manifest, "record_ok", real)
    report = ingest_entry(catalog, "w", workspace)
    assert report.counts["stored_items"] == 3
    _assert_store_matches_manifest(workspace)
