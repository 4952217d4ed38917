"""Every format DASCore knows (PRODML, Silixa, Febus, Terra15, OptoDAS, AP Sensing, Neubrex,
GDR, DASDAE, TDMS, SEG-Y, ...), detected by DASCore and read in time segments.

DASCore is imported inside the functions: it takes seconds to import, and listing plugins
must stay fast. A file is first scanned (``dascore.scan``: headers only), its declared
sizes are checked against the bounds, and only then is it read one segment at a time
with ``dascore.read(path, time=(t0, t1))``, which reads just that time range, so peak
memory is one segment whatever the file size.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from plugins.das.options import ReadOptions
from plugins.das.readers_arrays import (
    Described,
    check_declared,
    das_array,
    mask_nan_channels,
    positive_or_none,
    quantity_of,
    seconds_since,
    segment_bounds,
    segment_samples,
)
from plugins.das.readers_files import (
    SEGY_SUFFIXES,
    check_hdf5_named,
    check_readable,
    hdf5_layout,
    hdf5_problem,
    is_hdf5_head,
    looks_pickled,
    segy_problem,
)
from sslsci.plugins.contract import Record

CLAIMED_SUFFIXES = (".h5", ".hdf5", ".hdf", ".he5", *SEGY_SUFFIXES)
REFUSED_FORMATS = {"PICKLE": "a Python pickle, which is never loaded (loading runs code)"}
OTHER_DIMS = ("distance", "channel")  # SEG-Y and some formats number channels instead
NS = np.timedelta64(1, "ns")


def detect(path: str) -> tuple[str, str] | None:
    """DASCore's (format, version) for the file, or None where no DASCore format matches."""
    import dascore as dc

    try:
        fmt, version = dc.get_format(path)
    except Exception:  # DASCore raises its own UnknownFiberFormatError, h5py OSError, ...
        return None
    return str(fmt), str(version)


def unknown_reason(path: str, head: bytes) -> ValueError:
    """Why DASCore recognised no format: a broken HDF5, or an HDF5 of no known layout."""
    if is_hdf5_head(head):
        problem = hdf5_problem(path)
        if problem is None:
            problem = (
                f"an HDF5 file of no DAS layout DASCore knows (it holds {hdf5_layout(path)}); "
                "if it is a vendor format, check that DASCore supports it, or write a reader"
            )
        return ValueError(f"{path}: {problem}")
    return ValueError(
        f"{path}: no DAS format DASCore knows; check the file is a DAS recording, or name "
        "its reader with `format:` in the catalog entry"
    )


@dataclass(frozen=True)
class Extent:
    """One patch as its header declares it: the time span and the other dim's size."""

    other: str
    channels: int
    other_min: Any
    start: Any  # np.datetime64, or float seconds
    stop: Any
    step: Any  # np.timedelta64 / float, or None for an uneven time coordinate
    samples: int | None


def _count(coord: Any) -> int | None:
    if coord.step is None or coord.min is None or coord.max is None:
        return None
    step = coord.step
    span = coord.max - coord.min
    try:
        ratio = float(span / step)
    except (TypeError, ZeroDivisionError):
        return None
    return round(ratio) + 1 if np.isfinite(ratio) else None


def extents(path: str, fmt: tuple[str, str]) -> list[Extent]:
    """What ``dascore.scan`` says each patch of the file holds (no samples are read)."""
    import dascore as dc

    found = []
    for attrs in dc.scan(path, file_format=fmt[0], file_version=fmt[1]):
        dims = tuple(str(d) for d in attrs.dim_tuple)
        others = [d for d in dims if d != "time"]
        if "time" not in dims or len(dims) != 2 or others[0] not in OTHER_DIMS:
            raise ValueError(
                f"{path}: a {fmt[0]} patch with dims {dims}; the das plugin reads 2-D "
                "(distance, time) sections, not spectra or other transforms"
            )
        time, other = attrs.coords["time"], attrs.coords[others[0]]
        channels = _count(other)
        if channels is None:
            raise ValueError(f"{path}: the {fmt[0]} header gives no {others[0]} spacing")
        found.append(
            Extent(others[0], channels, other.min, time.min, time.max, time.step, _count(time))
        )
    if not found:
        raise ValueError(f"{path}: DASCore finds no data in this {fmt[0]} file")
    return found


def check_extents(path: str, found: list[Extent], options: ReadOptions, fmt: str) -> None:
    for extent in found:
        check_declared(path, extent.channels, extent.samples or 1, options, f"{fmt} header")


def time_windows(extent: Extent, options: ReadOptions) -> list[tuple[Any, Any]]:
    """(t0, t1) per segment, inclusive as DASCore selects: half a step either side of the
    segment's samples, so rounding never moves a sample into the wrong segment."""
    if extent.step is not None and extent.samples is not None:
        rate = 1.0 / _seconds(extent.step)
        per = segment_samples(options, rate, extent.channels)
        half = extent.step / 2
        return [
            (extent.start + extent.step * a - half, extent.start + extent.step * (b - 1) + half)
            for a, b in segment_bounds(extent.samples, per)
        ]
    # An uneven time coordinate (a gap): cut by seconds, each window up to the next start.
    if options.segment_seconds is None:
        return [(extent.start, extent.stop)]
    total_ns = round(_seconds(extent.stop - extent.start) * 1e9) + 1
    per_ns = round(options.segment_seconds * 1e9)
    bounds = segment_bounds(total_ns, per_ns)
    return [(_after(extent.start, a), _after(extent.start, b - 1)) for a, b in bounds]


