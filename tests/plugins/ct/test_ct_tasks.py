"""Downstream tasks: organ-patch windows from a paired label volume, and the task specs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from plugins.ct.geometry import volume_array
from plugins.ct.phantom import Phantom
from plugins.ct.plugin import plugin
from plugins.ct.tasks import organ_patch_windows, read_label_volume


def pair(phantom: Phantom) -> tuple[xr.DataArray, xr.DataArray]:
    volume = volume_array(phantom.volume.astype(np.float32), phantom.affine, {"modality": "CT"})
    labels = volume_array(phantom.labels, phantom.affine, {})
    return volume, labels


def test_windows_per_class_with_majority_labels(phantom: Phantom) -> None:
    volume, labels = pair(phantom)
    samples = organ_patch_windows(volume, labels, size=5, per_class=3, seed=0)
    classes = sorted(int(c) for c in np.unique(phantom.labels) if c != 0)
    counts = {c: min(3, int((phantom.labels == c).sum())) for c in classes}
    assert len(samples) == sum(counts.values())
    for patch, label in samples:
        assert patch.shape == (1, 5, 5, 5) and patch.dtype == np.float32
        assert label in classes
    # Each window's label is the most frequent non-background class in it: recompute it.
    padded = np.pad(phantom.labels, 2)
    values = np.pad(phantom.volume.astype(np.float32), 2, constant_values=phantom.volume.min())
    for patch, label in samples:
        matches = [
            (x, y, z)
            for x, y, z in np.argwhere(np.ones(phantom.labels.shape, bool))
            if np.array_equal(values[x : x + 5, y : y + 5, z : z + 5], patch[0])
        ]
        assert matches, "the window must be cut from the volume"
        x, y, z = matches[0]
        window = padded[x : x + 5, y : y + 5, z : z + 5]
        counts_in = np.bincount(window[window != 0], minlength=8)
        assert label == int(np.argmax(counts_in))


def test_windows_are_deterministic_per_seed(phantom: Phantom) -> None:
    volume, labels = pair(phantom)
    a = organ_patch_windows(volume, labels, size=(4, 4, 3), per_class=2, seed=1)
    b = organ_patch_windows(volume, labels, size=(4, 4, 3), per_class=2, seed=1)
    c = organ_patch_windows(volume, labels, size=(4, 4, 3), per_class=2, seed=2)
    assert all(np.array_equal(p, q) and k == m for (p, k), (q, m) in zip(a, b, strict=True))
    assert not all(np.array_equal(p, q) for (p, _), (q, _) in zip(a, c, strict=True))


def test_edge_windows_are_padded_with_the_volume_minimum() -> None:
    values = np.zeros((6, 6, 6), np.float32)
    values[0, 0, 0] = 5.0
    grid = np.zeros((6, 6, 6), np.int16)
    grid[0, 0, 0] = 2
    volume = volume_array(values - 3.0, np.eye(4), {})
    labels = volume_array(grid, np.eye(4), {})
    ((patch, label),) = organ_patch_windows(volume, labels, size=3, per_class=4, seed=0)
    assert label == 2
    assert patch[0, 1, 1, 1] == 2.0  # the centre voxel
    assert patch[0, 0, 0, 0] == -3.0  # padding = the minimum


def test_mismatched_grids_are_refused(phantom: Phantom) -> None:
    volume, labels = pair(phantom)
    with pytest.raises(ValueError, match="label volume shape"):
        organ_patch_windows(volume, labels.isel(z=slice(0, 5)), size=3, per_class=1, seed=0)
    shifted = labels.copy()
    shifted.attrs["affine"] = (np.array(labels.attrs["affine"]) + np.eye(4)).tolist()
    with pytest.raises(ValueError, match="different affines"):
        organ_patch_windows(volume, shifted, size=3, per_class=1, seed=0)


def test_label_volume_is_read_onto_the_normalised_image_grid(
    nifti_file: Path, dicom_folder: Path
) -> None:
    (record,) = plugin.readers[1].read(str(dicom_folder))
    image = plugin.normalize(record.array, target_spacing=10.0)
    labels = read_label_volume(str(nifti_file.with_name("case_labels.nii.gz")), target_spacing=10.0)
    samples = organ_patch_windows(image, labels, size=4, per_class=2, seed=0)
    assert samples and {label for _, label in samples} <= {1, 2, 3, 4, 5}


def test_task_specs() -> None:
    tasks = plugin.tasks
    assert set(tasks) == {"organ_patch", "volume_label"}
    assert tasks["organ_patch"].label_key == "organ"
    assert tasks["organ_patch"].plugin_windows and not tasks["volume_label"].plugin_windows
    assert all(t.kind == "classification" for t in tasks.values())


def test_task_windows_cut_organ_patches_only(phantom: Phantom) -> None:
    volume, _ = pair(phantom)
    with pytest.raises(ValueError, match="only organ_patch"):
        plugin.task_windows(
            "volume_label", volume, {}, root=".", window={}, options={}, per_item=1, seed=0
        )
    with pytest.raises(ValueError, match="no 'segmentation' label"):
        plugin.task_windows(
            "organ_patch", volume, {}, root=".", window={}, options={}, per_item=1, seed=0
        )
