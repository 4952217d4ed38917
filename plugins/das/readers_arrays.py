"""What every DAS reader shares: the record array, its attrs, and the cut into segments.

A record is ``("channel", "distance", "time")`` in whatever order of distance and time the
file gives (normalize transposes), channel of size 1 naming the quantity, distance in
metres, time in seconds since the record's first sample, attrs named in ``spec``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from plugins.das import spec
from plugins.das.options import ReadOptions

QUANTITIES = ("strain_rate", "strain", "phase", "velocity", "unknown")
# DASCore's data_type names (and vendor spellings) -> the quantity of the spec.
QUANTITY_OF = {
    "strain_rate": "strain_rate",
    "strainrate": "strain_rate",
    "strain": "strain",
    "phase": "phase",
    "phase_difference": "phase",
    "phase_rate": "phase",
    "velocity": "velocity",
}


def quantity_of(data_type: str | None, options: ReadOptions) -> str:
    """The spec quantity a file's data type names; ``assume_quantity`` where it says none."""
    found = QUANTITY_OF.get(str(data_type or "").strip().lower().replace(" ", "_"))
    return found or options.assume_quantity or "unknown"


def iso_utc(moment: np.datetime64 | None) -> str | None:
    """ISO 8601 UTC with nanoseconds (DAS clocks are GPS-disciplined to well under 1 us)."""
    if moment is None:
        return None
    return f"{np.datetime_as_string(np.datetime64(moment, 'ns'), unit='ns')}Z"


def seconds_since(times: np.ndarray) -> tuple[np.ndarray, np.datetime64 | None]:
    """Seconds since the first time, and that time (None when times are plain seconds)."""
    times = np.asarray(times)
    if np.issubdtype(times.dtype, np.datetime64):
        start = times[0].astype("datetime64[ns]")
        offsets = (times.astype("datetime64[ns]") - start).astype(np.int64) / 1e9
        return offsets.astype(np.float64), start
    values = times.astype(np.float64)
    return values - values[0], None


def regular_step(values: np.ndarray, digits: int = 12) -> float | None:
    """The median step of a coordinate, rounded off float noise (picoseconds, for times in
    seconds; None for fewer than two values)."""
    if len(values) < 2:
        return None
    return round(float(np.median(np.diff(np.asarray(values, dtype=np.float64)))), digits)


@dataclass(frozen=True)
class Described:
    """What a reader learnt about one record besides its samples."""

    path: str
    format: str
    format_version: str | None
    quantity: str
    data_units: str | None
    gauge_length_m: float | None
    start: np.datetime64 | None
    extra: Mapping[str, Any]


def das_array(
    values: np.ndarray,
    dims: tuple[str, str],
    distance: np.ndarray,
    time_s: np.ndarray,
    about: Described,
) -> xr.DataArray:
    """The record array: ``values`` with ``dims`` (distance and time in file order)."""
    data = np.asarray(values)[np.newaxis]
    attrs: dict[str, Any] = {
        spec.TIME_STEP: regular_step(time_s),
        spec.DISTANCE_STEP: regular_step(distance, digits=9),
        spec.START_TIME: iso_utc(about.start),
        spec.UNITS: about.data_units,
        spec.QUANTITY_ATTR: about.quantity,
        spec.GAUGE_LENGTH: about.gauge_length_m,
        spec.FORMAT: about.format,
        spec.FORMAT_VERSION: about.format_version,
        spec.SOURCE: about.path,
        **dict(about.extra),
    }
    return xr.DataArray(
        data,
        dims=("channel", *dims),
        coords={
            "channel": [about.quantity],
            "distance": np.asarray(distance, dtype=np.float64),
            "time": np.asarray(time_s, dtype=np.float64),
        },
        attrs=attrs,
    )


def positive_or_none(value: Any) -> float | None:
    """A finite positive float, else None (formats write 0 or NaN for 'unknown')."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if np.isfinite(number) and number > 0 else None


# Segments ------------------------------------------------------------------------------------
def segment_samples(options: ReadOptions, rate_hz: float | None, channels: int) -> int | None:
    """Time samples per record: ``segment_seconds`` at the rate, capped so that a record
    holds at most ``segment_max_values`` samples. None (``segment_seconds: null``) reads the
    whole file as one record, as the entry asks."""
    if options.segment_seconds is None:
        return None
    cap = max(1, options.segment_max_values // max(1, channels))
    if rate_hz is None:
        return cap
    return max(1, min(cap, round(options.segment_seconds * rate_hz)))


def segment_bounds(total: int, per_segment: int | None) -> list[tuple[int, int]]:
    """[start, stop) sample ranges; a tail shorter than half a segment joins the last."""
    if per_segment is None or per_segment >= total:
        return [(0, total)]
    starts = list(range(0, total, per_segment))
    if len(starts) > 1 and total - starts[-1] < per_segment / 2:
        starts.pop()
    return list(zip(starts, [*starts[1:], total], strict=True))


def check_declared(path: str, channels: int, samples: int, options: ReadOptions, what: str) -> None:
    """Refuse a header whose sizes are implausible, before any sample is allocated."""
    problems = []
    if channels > options.max_channels:
        problems.append(f"{channels:,} channels (max_channels={options.max_channels:,})")
    if samples > options.max_time_samples:
        problems.append(f"{samples:,} time samples (max_time_samples={options.max_time_samples:,})")
    if channels * samples > options.max_values:
        problems.append(
            f"{channels * samples:,} samples in all (max_values={options.max_values:,})"
        )
    if problems:
        raise ValueError(
            f"{path}: the {what} declares {' and '.join(problems)}, beyond any plausible DAS "
            "recording; the header is corrupt, or, if the file really is that large, raise "
            "the option named"
        )
    if channels < 1 or samples < 1:
        raise ValueError(
            f"{path}: the {what} declares {channels} channels x {samples} time samples: "
            "there is no data in it; exclude the file"
        )


def mask_nan_channels(array: xr.DataArray, options: ReadOptions) -> xr.DataArray:
    """With ``bad_channels: mask``, channels with no finite sample at all become zeros (dead,
    so normalize masks them) and are listed in attrs; runs of NaN inside a channel stay, for
    validate to locate. Without this one blank channel (a fibre end, a febus zone edge)
    would quarantine a whole file through the core's finiteness check."""
    if options.bad_channels != "mask" or not np.issubdtype(array.dtype, np.floating):
        return array
    axis = array.dims.index("time")
    blank = ~np.isfinite(array.values).any(axis=axis)  # (1, distance)
    if not blank.any():
        return array
    where = np.flatnonzero(blank.ravel())
    values = np.where(np.expand_dims(blank, axis), 0, array.values).astype(array.dtype)
    masked = array.copy(data=values)
    distances = array.coords["distance"].values[where]
    masked.attrs["nan_channels_m"] = [round(float(d), 6) for d in distances]
    return masked
