"""Voxel-to-world geometry of a volume, and the DataArray every reader returns.

Readers return dims ``("channel", "x", "y", "z")`` where x, y, z are the voxel axes
(i, j, k) of the file, plus an ``affine`` attr mapping voxel indices to RAS world
millimetres; ``normalize`` then reorients the voxel axes to RAS. DICOM geometry is
LPS, so it is converted with ``LPS_TO_RAS``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import nibabel as nib
import numpy as np
import xarray as xr

from plugins.ct.spec import CHANNELS, DIMS, UNITS

LPS_TO_RAS = np.diag([-1.0, -1.0, 1.0, 1.0])


def spacing_of(affine: np.ndarray) -> tuple[float, float, float]:
    """Voxel size in mm along each voxel axis: the length of the affine's columns."""
    columns = np.asarray(affine, dtype=np.float64)[:3, :3]
    return tuple(float(v) for v in np.linalg.norm(columns, axis=0))  # type: ignore[return-value]


def orientation_of(affine: np.ndarray) -> str:
    """Axis codes such as ``"LPS"``: where each voxel axis points; ``"???"`` if degenerate."""
    try:
        codes = nib.orientations.aff2axcodes(np.asarray(affine, dtype=np.float64))
    except Exception:  # a zero or non-finite column has no direction
        return "???"
    return "".join(code if code is not None else "?" for code in codes)


ATTR_DECIMALS = 6  # 1 nm: keeps float noise from resampling out of attrs


def affine_attr(affine: np.ndarray) -> list[list[float]]:
    """The affine as nested lists of floats, so it survives JSON and zarr attrs."""
    return [[round(float(v), ATTR_DECIMALS) for v in row] for row in np.asarray(affine)]


def affine_from_attrs(array: xr.DataArray) -> np.ndarray:
    """The 4x4 RAS affine a reader stored; an error naming the fix when it is missing."""
    value = array.attrs.get("affine")
    matrix = np.asarray(value, dtype=np.float64) if value is not None else None
    if matrix is None or matrix.shape != (4, 4):
        raise ValueError(
            f"CT array from {array.attrs.get('source', '?')} has no 4x4 'affine' attr "
            "(voxel index -> RAS mm); read it with the ct plugin's nifti or dicom reader"
        )
    return matrix


def volume_array(voxels: np.ndarray, affine: np.ndarray, attrs: Mapping[str, Any]) -> xr.DataArray:
    """Wrap an ``[x, y, z]`` HU volume as a ``[channel, x, y, z]`` array with geometry attrs."""
    if voxels.ndim != 3:
        raise ValueError(f"a CT volume needs 3 axes, got shape {voxels.shape}")
    all_attrs = {
        "units": UNITS,
        "affine": affine_attr(affine),
        "spacing": [round(s, ATTR_DECIMALS) for s in spacing_of(affine)],
        # per window dim (mm): windows given in millimetres convert with it
        "sampling": {
            dim: round(s, ATTR_DECIMALS)
            for dim, s in zip(DIMS[1:], spacing_of(affine), strict=True)
        },
        "orientation": orientation_of(affine),
        **attrs,
    }
    return xr.DataArray(
        voxels[np.newaxis],
        dims=DIMS,
        coords={"channel": list(CHANNELS)},
        attrs=all_attrs,
    )
