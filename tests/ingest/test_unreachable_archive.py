"""Done-when: an archive that suddenly lists nothing (an empty mount point) or far fewer
files is unreachable, not emptied: ingest marks nothing gone and says so, and
``store prune`` deletes the data of such an archive only after --yes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sslsci.cli import app
from sslsci.store import Workspace


@pytest.fixture
def mounted(small_study, run_ingest):
    """4 recordings ingested; returns (catalog, archive folder, stored keys)."""
    catalog = small_study(subjects=2, recordings=2, seconds=4.0)
    assert run_ingest(catalog).counts["ok"] == 4
    archive = Path(catalog.resolve_uri(catalog.entry("study")))
    return catalog, archive, Workspace(catalog.resolve_workdir()).store().keys()


def _unmount(archive: Path, keep: int = 0) -> None:
    """Empty the folder as an unmounted share would leave it (``keep`` csv files stay)."""
    for path in sorted(archive.glob("s*.csv"))[keep:]:
        path.unlink()


def _cli(catalog, *args: str):
    return CliRunner().invoke(app, [*args, "--catalog", str(catalog.path)])


def _statuses(catalog) -> dict[str, str]:
    manifest = Workspace(catalog.resolve_workdir()).manifest()
    try:
        return {Path(u).name: row.status for u, row in manifest.sources("study").items()}
    finally:
        manifest.close()


@pytest.mark.parametrize("keep", [0, 1])
def test_empty_or_mostly_empty_archive_marks_nothing_gone_and_says_so(mounted, keep):
    catalog, archive, keys = mounted
    _unmount(archive, keep)
    result = _cli(catalog, "ingest", "study")
    assert result.exit_code == 0, result.output
    assert "0 gone" in result.output
    assert f"lists {keep} files, and {4 - keep} of the 4 files" in result.output
    assert "treated as unreachable" in result.output and "--accept-gone" in result.output
    assert set(_statuses(catalog).values()) == {"ok"}
    assert _cli(catalog, "store", "prune").exit_code == 0  # nothing marked, nothing deleted
    assert Workspace(catalog.resolve_workdir()).store().keys() == keys


def test_remounted_archive_needs_no_reingest(mounted, run_ingest):
    catalog, archive, _ = mounted
    saved = archive.with_name("saved")
    shutil.copytree(archive, saved, copy_function=shutil.copy2)
    _unmount(archive)
    run_ingest(catalog)
    shutil.rmtree(archive)
    saved.rename(archive)  # same content back: hashed, found unchanged
    counts = run_ingest(catalog).counts
    assert (counts["new"], counts["changed"], counts["gone"]) == (0, 0, 0)


def test_prune_of_a_mostly_gone_entry_needs_yes(mounted):
    catalog, archive, keys = mounted
    _unmount(archive)
    accepted = _cli(catalog, "ingest", "study", "--accept-gone")
    assert "4 gone" in accepted.output, accepted.output
    assert set(_statuses(catalog).values()) == {"gone"}
    refused = _cli(catalog, "store", "prune")
    assert refused.exit_code == 2
    assert "4 of 4 files of entry 'study'" in refused.output and "--yes" in refused.output
    assert Workspace(catalog.resolve_workdir()).store().keys() == keys
    pruned = _cli(catalog, "store", "prune", "--yes")
    assert pruned.exit_code == 0, pruned.output
    assert "pruned 4 stored items" in pruned.output
    assert Workspace(catalog.resolve_workdir()).store().keys() == set()
