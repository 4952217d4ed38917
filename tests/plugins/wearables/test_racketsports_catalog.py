"""The default catalog's `racketsports` entry and its pipeline: the real UEA files ingest
with the labels and official split the .ts files carry.

Reads ../shared/data/wearables beside the repo (skipped when absent).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sslsci.catalog import Catalog, load_catalog
from sslsci.catalog.check import check_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace
from sslsci.train.pipeline import load_pipeline

REPO = Path(__file__).resolve().parents[3]
DATA = REPO / ".." / "shared" / "data" / "wearables"


def _ts_labels(path: Path) -> Counter:
    """Class counts read straight from the .ts text (label: the last ':' field of a row),
    of the strokes within the default sensor limits: peak |acc| <= 16 g and peak |gyr| <=
    40 rad/s. 22 train and 14 test badminton strokes exceed the gyro limit and are refused."""
    counts: Counter = Counter()
    for row in path.read_text().split("@data", 1)[1].split():
        *axes, label = row.split(":")
        values = np.array([axis.split(",") for axis in axes], dtype=float)
        acc_g = np.sqrt((values[:3] ** 2).sum(axis=0)).max() / 9.80665
        gyr = np.sqrt((values[3:] ** 2).sum(axis=0)).max()
        counts[label] += int(acc_g <= 16.0 and gyr <= 40.0)
    return +counts


def test_racketsports_entry_ingests_every_labelled_stroke(tmp_path: Path) -> None:
    train_file, test_file = DATA / "RacketSports_TRAIN.ts", DATA / "RacketSports_TEST.ts"
    if not train_file.is_file():
        pytest.skip(f"real RacketSports files not found in {DATA.resolve()}")
    catalog = load_catalog(REPO / "data_catalog.yaml")
    only = Catalog(entries=[catalog.entry("racketsports")], path=catalog.path)
    assert check_catalog(only) == []

    workspace = Workspace(tmp_path / "store")
    report = ingest_entry(catalog, "racketsports", workspace)
    assert report.quarantined == []
    manifest = workspace.manifest()
    items = manifest.items(["racketsports"])
    manifest.close()
    expected = {"train": _ts_labels(train_file), "test": _ts_labels(test_file)}
    got = {s: Counter(i.label for i in items if i.split == s) for s in ("train", "test")}
    assert got == expected
    # 30 samples at 10 Hz are stored at the wearables rate of 30 Hz: 90 samples, 6 channels
    assert {i.shape for i in items} == {(6, 90)}


def test_racketsports_pipeline_pretrains_on_train_and_evaluates_the_entry() -> None:
    pipeline = load_pipeline(REPO / "pipelines" / "wearables_racketsports.yaml")
    assert pipeline.data.entries == ["racketsports"] and pipeline.data.split == "train"
    assert [task.entry for task in pipeline.evaluate] == ["racketsports"]
    assert pipeline.catalog_path().resolve() == (REPO / "data_catalog.yaml").resolve()
