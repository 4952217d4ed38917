"""The synthetic CT phantom: seeded, realistic HU per organ, and the archive layout."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from plugins.ct.phantom import CLASSES, make_phantom, write_phantom_archive
from plugins.ct.readers_dicom import DicomReader
from plugins.ct.readers_nifti import NiftiReader

SIZE = (48, 40, 32)


@pytest.fixture(scope="module")
def normal():
    return make_phantom(SIZE, seed=11, condition="normal")


def test_same_seed_same_phantom_and_new_seed_new_one(normal) -> None:
    again = make_phantom(SIZE, seed=11, condition="normal")
    other = make_phantom(SIZE, seed=12, condition="normal")
    assert np.array_equal(normal.volume, again.volume)
    assert np.array_equal(normal.labels, again.labels)
    assert not np.array_equal(normal.labels, other.labels)


def test_every_organ_is_present_with_realistic_hu(normal) -> None:
    expected = {"liver": 60, "spleen": 50, "kidney": 30, "spine": 700, "lung": -850}
    for klass, name in CLASSES.items():
        if klass == 0:
            continue
        voxels = normal.volume[normal.labels == klass]
        assert voxels.size > 20, name
        tolerance = 150 if name == "spine" else 25  # the spine has a 1100 HU cortex
        assert abs(float(np.median(voxels)) - expected[name]) < tolerance, name
    corners = normal.volume[[0, -1]][:, [0, -1]]
    assert np.all(np.abs(corners + 1000) < 40)  # air outside the body


def test_organ_sizes_are_adult_sized(normal) -> None:
    voxel_ml = float(np.prod(normal.spacing)) / 1000.0
    liver_ml = float((normal.labels == 1).sum()) * voxel_ml
    assert 800 < liver_ml < 2500  # adult livers hold about 1.2-1.8 l


def test_conditions_change_liver_density_and_spleen_size() -> None:
    fatty = make_phantom(SIZE, seed=11, condition="fatty_liver")
    large = make_phantom(SIZE, seed=11, condition="splenomegaly")
    normal = make_phantom(SIZE, seed=11, condition="normal")
    assert np.median(fatty.volume[fatty.labels == 1]) < 25
    assert (large.labels == 2).sum() > 2 * (normal.labels == 2).sum()


def test_bad_arguments_are_explained() -> None:
    with pytest.raises(ValueError, match=r"size=.* must be three ints"):
        make_phantom((8, 8))
    with pytest.raises(ValueError, match="condition='flu' is not one of"):
        make_phantom((8, 8, 8), condition="flu")


def test_archive_layout_readme_and_sidecar(tmp_path: Path) -> None:
    cases = write_phantom_archive(tmp_path, n=3, size=(16, 12, 8), seed=4)
    readme = (tmp_path / "README.txt").read_text()
    assert "SYNTHETIC" in readme and "No person was scanned" in readme
    with (tmp_path / "labels.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [r["file"] for r in rows] == [f"series/case_{i:03d}" for i in range(3)]
    assert sorted(r["label"] for r in rows) == ["fatty_liver", "normal", "splenomegaly"]
    for case, row in zip(cases, rows, strict=True):
        assert row["segmentation"] == case.segmentation
        (image,) = DicomReader().read(str(tmp_path / case.file))
        (labels,) = NiftiReader().read(str(tmp_path / case.segmentation))
        assert image.array.shape == labels.array.shape
        assert set(np.unique(labels.array.values)) <= set(CLASSES)
        assert len(list((tmp_path / case.file).iterdir())) == 8


def test_archive_is_reproducible(tmp_path: Path) -> None:
    write_phantom_archive(tmp_path / "a", n=2, size=(8, 8, 4), seed=1)
    write_phantom_archive(tmp_path / "b", n=2, size=(8, 8, 4), seed=1)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.dcm"))
    assert files
    for file in files:
        assert (tmp_path / "a" / file).read_bytes() == (tmp_path / "b" / file).read_bytes()