def _seconds(value: Any) -> float:
    if isinstance(value, np.timedelta64):
        return float(value / np.timedelta64(1, "ns")) / 1e9
    return float(value)


def _after(start: Any, ns: int) -> Any:
    if isinstance(start, np.datetime64):
        return start + np.timedelta64(ns, "ns")
    return start + ns / 1e9


def to_metres(value: Any, units: Any) -> float | None:
    """A length in metres; ``units`` as DASCore keeps them (None: metres already)."""
    number = positive_or_none(value)
    if number is None or units is None or str(units).strip() in ("", "m", "1 m"):
        return number
    import dascore as dc

    try:
        return float((number * dc.get_quantity(units)).to("m").magnitude)
    except Exception:  # units that are not a length: the value cannot be trusted as metres
        return None


def describe(patch: Any, path: str, fmt: tuple[str, str], options: ReadOptions) -> Described:
    from dascore.units import get_quantity_str

    attrs = patch.attrs
    units = attrs.get("data_units")
    extra = {
        key: str(attrs.get(key))
        for key in ("instrument_id", "acquisition_id", "data_type")
        if attrs.get(key) not in (None, "")
    }
    return Described(
        path=path,
        format=fmt[0],
        format_version=fmt[1],
        quantity=quantity_of(attrs.get("data_type"), options),
        data_units=get_quantity_str(units) if units is not None else None,
        gauge_length_m=to_metres(attrs.get("gauge_length"), attrs.get("gauge_length_units")),
        start=None,
        extra=extra,
    )


def patch_record(patch: Any, path: str, fmt: tuple[str, str], options: ReadOptions) -> Any:
    """A DASCore patch as the record array (distance in metres, time in seconds)."""
    other = next(d for d in patch.dims if d != "time")
    if other == "distance":
        units = patch.get_coord("distance").units
        if units is not None and str(units).strip() not in ("m", "1 m"):
            patch = patch.convert_units(distance="m")
        distance = np.asarray(patch.get_array("distance"), dtype=np.float64)
        spacing_note: dict[str, Any] = {}
    else:  # channel numbers only: metres from the declared spacing, else the index
        index = np.arange(patch.shape[patch.dims.index(other)], dtype=np.float64)
        spacing = options.channel_spacing_m
        distance = index * spacing if spacing else index
        spacing_note = {
            "distance_from": f"channel index x {spacing} m"
            if spacing
            else "channel index (no channel_spacing_m given: not metres)"
        }
    time_s, start = seconds_since(patch.get_array("time"))
    about = describe(patch, path, fmt, options)
    about = Described(
        **{**about.__dict__, "start": start, "extra": {**about.extra, **spacing_note}}
    )
    dims = tuple("distance" if d == other else "time" for d in patch.dims)
    array = das_array(np.asarray(patch.data), dims, distance, time_s, about)
    if other != "distance" and not options.channel_spacing_m:
        array.attrs["distance_step_m"] = None
    return mask_nan_channels(array, options)


def _same_patch(patch: Any, extent: Extent, patches: int) -> bool:
    """Whether a patch read for a window belongs to ``extent`` (a file of several patches
    side by side along distance returns all of them for one time window)."""
    if patches == 1:
        return True
    other = patch.get_coord(extent.other)
    return other.min() == extent.other_min


@dataclass(frozen=True)
class DascoreReader:
    """The formats DASCore detects (``dascore.get_format``), by content, not by name."""

    name: str = "dascore"
    suffixes: tuple[str, ...] = (*CLAIMED_SUFFIXES, ".tdms", ".das", ".raw")

    def sniff(self, path: str, head: bytes) -> bool:
        """A file DASCore recognises; or one named HDF5 or SEG-Y, or a pickle, so that a
        broken one reaches read() for its reason (a pickle without DASCore's detection,
        which would unpickle it). NetCDF and other HDF5 names DASCore does not recognise
        are left to other readers and plugins; never a folder."""
        if os.path.isdir(path):
            return False
        if looks_pickled(head) or Path(path).suffix.lower() in CLAIMED_SUFFIXES:
            return True
        return detect(path) is not None

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """One record per time segment of each patch (items "0", "1", ...; "p-k" for files
        of several patches), each read alone after the header sizes passed the bounds."""
        import dascore as dc

        opts = ReadOptions.pick(options)
        head = check_readable(path)
        check_hdf5_named(path, head)
        fmt = detect(path)
        if fmt is None:
            raise unknown_reason(path, head)
        if fmt[0].upper() in REFUSED_FORMATS:
            raise ValueError(f"{path}: {REFUSED_FORMATS[fmt[0].upper()]}")
        if fmt[0].lower() == "segy" and (problem := segy_problem(path)) is not None:
            raise ValueError(f"{path}: a SEG-Y file with {problem}")
        found = extents(path, fmt)
        check_extents(path, found, opts, fmt[0])
        for p, extent in enumerate(found):
            k = 0
            for window in time_windows(extent, opts):
                spool = dc.read(path, fmt[0], fmt[1], time=window)
                for patch in spool:
                    if patch.data.size == 0 or not _same_patch(patch, extent, len(found)):
                        continue
                    item = str(k) if len(found) == 1 else f"{p}-{k}"
                    yield Record(array=patch_record(patch, path, fmt, opts), item=item)
                    k += 1
