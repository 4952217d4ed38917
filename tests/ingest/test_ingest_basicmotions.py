"""Done-when: the real UEA BasicMotions files ingest with labels and splits; a re-run reads nothing.

Reads ../shared/data/wearables beside the repo (skipped when absent).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import sslsci.ingest.plan
import sslsci.ingest.run
from plugins.wearables.readers_ts import TsReader
from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "wearables"
CLASSES = {"Standing", "Running", "Walking", "Badminton"}

CATALOG = """
entries:
  - name: basicmotions
    modality: wearables
    uri: {uri}
    include: ["BasicMotions_*.ts"]
    options: {{sampling_rate: 10, acc_units: "m/s^2"}}
    splits:
      regex: {{train: _TRAIN, test: _TEST}}
"""


def _refuse(*args, **kwargs):
    raise AssertionError("an unchanged archive was read again")


def test_basicmotions_ingests_80_labelled_recordings_and_reingest_reads_nothing(
    tmp_path, monkeypatch
):
    if not (DATA / "BasicMotions_TRAIN.ts").is_file():
        pytest.skip(f"real BasicMotions files not found in {DATA.resolve()}")
    (tmp_path / "catalog.yaml").write_text(CATALOG.format(uri=DATA.resolve()))
    catalog = load_catalog(tmp_path / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())

    first = ingest_entry(catalog, "basicmotions", workspace)
    assert first.quarantined == []
    assert (first.counts["new"], first.counts["ok"], first.counts["stored_items"]) == (2, 2, 80)

    manifest = workspace.manifest()
    items = manifest.items(["basicmotions"])
    assert len(items) == 80
    assert {item.label for item in items} == CLASSES
    per_split = Counter((item.split, item.label) for item in items)
    assert per_split == {(s, c): 10 for s in ("train", "test") for c in CLASSES}
    assert all(i.dims == ("channel", "time") and i.shape == (6, 300) for i in items)  # 10->30 Hz
    store = workspace.store()
    sample = store.open(items[0].store_key)
    assert sample.attrs["sampling_rate"] == 30.0 and sample.attrs["original_sampling_rate"] == 10.0
    assert sample.attrs["channel_names"] == ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    # acc_units m/s^2 -> g: the stored acc has the spread of the file's values / 9.80665
    # (upsampling 10 -> 30 Hz keeps the signal's band, so its spread too); gyro is unscaled.
    raw = next(TsReader().read(str(DATA / "BasicMotions_TEST.ts"), sampling_rate=10))
    stored = store.read(next(i.store_key for i in items if i.uri.endswith("TEST.ts")))
    ratio = stored.std(axis=1) / raw.array.values.std(axis=1)
    np.testing.assert_allclose(ratio[:3], 1 / 9.80665, rtol=0.1)
    np.testing.assert_allclose(ratio[3:], 1.0, rtol=0.1)
    data_hash = manifest.data_hash(["basicmotions"])
    manifest.close()

    monkeypatch.setattr(sslsci.ingest.plan, "source_sha256", _refuse)
    monkeypatch.setattr(sslsci.ingest.run, "process_source", _refuse)
    second = ingest_entry(catalog, "basicmotions", workspace)
    assert second.counts["unchanged"] == 2
    assert second.counts["new"] == second.counts["changed"] == second.counts["ok"] == 0
    assert second.counts["stored_items"] == 80
    manifest = workspace.manifest()
    assert manifest.data_hash(["basicmotions"]) == data_hash
    manifest.close()
