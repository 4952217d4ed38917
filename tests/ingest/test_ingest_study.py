"""Done-when: a user's study (a CSV per recording + labels.csv) ingests with grouped splits."""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import pandas as pd

from sslsci.store import Workspace


def test_study_layout_ingests_every_recording_with_subject_grouped_splits(
    tmp_path, small_study, run_ingest
):
    catalog = small_study(subjects=6, recordings=3, seconds=5.0, seed=4)
    report = run_ingest(catalog)
    assert report.quarantined == []
    assert report.counts["ok"] == report.counts["stored_items"] == 18

    truth = pd.read_csv(tmp_path / "archive" / "labels.csv").set_index("file")
    manifest = Workspace(catalog.resolve_workdir()).manifest()
    items = manifest.items(["study"])
    assert sorted(i.uri.rsplit("/", 1)[-1] for i in items) == sorted(truth.index)
    splits_of = defaultdict(set)
    for item in items:
        row = truth.loc[item.uri.rsplit("/", 1)[-1]]
        assert (item.label, item.group_key, item.labels["subject"]) == (
            row.label,
            row.subject,
            row.subject,
        )
        splits_of[item.group_key].add(item.split)
    assert all(len(s) == 1 for s in splits_of.values()), splits_of
    assert {next(iter(s)) for s in splits_of.values()} == {"train", "test"}
    manifest.close()


def test_stored_study_recording_matches_its_csv(tmp_path, small_study, run_ingest):
    catalog = small_study(subjects=1, recordings=1, seconds=4.0)
    run_ingest(catalog)
    workspace = Workspace(catalog.resolve_workdir())
    manifest = workspace.manifest()
    (item,) = manifest.items(["study"])
    manifest.close()
    frame = pd.read_csv(item.uri)
    expected = frame[["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]].to_numpy().T
    stored = workspace.store().read(item.store_key)
    assert stored.dtype == np.float32 and item.shape == (6, 120)
    np.testing.assert_allclose(stored, expected, atol=1e-5)  # 30 Hz in, 30 Hz stored
    np.testing.assert_allclose(item.stats["sum"], expected.sum(axis=1), rtol=1e-4, atol=1e-3)
