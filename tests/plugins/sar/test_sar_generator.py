"""The seeded scene generator: class backscatter statistics, speckle statistics, labels,
the example tile and the demo archive."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import rasterio
from scipy.special import digamma

from plugins.sar import spec
from plugins.sar.generator import PATCH, example_array, write_demo_archive, write_scene_geotiff
from plugins.sar.readers import BAND_FOLDER_READER
from plugins.sar.scene import (
    BACKSCATTER_DB,
    CLASSES,
    TEXTURE_SHAPE,
    SceneModel,
    present_classes,
)

DB_PER_NEPER = 10.0 / np.log(10.0)


@pytest.fixture(scope="module")
def big_scene() -> tuple[np.ndarray, np.ndarray]:
    return SceneModel.from_seed(11).backscatter(0, 0, 600, 600)


def test_class_means_in_linear_intensity(big_scene) -> None:
    classes, db = big_scene
    linear = 10.0 ** (db / 10.0)
    for name in ("water", "forest", "urban"):  # fields add parcel offsets
        where = classes == CLASSES.index(name)
        assert where.sum() > 2000, name
        for index in range(2):  # texture and speckle have mean 1: the mean is the class's
            expected = 10.0 ** (BACKSCATTER_DB[name][index] / 10.0)
            assert linear[index][where].mean() == pytest.approx(expected, rel=0.08), name


def test_class_means_in_db_follow_the_log_gamma_bias(big_scene) -> None:
    classes, db = big_scene
    looks = SceneModel.from_seed(11).looks
    for name in ("water", "forest", "urban"):
        where = classes == CLASSES.index(name)
        shape = TEXTURE_SHAPE[name]
        bias = DB_PER_NEPER * (digamma(looks) - np.log(looks) + digamma(shape) - np.log(shape))
        for index in range(2):
            assert db[index][where].mean() == pytest.approx(
                BACKSCATTER_DB[name][index] + bias, abs=0.15
            ), name


def test_classes_separate_as_in_c_band_data(big_scene) -> None:
    classes, db = big_scene
    mean = {n: db[:, classes == k].mean(axis=1) for k, n in enumerate(CLASSES)}
    assert mean["water"][0] < mean["fields"][0] < mean["forest"][0] < mean["urban"][0]
    ratio = {n: m[0] - m[1] for n, m in mean.items()}  # VV/VH in dB: lowest for forest
    assert ratio["forest"] < ratio["fields"] and ratio["forest"] < ratio["water"]


def test_scene_windows_are_consistent_and_seeded() -> None:
    model = SceneModel.from_seed(4)
    whole = model.classes(0, 0, 200, 200)
    np.testing.assert_array_equal(model.classes(50, 70, 100, 80), whole[50:150, 70:150])
    _, a = model.backscatter(0, 0, 32, 32)
    _, b = SceneModel.from_seed(4).backscatter(0, 0, 32, 32)
    _, c = SceneModel.from_seed(5).backscatter(0, 0, 32, 32)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_present_classes() -> None:
    classes = np.zeros((10, 10), dtype=np.uint8)
    classes[0, :5] = 2  # 5% urban
    classes[9, 9] = 1  # 1% forest
    assert present_classes(classes) == ["forest", "urban", "water"]
    assert present_classes(classes, min_fraction=0.02) == ["urban", "water"]


def test_example_is_a_valid_reader_like_tile(sar_plugin) -> None:
    array = example_array(0)
    assert array.dims == spec.DIMS and array.shape == (2, 64, 64)
    assert array.attrs[spec.CRS] and array.attrs[spec.SCALE] == "dB"
    assert sar_plugin.validate(array) == []
    np.testing.assert_array_equal(example_array(0).values, array.values)


def test_scene_geotiff_written_block_by_block(tmp_path: Path) -> None:
    path = write_scene_geotiff(
        tmp_path / "lin.tif", 600, 520, seed=2, scale="linear", nodata_columns=30
    )
    with rasterio.open(path) as ds:
        values = ds.read()
        assert ds.nodata == 0.0 and ds.descriptions == ("VV", "VH") and ds.crs.to_epsg() == 32633
        assert ds.tags()["SCALE"] == "linear"
    assert np.all(values[:, :, :30] == 0) and np.all(values[:, :, 30:] > 0)
    _, db = SceneModel.from_seed(2).backscatter(0, 0, 512, 512)  # the first block
    np.testing.assert_allclose(values[:, :512, 30:512], 10 ** (db[:, :, 30:] / 10), rtol=1e-5)


def test_demo_archive(tmp_path: Path, sar_plugin) -> None:
    write_demo_archive(tmp_path, seed=0)
    patches = sorted(p for p in tmp_path.iterdir() if p.is_dir())
    assert len(patches) == 36
    size = sum(f.stat().st_size for f in tmp_path.rglob("*") if f.is_file())
    assert 2e6 < size < 8e6
    assert "SYNTHETIC" in (tmp_path / "README.md").read_text()
    seen = set()
    for folder in patches:
        (record,) = BAND_FOLDER_READER.read(str(folder), **sar_plugin.option_values({}))
        assert record.array.shape == (2, PATCH, PATCH)
        assert sar_plugin.validate(record.array) == []
        content = json.loads(next(folder.glob("*_labels_metadata.json")).read_text())
        assert content["synthetic"] is True
        assert record.labels["labels"] == ";".join(sorted(content["labels"]))
        assert record.labels["label"] in content["labels"]
        seen.update(content["labels"])
    assert seen == set(CLASSES)
    blocks = {}
    for folder in patches:
        (record,) = BAND_FOLDER_READER.read(str(folder), **sar_plugin.option_values({}))
        blocks.setdefault(record.labels["block"], []).append(folder.name)
    assert 3 <= len(blocks) < 36  # whole blocks of neighbouring patches
