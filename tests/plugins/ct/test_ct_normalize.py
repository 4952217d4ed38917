"""Normalisation: RAS orientation, resampling, HU window; NIfTI and DICOM agree."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plugins.ct.geometry import volume_array
from plugins.ct.normalize import normalize_labels, normalize_volume
from plugins.ct.phantom import Phantom
from plugins.ct.plugin import plugin
from plugins.ct.readers_dicom import DicomReader
from plugins.ct.readers_nifti import NiftiReader
from sslsci.plugins.options import OptionsError
from tests.plugins.ct.conftest import real_ct

KEEP_GRID = {"target_spacing": None, "hu_window": None}


def read(reader, path: Path):
    (record,) = reader.read(str(path))
    return record.array


def test_phantom_normalises_identically_from_nifti_and_dicom(
    nifti_file: Path, dicom_folder: Path
) -> None:
    from_nifti = normalize_volume(read(NiftiReader(), nifti_file), target_spacing=8.0)
    from_dicom = normalize_volume(read(DicomReader(), dicom_folder), target_spacing=8.0)
    assert from_nifti.shape == from_dicom.shape
    np.testing.assert_allclose(from_nifti.values, from_dicom.values, atol=1e-6)
    assert from_nifti.attrs["spacing"] == pytest.approx([8.0, 8.0, 8.0])
    assert from_dicom.attrs["spacing"] == pytest.approx([8.0, 8.0, 8.0])
    np.testing.assert_allclose(from_nifti.attrs["affine"], from_dicom.attrs["affine"], atol=1e-4)
    assert from_dicom.dtype == np.float32


def test_lps_series_is_turned_back_to_ras_exactly(dicom_folder: Path, phantom: Phantom) -> None:
    array = normalize_volume(read(DicomReader(), dicom_folder), **KEEP_GRID)
    np.testing.assert_array_equal(array.values[0], phantom.volume.astype(np.float32))
    assert array.attrs["orientation"] == "RAS"
    np.testing.assert_allclose(array.attrs["affine"], phantom.affine, atol=1e-4)
    assert array.attrs["preprocessing"][0] == {"step": "orient", "from": "LPS", "to": "RAS"}


def test_resampling_reaches_the_target_spacing_over_the_same_extent(phantom: Phantom) -> None:
    array = volume_array(phantom.volume, phantom.affine, {"modality": "CT"})
    out = normalize_volume(array, target_spacing=[10.0, 10.0, 5.0], hu_window=None)
    extent = [(n - 1) * s for n, s in zip(phantom.volume.shape, phantom.spacing, strict=True)]
    expected = [round(e / t) + 1 for e, t in zip(extent, (10.0, 10.0, 5.0), strict=True)]
    assert list(out.shape[1:]) == expected
    assert out.attrs["spacing"] == pytest.approx([10.0, 10.0, 5.0])
    # Voxel (0, 0, 0) stays where it was: resampling starts at the same corner.
    np.testing.assert_allclose(out.values[0, 0, 0, 0], phantom.volume[0, 0, 0], atol=1e-3)


def test_hu_window_clips_and_scales_linearly(phantom: Phantom) -> None:
    array = volume_array(phantom.volume, phantom.affine, {"modality": "CT"})
    out = normalize_volume(array, target_spacing=None, hu_window=[-200, 300])
    expected = (np.clip(phantom.volume.astype(np.float64), -200, 300) + 200) / 500
    np.testing.assert_allclose(out.values[0], expected, atol=1e-6)
    steps = [step["step"] for step in out.attrs["preprocessing"]]
    assert steps == ["orient", "clip", "scale", "cast"]
    assert out.attrs["preprocessing"][2] == {
        "step": "scale",
        "from_hu": [-200.0, 300.0],
        "to": [0.0, 1.0],
    }


def test_default_options_record_every_step(phantom: Phantom) -> None:
    small = np.diag([2.0, 2.0, 2.5, 1.0])  # a small grid, so 1.5 mm stays cheap
    out = normalize_volume(volume_array(phantom.volume, small, {"modality": "CT"}))
    resample = out.attrs["preprocessing"][1]
    assert resample["to_spacing"] == [1.5, 1.5, 1.5]
    assert resample["from_spacing"] == [2.0, 2.0, 2.5]
    assert float(out.min()) >= 0.0 and float(out.max()) <= 1.0


def test_source_slice_attrs_are_dropped(dicom_folder: Path) -> None:
    array = read(DicomReader(), dicom_folder)
    assert "slice_positions" in array.attrs
    out = normalize_volume(array, target_spacing=10.0)
    assert "slice_positions" not in out.attrs and "slice_instances" not in out.attrs
    assert out.attrs["modality"] == "CT"


def test_single_slice_keeps_its_slice_spacing() -> None:
    array = read(DicomReader(), real_ct("CT_small.dcm"))
    out = normalize_volume(array, target_spacing=1.5)
    assert out.shape[3] == 1
    assert out.attrs["spacing"][2] == pytest.approx(5.0)
    assert out.shape[1] == out.shape[2] == round(127 * 0.661468 / 1.5) + 1


def test_labels_land_on_the_image_grid(nifti_file: Path, phantom: Phantom) -> None:
    image = normalize_volume(read(NiftiReader(), nifti_file), target_spacing=7.0)
    labels_file = nifti_file.with_name("case_labels.nii.gz")
    labels = normalize_labels(read(NiftiReader(), labels_file), target_spacing=7.0)
    assert labels.shape == image.shape
    np.testing.assert_allclose(labels.attrs["affine"], image.attrs["affine"])
    assert set(np.unique(labels.values)) <= set(np.unique(phantom.labels))
    assert labels.dtype == np.int16


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"target_spacing": -1}, "target_spacing: value -1: must be a positive number of mm"),
        ({"target_spacing": [1, 2]}, "target_spacing: value \\[1, 2\\]: must be"),
        ({"hu_window": [100, -100]}, "hu_window: value \\[100, -100\\]: must be \\[low, high\\]"),
        ({"scaled_range": "wide"}, "scaled_range: value 'wide': must be \\[low, high\\]"),
        ({"target_spacin": 2}, "unknown key 'target_spacin'; accepted keys: .*target_spacing"),
    ],
)
def test_bad_options_name_the_option(phantom: Phantom, options: dict, message: str) -> None:
    with pytest.raises(OptionsError, match=message):
        plugin.parse_options(options)
    array = volume_array(phantom.volume, phantom.affine, {"modality": "CT"})
    with pytest.raises(OptionsError, match=message):
        plugin.normalize(array, **options)


def test_option_values_are_filled_and_expanded() -> None:
    values = plugin.option_values({"target_spacing": 2, "hu_window": ["-500", 500]})
    assert values["target_spacing"] == (2.0, 2.0, 2.0)
    assert values["hu_window"] == (-500.0, 500.0)
    assert values["scaled_range"] == (0.0, 1.0)
    assert plugin.option_values({"target_spacing": None, "hu_window": False})["hu_window"] is None


@pytest.mark.parametrize(
    "options",
    [{}, {"target_spacing": 4.0}, {"target_spacing": None, "hu_window": None}],
    ids=["defaults", "4mm", "keep"],
)
def test_normalising_twice_changes_nothing(phantom: Phantom, options: dict) -> None:
    array = volume_array(phantom.volume, np.diag([2.0, 2.0, 2.5, 1.0]), {"modality": "CT"})
    once = plugin.normalize(array, **options)
    twice = plugin.normalize(once, **options)
    assert twice.shape == once.shape and twice.dims == once.dims
    np.testing.assert_array_equal(twice.values, once.values)
    assert twice.attrs["preprocessing"] == once.attrs["preprocessing"]
    assert plugin.validate(twice, **options) == []


def test_a_normalised_volume_is_resampled_but_not_rescaled_again(phantom: Phantom) -> None:
    array = volume_array(phantom.volume, phantom.affine, {"modality": "CT"})
    once = plugin.normalize(array, target_spacing=8.0)
    coarser = plugin.normalize(once, target_spacing=16.0)
    direct = plugin.normalize(array, target_spacing=16.0)
    assert coarser.attrs["spacing"] == pytest.approx([16.0, 16.0, 16.0])
    # Same extent, give or take the voxel the 8 mm grid rounded off.
    assert all(abs(a - b) <= 1 for a, b in zip(coarser.shape, direct.shape, strict=True))
    assert float(coarser.min()) >= 0.0 and float(coarser.max()) <= 1.0
    steps = [step["step"] for step in coarser.attrs["preprocessing"]]
    assert steps == ["orient", "resample", "clip", "scale", "cast", "orient", "resample", "cast"]


def test_a_normalised_volume_refuses_another_hu_window(phantom: Phantom) -> None:
    array = volume_array(phantom.volume, phantom.affine, {"modality": "CT"})
    once = plugin.normalize(array, target_spacing=None)
    with pytest.raises(ValueError, match=r"already normalised with hu_window \[-1000, 1000\]"):
        plugin.normalize(once, target_spacing=None, hu_window=[-200, 300])
    kept = plugin.normalize(array, target_spacing=None, hu_window=None)
    windowed = plugin.normalize(kept, target_spacing=None, hu_window=[-200, 300])
    expected = plugin.normalize(array, target_spacing=None, hu_window=[-200, 300])
    np.testing.assert_allclose(windowed.values, expected.values, atol=1e-6)
