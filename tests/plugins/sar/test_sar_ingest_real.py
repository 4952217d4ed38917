"""The four real BigEarthNet-S1 patches ingest through the catalog as two-channel (VV, VH)
items with the CRS rasterio reports, their multi-labels, and values in dB."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
from rasterio.crs import CRS

from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace

CATALOG = """
entries:
  - name: ben
    modality: sar
    uri: {uri}
    include: ["S1*"]
"""


def test_real_patches_ingest_as_vv_vh_items(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "sar" / "bigearthnet-s1"
    (tmp_path / "catalog.yaml").write_text(CATALOG.format(uri=folder))
    catalog = load_catalog(tmp_path / "catalog.yaml")
    workspace = Workspace(tmp_path / "work")
    report = ingest_entry(catalog, "ben", workspace)
    assert report.counts["ok"] == 4, report.quarantined
    manifest = workspace.manifest()
    items = manifest.items(["ben"])
    manifest.close()
    store = workspace.store()
    for item in items:
        patch = Path(item.uri)
        with rasterio.open(next(patch.glob("*_VV.tif"))) as source:
            crs, raw_vv = source.crs, source.read(1)
        assert item.dims == ("channel", "y", "x") and item.shape == (2, 120, 120)
        stored = store.open(item.store_key)
        assert [str(c) for c in stored.attrs["channel_names"]] == ["VV", "VH"]
        assert CRS.from_wkt(stored.attrs["crs"]) == crs
        assert stored.attrs["scale"] == "dB"
        assert raw_vv.max() < 15 and raw_vv.min() > -60  # the source is dB, not intensity
        assert (item.labels["labels"] and ";" in item.labels["labels"]) or item.labels["labels"]
        assert np.isfinite(store.read(item.store_key)).all()
