"""Stack DICOM slices (one file each) or the frames of one multi-frame file into a volume.

The volume is ``[x, y, z]`` = (column, row, slice) in HU, slices sorted along the
normal. Slice positions along the normal and instance numbers go into attrs so
validation can name a missing or duplicated slice; they are dropped on normalise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import xarray as xr
from pydicom.dataset import Dataset

from plugins.ct.dicom_geometry import (
    SliceGeometry,
    check_same_plane,
    single_slice_step,
    slice_geometry,
    slice_order,
    stack_affine,
)
from plugins.ct.dicom_meta import modality_of, technical_metadata
from plugins.ct.dicom_pixels import frame_count, frame_hu, is_multiframe
from plugins.ct.geometry import volume_array


def _slice_attrs(
    header: Dataset, ordered: list[SliceGeometry], positions: np.ndarray, source: str
) -> dict[str, Any]:
    return {
        **technical_metadata(header),
        "source": source,
        "format": "dicom",
        "modality": modality_of(header),
        "slices": len(ordered),
        "slice_positions": [round(float(p), 4) for p in positions],
        "slice_instances": [g.instance for g in ordered],
    }


def _check_same_size(headers: list[Dataset], names: list[str]) -> tuple[int, int]:
    rows, columns = int(headers[0].Rows), int(headers[0].Columns)
    for header, name in zip(headers[1:], names[1:], strict=True):
        if (int(header.Rows), int(header.Columns)) != (rows, columns):
            raise ValueError(
                f"{name}: is {header.Rows}x{header.Columns} pixels but {names[0]} is "
                f"{rows}x{columns}; one series cannot mix image sizes: remove the odd images"
            )
    return rows, columns


def series_volume(
    files: list[Path], headers: list[Dataset], names: list[str], source: str
) -> xr.DataArray:
    """Classic single-frame slices of one series (headers read without pixels)."""
    geometries = [slice_geometry(h, None, n) for h, n in zip(headers, names, strict=True)]
    check_same_plane(geometries, names)
    rows, columns = _check_same_size(headers, names)
    order, positions = slice_order(geometries)
    ordered = [geometries[i] for i in order]
    affine = stack_affine(ordered, single_slice_step(headers[order[0]], None))
    volume = np.empty((columns, rows, len(order)), dtype=np.float32)
    for k, index in enumerate(order):
        dataset = _read_with_pixels(files[index], names[index])
        volume[:, :, k] = frame_hu(dataset, None, names[index]).T
    attrs = _slice_attrs(headers[order[0]], ordered, positions, source)
    return volume_array(volume, affine, attrs)


def multiframe_volume(ds: Dataset, name: str, source: str) -> xr.DataArray:
    """All frames of one (enhanced or legacy) multi-frame file, or a lone classic slice."""
    indices: list[int | None] = list(range(frame_count(ds))) if is_multiframe(ds) else [None]
    geometries = [
        slice_geometry(ds, f, name if f is None else f"{name} frame {f + 1}") for f in indices
    ]
    check_same_plane(geometries, [f"{name} frame {i + 1}" for i in range(len(indices))])
    order, positions = slice_order(geometries)
    ordered = [geometries[i] for i in order]
    affine = stack_affine(ordered, single_slice_step(ds, indices[order[0]]))
    volume = np.empty((int(ds.Columns), int(ds.Rows), len(order)), dtype=np.float32)
    for k, index in enumerate(order):
        where = name if indices[index] is None else f"{name} frame {index + 1}"
        volume[:, :, k] = frame_hu(ds, indices[index], where).T
    return volume_array(volume, affine, _slice_attrs(ds, ordered, positions, source))


def _read_with_pixels(file: Path, name: str) -> Dataset:
    try:
        return pydicom.dcmread(file)
    except Exception as exc:
        raise ValueError(
            f"{name}: cannot be read as DICOM ({type(exc).__name__}: {exc}); the file is "
            "truncated or corrupt: copy or export it again"
        ) from exc
