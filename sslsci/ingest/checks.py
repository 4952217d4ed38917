"""The checks every array gets whatever its modality, before the plugin's own."""

from __future__ import annotations

import numpy as np
import xarray as xr

from sslsci.plugins.contract import ModalitySpec


def generic_problems(array: xr.DataArray, spec: ModalitySpec, min_size: int = 2) -> list[str]:
    """Dims, dtype, size and finiteness problems, each as a sentence.

    ``min_size`` applies along each window dim unless ``spec.min_sizes`` names that dim:
    the plugin knows when a thin item (a single CT slice) is still valid.
    """
    problems: list[str] = []
    if set(array.dims) != set(spec.dims):
        problems.append(f"dims {tuple(array.dims)} do not match the {spec.name} dims {spec.dims}")
    if not np.issubdtype(array.dtype, np.number) or np.issubdtype(array.dtype, np.complexfloating):
        problems.append(f"dtype {array.dtype} is not a real number type")
        return problems
    if array.size == 0:
        problems.append("the array is empty")
        return problems
    for dim in spec.window_dims:
        least = spec.min_sizes.get(dim, min_size)
        if dim in array.dims and array.sizes[dim] < least:
            problems.append(f"dim {dim!r} has {array.sizes[dim]} samples, fewer than {least}")
    if np.issubdtype(array.dtype, np.floating):
        bad = int(np.count_nonzero(~np.isfinite(np.asarray(array.values))))
        if bad:
            problems.append(f"{bad} of {array.size} values are NaN or infinite")
    return problems


def to_spec_order(array: xr.DataArray, spec: ModalitySpec) -> xr.DataArray:
    """Transpose to the spec's dim order so stored arrays never vary by axis position."""
    if tuple(array.dims) == tuple(spec.dims) or set(array.dims) != set(spec.dims):
        return array
    return array.transpose(*spec.dims)
