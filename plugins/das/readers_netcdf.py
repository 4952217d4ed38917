"""NetCDF-4 DAS files as xdas writes them: one (time, distance) variable, coordinates stored
as CF tie points (``coordinate_interpolation``) or as plain coordinate variables.

NetCDF-4 is HDF5, so the file is read with h5py, which DASCore already brings: xarray
could only open it through an extra engine (h5netcdf or netCDF4) and would leave the tie
points undecoded anyway. The data variable is sliced one time segment at a time, so a
long file is never loaded whole, and its declared shape is bounded before any read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import h5py
import numpy as np

from plugins.das.options import ReadOptions
from plugins.das.readers_arrays import (
    Described,
    check_declared,
    das_array,
    mask_nan_channels,
    positive_or_none,
    quantity_of,
    segment_bounds,
    segment_samples,
)
from plugins.das.readers_files import check_readable, is_hdf5_head
from sslsci.plugins.contract import Record

DIMS = frozenset(("time", "distance"))
NOT_A_VARIABLE = b"This is a netCDF dimension but not a netCDF variable"
CF_TIME = re.compile(r"^\s*(\w+)\s+since\s+(.+?)\s*$")
NS_PER = {
    "days": 86_400e9,
    "day": 86_400e9,
    "d": 86_400e9,
    "hours": 3_600e9,
    "hour": 3_600e9,
    "h": 3_600e9,
    "minutes": 60e9,
    "minute": 60e9,
    "min": 60e9,
    "seconds": 1e9,
    "second": 1e9,
    "s": 1e9,
    "sec": 1e9,
    "milliseconds": 1e6,
    "millisecond": 1e6,
    "ms": 1e6,
    "microseconds": 1e3,
    "microsecond": 1e3,
    "us": 1e3,
    "nanoseconds": 1.0,
    "nanosecond": 1.0,
    "ns": 1.0,
}
METRES_PER = {
    "m": 1.0,
    "meter": 1.0,
    "meters": 1.0,
    "metre": 1.0,
    "metres": 1.0,
    "km": 1000.0,
    "ft": 0.3048,
    "feet": 0.3048,
}


def _text(value: Any) -> str:
    if isinstance(value, bytes | np.bytes_):
        return value.decode("utf-8", "replace")
    return str(value)


def dim_names(dataset: h5py.Dataset) -> tuple[str, ...] | None:
    """The netCDF dimension names of a variable, from its HDF5 dimension scales."""
    if "DIMENSION_LIST" not in dataset.attrs:
        return None
    names = []
    for refs in dataset.attrs["DIMENSION_LIST"]:
        if len(refs) == 0:
            return None
        names.append(dataset.file[refs[0]].name.lstrip("/"))
    return tuple(names)


def data_variable(handle: h5py.File) -> h5py.Dataset | None:
    """The 2-D variable over (time, distance), xdas's ``__values__`` first; None if none."""
    candidates = []
    for name, item in handle.items():
        if isinstance(item, h5py.Dataset) and item.ndim == 2 and set(dim_names(item) or ()) == DIMS:
            candidates.append((name != "__values__", name, item))
    return min(candidates, key=lambda c: c[:2])[2] if candidates else None


def is_das_netcdf(path: str) -> bool:
    """NetCDF-4 (HDF5 with netCDF dimension scales) holding a (time, distance) variable."""
    try:
        with h5py.File(path, "r") as handle:
            netcdf = "_NCProperties" in handle.attrs or Path(path).suffix.lower() in (".nc", ".nc4")
            return netcdf and data_variable(handle) is not None
    except (OSError, ValueError, KeyError):
        return False


def tie_points(variable: h5py.Dataset) -> dict[str, tuple[str, str]]:
    """``{dim: (indices variable, values variable)}`` from CF ``coordinate_interpolation``."""
    text = _text(variable.attrs.get("coordinate_interpolation", ""))
    pairs = re.findall(r"(\w+):\s*(\w+)\s+(\w+)", text)
    return {dim: (indices, values) for dim, indices, values in pairs}


def raw_coordinate(handle: h5py.File, variable: h5py.Dataset, dim: str, size: int):
    """The coordinate's values (tie points interpolated) relative to the first, in the
    variable's units, the first value, and the units text."""
    ties = tie_points(variable)
    if dim in ties:
        indices = np.asarray(handle[ties[dim][0]][()], dtype=np.float64)
        source = handle[ties[dim][1]]
        values = np.asarray(source[()], dtype=np.float64)
        first = values[0]
        coord = np.interp(np.arange(size, dtype=np.float64), indices, values - first)
        return coord, first, _text(source.attrs.get("units", ""))
    if dim in handle and not _text(handle[dim].attrs.get("NAME", b"")).encode().startswith(
        NOT_A_VARIABLE
    ):
        values = np.asarray(handle[dim][()], dtype=np.float64)
        return values - values[0], values[0], _text(handle[dim].attrs.get("units", ""))
    raise ValueError(
        f"{handle.filename}: the NetCDF variable {variable.name} has no {dim} coordinate (no "
        "tie points, no coordinate variable); write it with xdas or add the coordinate"
    )


