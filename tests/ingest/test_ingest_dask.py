"""Ingest fanned out over a 2-worker local Dask cluster (Prefect's Dask task runner) gives
the manifest and store a serial ingest gives: the parent is the manifest's one writer."""

from __future__ import annotations

import uuid
from functools import partial

import numpy as np
from prefect import tags
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterName, TaskRunFilterTags

from flows.ingest_dask import LOCAL, TAG, ingest_on_dask
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace

RUN_TAG = f"test-{uuid.uuid4().hex[:8]}"
SOURCE_FIELDS = ("uri", "sha256", "size", "status", "reason", "plugin_version", "options_hash")


def _manifest(workspace: Workspace) -> tuple[list, dict, tuple[str, int]]:
    manifest = workspace.manifest()
    try:
        items = manifest.items(["study"], ok_only=False)
        sources = {
            uri: tuple(getattr(row, f) for f in SOURCE_FIELDS)
            for uri, row in manifest.sources("study").items()
        }
        return items, sources, manifest.data_hash(["study"])
    finally:
        manifest.close()


def test_two_worker_dask_ingest_gives_the_serial_manifest_and_arrays(
    tmp_path, small_study, prefect_harness
):
    catalog = small_study(subjects=3, recordings=2, seconds=4.0, seed=2)
    (tmp_path / "archive" / "broken.csv").write_text("acc_x,acc_y\n1,2\nnot,numbers\n")
    serial = Workspace(tmp_path / "serial")
    dask = Workspace(tmp_path / "dask")
    serial_report = ingest_entry(catalog, "study", serial)
    fan_out = partial(ingest_on_dask, address=LOCAL, workers=2)
    with tags(RUN_TAG):
        dask_report = ingest_entry(catalog, "study", dask, fan_out=fan_out)

    assert dask_report.counts == serial_report.counts
    assert serial_report.counts["ok"] == 6 and serial_report.counts["quarantined"] == 1
    items, sources, data_hash = _manifest(dask)
    serial_items, serial_sources, serial_hash = _manifest(serial)
    assert items == serial_items  # keys, shapes, stats, labels, splits, content hashes
    assert sources == serial_sources and data_hash == serial_hash
    assert len(items) == 6
    for item in items:
        stored, expected = dask.store().read(item.store_key), serial.store().read(item.store_key)
        assert stored.shape == item.shape and np.array_equal(stored, expected)
    assert dask.store().keys() == serial.store().keys()

    with get_client(sync_client=True) as client:
        tasks = client.read_task_runs(
            task_run_filter=TaskRunFilter(
                tags=TaskRunFilterTags(all_=[TAG, RUN_TAG]),
                name=TaskRunFilterName(like_="ingest-source"),
            )
        )
    assert len(tasks) == 7 and all(t.state.is_completed() for t in tasks)
    again = ingest_entry(catalog, "study", dask, fan_out=fan_out).counts
    assert (again["unchanged"], again["ok"], again["new"]) == (7, 0, 0)
