"""Re-ingest notices changed, deleted, copied-in and replaced files; --verify re-hashes all."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sslsci.ingest.plan
from sslsci.catalog import Catalog
from sslsci.store import Workspace


@pytest.fixture
def study(small_study, run_ingest, monkeypatch):
    """4 recordings ingested once; ``hashed`` lists every file hashed after that."""
    catalog = small_study(subjects=2, recordings=2, seconds=4.0)
    assert run_ingest(catalog).counts["ok"] == 4
    hashed: list[str] = []
    real = sslsci.ingest.plan.source_sha256

    def counting(info):
        hashed.append(Path(info.uri).name)
        return real(info)

    monkeypatch.setattr(sslsci.ingest.plan, "source_sha256", counting)
    archive = Path(catalog.resolve_uri(catalog.entry("study")))
    return catalog, archive, hashed


def _rows(catalog: Catalog):
    manifest = Workspace(catalog.resolve_workdir()).manifest()
    sources = manifest.sources("study")
    items = {Path(i.uri).name: i for i in manifest.items(["study"], ok_only=False)}
    manifest.close()
    return {Path(u).name: row for u, row in sources.items()}, items


def _same_size_edit(path: Path) -> None:
    """Change one digit in place: same size, same inode, new content (and new ctime)."""
    data = bytearray(path.read_bytes())
    at = data.index(b"\n", data.index(b"\n") + 1) - 1  # last digit of the first row's gyr_z
    data[at] = ord("1") if data[at] != ord("1") else ord("2")
    with open(path, "r+b") as handle:
        handle.write(data)


def test_unchanged_archive_hashes_nothing(study, run_ingest):
    catalog, _, hashed = study
    counts = run_ingest(catalog).counts
    assert (counts["unchanged"], counts["new"], counts["changed"]) == (4, 0, 0)
    assert hashed == []


def test_modified_content_is_reingested(study, run_ingest):
    catalog, archive, _ = study
    _, before = _rows(catalog)
    target = archive / "s01_r000.csv"
    lines = target.read_text().splitlines()
    target.write_text("\n".join(lines[:-30]) + "\n")  # one second shorter
    counts = run_ingest(catalog).counts
    assert (counts["changed"], counts["ok"], counts["unchanged"]) == (1, 1, 3)
    _, after = _rows(catalog)
    assert after["s01_r000.csv"].sha256 != before["s01_r000.csv"].sha256
    assert after["s01_r000.csv"].shape == (6, 90)
    assert {k: v.store_key for k, v in after.items() if k != "s01_r000.csv"} == {
        k: v.store_key for k, v in before.items() if k != "s01_r000.csv"
    }


def test_deleted_file_is_gone_and_kept_until_prune(study, run_ingest):
    catalog, archive, _ = study
    _, items = _rows(catalog)
    doomed = items["s02_r001.csv"].store_key
    (archive / "s02_r001.csv").unlink()
    assert run_ingest(catalog).counts["gone"] == 1
    sources, _ = _rows(catalog)
    assert sources["s02_r001.csv"].status == "gone"
    workspace = Workspace(catalog.resolve_workdir())
    store = workspace.store()
    assert store.has(doomed)
    manifest = workspace.manifest()
    assert len(manifest.items(["study"])) == 3  # training no longer sees it
    manifest.close()
    assert run_ingest(catalog).counts["gone"] == 0  # marked once

    from sslsci.cli import app

    args = ["store", "prune", "--catalog", str(catalog.path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "pruned 1 stored items" in result.output
    assert not store.has(doomed) and len(store.keys()) == 3
    sources, _ = _rows(catalog)
    assert "s02_r001.csv" not in sources


def test_prune_also_drops_data_of_replaced_versions(study, run_ingest):
    catalog, archive, _ = study
    _, before = _rows(catalog)
    (archive / "s01_r001.csv").write_text((archive / "s02_r000.csv").read_text())
    run_ingest(catalog)
    workspace = Workspace(catalog.resolve_workdir())
    old_key = before["s01_r001.csv"].store_key
    assert workspace.store().has(old_key)
    assert sslsci.ingest.prune_store(workspace) == (1, 0)
    _, after = _rows(catalog)
    assert workspace.store().keys() == {i.store_key for i in after.values()}


def test_new_file_with_an_old_mtime_is_picked_up(study, run_ingest):
    catalog, archive, _ = study
    source = archive / "s01_r000.csv"
    os.utime(source, (1_000_000_000, 1_000_000_000))  # an old file, as from an old backup
    incoming = archive / "s09_r000.csv"
    shutil.copy2(source, incoming)  # like cp -p / rsync -a: the old mtime is kept
    assert incoming.stat().st_mtime == 1_000_000_000
    counts = run_ingest(catalog).counts
    assert (counts["new"], counts["ok"]) == (1, 1)
    sources, items = _rows(catalog)
    assert sources["s09_r000.csv"].status == "ok"
    assert items["s09_r000.csv"].sha256 == items["s01_r000.csv"].sha256


def test_same_size_overwrite_with_copied_mtime_is_rehashed(study, run_ingest):
    catalog, archive, hashed = study
    target = archive / "s02_r000.csv"
    stat = target.stat()
    _, before = _rows(catalog)
    _same_size_edit(target)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # mtime put back
    after_stat = target.stat()
    assert (after_stat.st_size, after_stat.st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    counts = run_ingest(catalog).counts
    assert (counts["changed"], counts["ok"], counts["unchanged"]) == (1, 1, 3)
    assert "s02_r000.csv" in hashed
    _, items = _rows(catalog)
    assert items["s02_r000.csv"].sha256 != before["s02_r000.csv"].sha256


def test_touched_but_unchanged_file_is_hashed_once_then_skipped(study, run_ingest):
    catalog, archive, hashed = study
    os.utime(archive / "s01_r001.csv")
    counts = run_ingest(catalog).counts
    assert (counts["unchanged"], counts["changed"]) == (4, 0) and hashed == ["s01_r001.csv"]
    run_ingest(catalog)
    assert hashed == ["s01_r001.csv"]  # the new stat was remembered


def test_verify_rehashes_everything_and_restores_a_deleted_item(study, run_ingest):
    catalog, _, hashed = study
    _, items = _rows(catalog)
    lost = items["s01_r001.csv"].store_key
    store = Workspace(catalog.resolve_workdir()).store()
    shutil.rmtree(store.path(lost))
    assert run_ingest(catalog).counts["unchanged"] == 4  # a plain re-run trusts the stat
    assert not store.has(lost)
    counts = run_ingest(catalog, verify=True).counts
    assert (counts["changed"], counts["unchanged"], counts["ok"]) == (1, 3, 1)
    assert set(hashed) == {f"s0{s}_r00{r}.csv" for s in (1, 2) for r in (0, 1)}
    assert store.has(lost)
    assert store.read(lost).shape == items["s01_r001.csv"].shape


def test_changed_options_reingest_every_file(study, run_ingest, write_catalog):
    catalog = study[0]
    rate = "{sampling_rate: 30}"
    text = catalog.path.read_text().replace(rate, "{sampling_rate: 30, target_rate: 15}")
    catalog = write_catalog(catalog.path.parent, text)
    counts = run_ingest(catalog).counts
    assert (counts["changed"], counts["ok"], counts["unchanged"]) == (4, 4, 0)
    _, items = _rows(catalog)
    assert {i.shape for i in items.values()} == {(6, 60)}  # 4 s at 15 Hz


def test_a_fixed_quarantined_file_is_ingested(study, run_ingest):
    catalog, archive, _ = study
    (archive / "s03_r000.csv").write_text("time,acc_x,acc_y,acc_z\n")
    report = run_ingest(catalog)
    assert [Path(u).name for u, _ in report.quarantined] == ["s03_r000.csv"]
    assert run_ingest(catalog).counts["unchanged"] == 5  # quarantine is remembered
    shutil.copy(archive / "s01_r000.csv", archive / "s03_r000.csv")
    report = run_ingest(catalog)
    assert (report.counts["changed"], report.counts["ok"], report.quarantined) == (1, 1, [])