def time_coordinate(handle: h5py.File, variable: h5py.Dataset, size: int):
    """Seconds since the first sample, and its datetime (None without a CF epoch)."""
    offsets, first, units = raw_coordinate(handle, variable, "time", size)
    match = CF_TIME.match(units)
    if match is None:
        return offsets, None  # plain seconds
    unit, epoch = match.group(1).lower(), match.group(2)
    if unit not in NS_PER:
        raise ValueError(f"{handle.filename}: time units {units!r} are not a CF time unit")
    stamp = re.sub(r"(Z|[+-]00:?00|\s*UTC)$", "", epoch.strip()).replace(" ", "T")
    start = np.datetime64(stamp, "ns") + np.timedelta64(round(first * NS_PER[unit]), "ns")
    return offsets * NS_PER[unit] / 1e9, start


def distance_coordinate(handle: h5py.File, variable: h5py.Dataset, size: int) -> np.ndarray:
    offsets, first, units = raw_coordinate(handle, variable, "distance", size)
    factor = METRES_PER.get(units.strip().lower() or "m")
    if factor is None:
        raise ValueError(f"{handle.filename}: distance units {units!r} are not a length")
    return (offsets + first) * factor


@dataclass(frozen=True)
class NetcdfReader:
    """xdas NetCDF: sniffed by content (HDF5 magic, netCDF dims time and distance), so it
    claims no other NetCDF."""

    name: str = "netcdf"
    suffixes: tuple[str, ...] = (".nc", ".nc4")

    def sniff(self, path: str, head: bytes) -> bool:
        return is_hdf5_head(head) and is_das_netcdf(path)

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """One record per time segment (items "0", "1", ...), sliced from the variable."""
        opts = ReadOptions.pick(options)
        check_readable(path)
        with h5py.File(path, "r") as handle:
            variable = data_variable(handle)
            if variable is None:
                raise ValueError(f"{path}: no (time, distance) variable in this NetCDF file")
            dims = dim_names(variable) or ()
            time_axis = dims.index("time")
            samples, channels = variable.shape[time_axis], variable.shape[1 - time_axis]
            check_declared(path, channels, samples, opts, f"NetCDF variable {variable.name}")
            time_s, start = time_coordinate(handle, variable, samples)
            distance = distance_coordinate(handle, variable, channels)
            about = describe(path, variable, opts)
            rate = 1.0 / float(np.median(np.diff(time_s))) if samples > 1 else None
            per = segment_samples(opts, rate, channels)
            for k, (a, b) in enumerate(segment_bounds(samples, per)):
                cut = (slice(a, b), slice(None)) if time_axis == 0 else (slice(None), slice(a, b))
                values = decoded(variable, variable[cut])
                offset = np.timedelta64(round(time_s[a] * 1e9), "ns")
                segment = Described(
                    **{**about.__dict__, "start": None if start is None else start + offset}
                )
                array = das_array(values, dims, distance, time_s[a:b] - time_s[a], segment)
                yield Record(array=mask_nan_channels(array, opts), item=str(k))


def decoded(variable: h5py.Dataset, values: np.ndarray) -> np.ndarray:
    """CF packing undone: ``_FillValue`` to NaN, then ``scale_factor`` and ``add_offset``."""
    attrs = variable.attrs
    fill, scale, offset = (attrs.get(k) for k in ("_FillValue", "scale_factor", "add_offset"))
    if fill is None and scale is None and offset is None:
        return values
    out = values.astype(np.float64 if values.dtype.itemsize > 4 else np.float32)
    if fill is not None and np.isfinite(fill):
        out[values == fill] = np.nan
    if scale is not None:
        out *= float(np.asarray(scale).ravel()[0])
    if offset is not None:
        out += float(np.asarray(offset).ravel()[0])
    return out


def describe(path: str, variable: h5py.Dataset, options: ReadOptions) -> Described:
    attrs = variable.attrs
    data_type = attrs.get("data_type", attrs.get("quantity", ""))
    units = attrs.get("units")
    written = _text(variable.file.attrs.get("_NCProperties", ""))
    return Described(
        path=path,
        format="NetCDF",
        format_version="4",  # NetCDF-4 (HDF5); NetCDF-3 files are not HDF5 and not sniffed
        quantity=quantity_of(_text(data_type), options),
        data_units=_text(units) if units is not None else None,
        gauge_length_m=positive_or_none(attrs.get("gauge_length", None)),
        start=None,
        extra={"netcdf_properties": written} if written else {},
    )
