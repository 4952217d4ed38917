"""The four real BigEarthNet-S1 patches, read as two-channel items and checked against
rasterio's own reading of each band file and against the label JSON."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio

from plugins.sar import spec
from plugins.sar.readers import BAND_FOLDER_READER, GEOTIFF_READER
from sslsci.plugins.reader_choice import pick_reader

from .conftest import real_patches


def _band(folder: Path, pol: str) -> Path:
    return next(folder.glob(f"*_{pol}.tif"))


def _read(folder: Path, sar_plugin):
    reader = pick_reader(sar_plugin, str(folder), None)
    assert reader.name == BAND_FOLDER_READER.name
    records = list(reader.read(str(folder), **sar_plugin.option_values({})))
    assert len(records) == 1  # 120 x 120 < tile_size: one tile
    return records[0]


def test_patches_read_as_vv_vh_items_equal_to_rasterio(sar_plugin) -> None:
    for folder in real_patches():
        record = _read(folder, sar_plugin)
        array = record.array
        assert array.dims == spec.DIMS and array.shape == (2, 120, 120)
        assert [str(c) for c in array.coords["channel"].values] == ["VV", "VH"]
        for index, pol in enumerate(("VV", "VH")):
            with rasterio.open(_band(folder, pol)) as ds:
                np.testing.assert_array_equal(array.values[index], ds.read(1))
                assert array.attrs[spec.CRS] == ds.crs.to_wkt()
                assert tuple(array.attrs[spec.TRANSFORM]) == tuple(ds.transform)[:6]
                assert array.attrs[spec.PIXEL_SIZE] == [abs(ds.transform.e), ds.transform.a]


def test_patches_are_in_db_and_valid(sar_plugin) -> None:
    for folder in real_patches():
        array = _read(folder, sar_plugin).array
        values = array.values
        assert values.max() < 10.0 and values.min() > -50.0  # sigma0 in dB
        assert np.median(values[0]) > np.median(values[1])  # VV above VH
        assert sar_plugin.validate(array) == []
        normalised = sar_plugin.normalize(array)
        assert normalised.attrs["preprocessing"][0] == {
            "step": "scale",
            "found": "dB",
            "how": "detected",
        }
        assert float(normalised.min()) >= 0.0 and float(normalised.max()) <= 1.0


def test_labels_and_metadata_come_from_the_json(sar_plugin) -> None:
    for folder in real_patches():
        record = _read(folder, sar_plugin)
        content = json.loads(next(folder.glob("*_labels_metadata.json")).read_text())
        assert record.labels["labels"] == ";".join(sorted(content["labels"]))
        assert record.labels["scene_source"] == content["scene_source"]
        assert record.array.attrs[spec.ACQUISITION_TIME] == content["acquisition_time"] + "Z"
        absolute = int(content["scene_source"].split("_")[6])
        relative = (absolute - 73) % 175 + 1  # S1A
        assert record.array.attrs[spec.ORBIT] == f"relative {relative} (S1A absolute {absolute})"
        assert record.labels["block"].startswith("EPSG:326")


def test_neighbouring_patches_share_a_block(sar_plugin) -> None:
    folders = real_patches()
    blocks = {f.name[-5:]: _read(f, sar_plugin).labels["block"] for f in folders}
    # 61_39, 61_40, 61_41 are adjacent 1.2 km patches of one scene; 36_85 is in zone 29
    assert blocks["61_39"] == blocks["61_40"] == blocks["61_41"] != blocks["36_85"]


def test_each_band_file_reads_alone_with_the_polarisation_from_its_name(sar_plugin) -> None:
    folder = real_patches()[0]
    vh = _band(folder, "VH")
    head = vh.read_bytes()[:4096]
    assert GEOTIFF_READER.sniff(str(vh), head)
    assert not BAND_FOLDER_READER.sniff(str(vh), head)
    options = sar_plugin.option_values({"polarisations": ["VH"]})
    (record,) = GEOTIFF_READER.read(str(vh), **options)
    assert [str(c) for c in record.array.coords["channel"].values] == ["VH"]
    with pytest.raises(ValueError, match="bands are VH"):
        list(GEOTIFF_READER.read(str(vh), **sar_plugin.option_values({"polarisations": ["VV"]})))
