"""Downstream tasks for CT: organ patches from a paired label volume, and volume labels.

``organ_patch``: the catalog's sidecar names, per volume, a segmentation file (column
``segmentation``); evaluation windows are centred on voxels of each labelled class and
take the majority labelled class inside the window (organ recognition).
``volume_label``: one label per series from the CSV sidecar, handled by the core.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from plugins.ct.normalize import normalize_labels
from plugins.ct.readers_dicom import DicomReader
from plugins.ct.readers_nifti import NiftiReader
from plugins.ct.spec import SPATIAL_DIMS
from plugins.ct.task_specs import BACKGROUND, ORGAN_PATCH, SEGMENTATION_KEY, TASKS, VOLUME_LABEL  # noqa: F401


def _window_size(size: int | Sequence[int]) -> tuple[int, int, int]:
    sizes = [size] * 3 if isinstance(size, int) else list(size)
    if len(sizes) != 3 or not all(isinstance(s, int) and s > 0 for s in sizes):
        raise ValueError(f"size={size!r} must be a positive int or three of them [x, y, z]")
    return sizes[0], sizes[1], sizes[2]


def _label_grid(labels: xr.DataArray) -> np.ndarray:
    if "channel" in labels.dims:
        labels = labels.isel(channel=0)
    return np.asarray(labels.transpose(*SPATIAL_DIMS).values).astype(np.int64)


def _check_same_grid(volume: xr.DataArray, grid: np.ndarray, labels: xr.DataArray) -> None:
    shape = tuple(volume.sizes[d] for d in SPATIAL_DIMS)
    if grid.shape != shape:
        raise ValueError(
            f"label volume shape {grid.shape} differs from the image's {shape}; normalise the "
            "label volume with the image's options (plugins.ct.tasks.read_label_volume)"
        )
    a, b = volume.attrs.get("affine"), labels.attrs.get("affine")
    if a is not None and b is not None and not np.allclose(a, b, atol=1e-3):
        raise ValueError(
            "label volume and image have different affines (they lie on different grids); "
            "the segmentation must be made on the same scan"
        )


def _cut(array: np.ndarray, centre: np.ndarray, size: tuple[int, int, int], fill: float):
    """A window of ``size`` centred at ``centre`` over the last three axes, padded."""
    starts = [int(c) - s // 2 for c, s in zip(centre, size, strict=True)]
    pads = [
        (max(0, -a), max(0, a + s - n))
        for a, s, n in zip(starts, size, array.shape[-3:], strict=True)
    ]
    lead = [(0, 0)] * (array.ndim - 3)
    padded = np.pad(array, lead + pads, mode="constant", constant_values=fill)
    index = tuple(slice(a + p[0], a + p[0] + s) for a, p, s in zip(starts, pads, size, strict=True))
    return padded[(Ellipsis, *index)]


def _majority(window_labels: np.ndarray, fallback: int) -> int:
    labelled = window_labels[window_labels != BACKGROUND]
    if labelled.size == 0:
        return fallback
    return int(np.argmax(np.bincount(labelled)))


def organ_patch_windows(
    volume: xr.DataArray,
    labels: xr.DataArray,
    size: int | Sequence[int],
    per_class: int,
    seed: int,
) -> list[tuple[np.ndarray, int]]:
    """Up to ``per_class`` windows per labelled class, each ``[channel, x, y, z]`` float32,
    centred on a random voxel of the class, with the window's majority labelled class.

    ``volume`` and ``labels`` must share the grid (normalise both with the same options);
    windows reaching past the volume are padded with its minimum (air)."""
    window = _window_size(size)
    grid = _label_grid(labels)
    _check_same_grid(volume, grid, labels)
    values = np.asarray(volume.transpose("channel", *SPATIAL_DIMS).values, dtype=np.float32)
    fill = float(values.min())
    rng = np.random.default_rng(seed)
    samples: list[tuple[np.ndarray, int]] = []
    for klass in (int(c) for c in np.unique(grid) if c != BACKGROUND):
        voxels = np.argwhere(grid == klass)
        chosen = rng.choice(len(voxels), size=min(per_class, len(voxels)), replace=False)
        for centre in voxels[np.sort(chosen)]:
            patch = _cut(values, centre, window, fill)
            label = _majority(_cut(grid, centre, window, BACKGROUND), klass)
            samples.append((patch, label))
    return samples


def read_label_volume(path: str, **options: Any) -> xr.DataArray:
    """A segmentation file (NIfTI, or a DICOM file or folder) on the normalised image grid.

    ``options`` are the image's catalog options (checked, or raw keywords)."""
    reader = DicomReader() if not path.endswith((".nii", ".nii.gz")) else NiftiReader()
    records = list(reader.read(path, **options))
    if len(records) != 1:
        raise ValueError(f"{path}: holds {len(records)} volumes; a label volume must hold one")
    return normalize_labels(records[0].array, **options)


def segmentation_path(labels: Mapping[str, str], root: str) -> str:
    """The item's segmentation file: the sidecar's path, relative to the archive root."""
    relative = labels.get(SEGMENTATION_KEY)
    if not relative:
        raise ValueError(
            f"the item has no {SEGMENTATION_KEY!r} label (its labels: {sorted(labels)}); give "
            f"the catalog's sidecar a {SEGMENTATION_KEY!r} column naming each label volume"
        )
    if "://" in root and not root.startswith("file://"):
        raise ValueError(
            f"segmentation {relative!r} lies under the remote archive {root}; organ_patch "
            "reads label volumes from a local archive: copy it locally first"
        )
    path = Path(root.removeprefix("file://")) / relative
    if not path.exists():
        raise ValueError(
            f"segmentation {path} (sidecar column {SEGMENTATION_KEY!r}) does not exist; fix "
            "the path in the sidecar (relative to the archive root)"
        )
    return str(path)


def organ_patch_task_windows(
    array: xr.DataArray,
    labels: Mapping[str, str],
    *,
    root: str,
    window: Mapping[str, int],
    options: Mapping[str, Any],
    per_item: int,
    seed: int,
) -> list[tuple[np.ndarray, str]]:
    """``organ_patch`` samples of one stored volume, labelled by organ id ("1", "2", ...).

    The segmentation is read with the entry's options, so it lands on the stored grid."""
    path = segmentation_path(labels, root)
    label_volume = read_label_volume(path, **options)
    size = [window[dim] for dim in SPATIAL_DIMS]
    samples = organ_patch_windows(array, label_volume, size, per_item, seed)
    return [(values, str(label)) for values, label in samples]


def task_windows(
    task: str,
    array: xr.DataArray,
    labels: Mapping[str, str],
    *,
    root: str,
    window: Mapping[str, int],
    options: Mapping[str, Any],
    per_item: int,
    seed: int,
) -> list[tuple[np.ndarray, str]]:
    """Labelled windows for the ct tasks that cut their own (``organ_patch``)."""
    if task != ORGAN_PATCH.name:
        raise ValueError(f"the ct task {task!r} does not cut its own windows; only organ_patch")
    return organ_patch_task_windows(
        array, labels, root=root, window=window, options=options, per_item=per_item, seed=seed
    )
