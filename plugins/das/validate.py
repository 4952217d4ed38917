"""DAS checks beyond the core's: where NaN runs sit, gaps and overlaps in time, steps, sizes,
and bad channels (dead, flatlined, clipped, far-out RMS), each problem one sentence.

Bad channels are problems only with ``bad_channels: report``; with ``mask`` (the default)
normalize zeroes them and lists them in attrs, unless every channel is bad, which is a
problem either way. Thresholds are ``options.ValidateOptions``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import xarray as xr

from plugins.das import spec
from plugins.das.options import ValidateOptions

LISTED = 5  # examples named per problem
ROWS = 256  # channels per block: bounds the float64 temporaries of a long segment
BAD_KINDS = {
    "dead": "dead (constant, or RMS below dead_rms_ratio x the median)",
    "flatlined": "flatlined (one value repeated for flatline_fraction of the record)",
    "clipped": "clipped (flat-topped: clip_fraction of samples held at the channel's peak)",
    "far_out": "far out (RMS beyond far_rms_ratio x or / the median)",
}


def section(array: xr.DataArray) -> np.ndarray:
    """The (distance, time) samples of the single channel, in the file's dtype (a view where
    the layout allows): the checks convert ``ROWS`` channels at a time, so a segment is
    never copied whole into float64."""
    return array.transpose("channel", "distance", "time").values[0]


def blocks(values: np.ndarray) -> Iterator[tuple[int, np.ndarray]]:
    """(first row, float64 copy) of ``ROWS`` channels at a time."""
    for a in range(0, values.shape[0], ROWS):
        yield a, np.asarray(values[a : a + ROWS], dtype=np.float64)


def _where(array: xr.DataArray, rows: np.ndarray) -> str:
    distance = array.coords["distance"].values
    shown = ", ".join(f"{int(r)} ({float(distance[r]):g} m)" for r in rows[:LISTED])
    return shown + (f" and {len(rows) - LISTED} more" if len(rows) > LISTED else "")


def _moment(array: xr.DataArray, seconds: float) -> str:
    """'t=1.234 s' and, where the start time is known, the absolute UTC time."""
    start = array.attrs.get(spec.START_TIME)
    text = f"t={seconds:.6g} s"
    if isinstance(start, str):
        try:
            stamp = np.datetime64(start.rstrip("Z"), "ns") + np.timedelta64(
                round(seconds * 1e9), "ns"
            )
        except ValueError:
            return text
        text += f" ({np.datetime_as_string(stamp, unit='ms')}Z)"
    return text


def layout_problems(array: xr.DataArray) -> list[str]:
    if set(array.dims) != set(spec.DIMS):
        return [f"dims are {tuple(array.dims)}, expected {spec.DIMS} in any order."]
    problems = []
    if array.sizes["channel"] != 1:
        count = array.sizes["channel"]
        problems.append(f"{count} quantities along 'channel'; a DAS record holds one.")
    for dim in ("distance", "time"):
        if dim not in array.coords:
            problems.append(f"no {dim!r} coordinate; a reader must give it (metres, seconds).")
    return problems


def size_problems(array: xr.DataArray, opts: ValidateOptions) -> list[str]:
    problems = []
    for dim, least, key in (
        ("distance", opts.min_channels, "min_channels"),
        ("time", opts.min_time_samples, "min_time_samples"),
    ):
        if array.sizes[dim] < least:
            problems.append(
                f"{array.sizes[dim]} samples along {dim}, fewer than {key}={least}; the record "
                "is too small to window: exclude it or lower the option."
            )
    return problems


def time_problems(array: xr.DataArray, opts: ValidateOptions) -> list[str]:
    """Positive, constant time step: gaps and overlaps named with their times."""
    times = np.asarray(array.coords["time"].values, dtype=np.float64)
    if len(times) < 2:
        return []
    steps = np.diff(times)
    forward = steps[steps > 0]
    if forward.size == 0:
        return ["the time coordinate never increases: no positive time step."]
    step = float(np.median(forward))
    problems = []
    stated = array.attrs.get(spec.TIME_STEP)
    if isinstance(stated, int | float) and not stated > 0:
        problems.append(f"attr {spec.TIME_STEP}={stated!r} is not a positive number of seconds.")
    gaps = np.flatnonzero(steps > step * (1 + opts.time_step_tolerance))
    backs = np.flatnonzero(steps < step * (1 - opts.time_step_tolerance))
    for label, where in (("gap", gaps), ("overlap", backs)):
        if where.size == 0:
            continue
        named = "; ".join(
            f"{abs(steps[i] - step):.6g} s {'missing' if label == 'gap' else 'repeated'} after "
            f"{_moment(array, float(times[i]))}"
            for i in where[:LISTED]
        )
        more = f" and {where.size - LISTED} more" if where.size > LISTED else ""
        problems.append(
            f"{where.size} time {label}(s) in a record sampled every {step:.6g} s: {named}{more}; "
            "the time step must be constant: split the record at the "
            f"{label}s or exclude it."
        )
    return problems


def distance_problems(array: xr.DataArray) -> list[str]:
    distance = np.asarray(array.coords["distance"].values, dtype=np.float64)
    steps = np.diff(distance)
    bad = np.flatnonzero(~(steps > 0))
    if bad.size == 0:
        return []
    return [
        f"distance does not increase from channel to channel at channels {_where(array, bad)}; "
        "the distance step must be positive: fix the header or the channel order."
    ]


def nan_problems(array: xr.DataArray, values: np.ndarray) -> list[str]:
    """Runs of NaN or inf located by channel (distance) and time."""
    if not np.issubdtype(values.dtype, np.floating):
        return []
    bad = ~np.isfinite(values)
    if not bad.any():
        return []
    edges = np.diff(np.pad(bad, ((0, 0), (1, 1))).astype(np.int8), axis=1)
    starts, ends = np.argwhere(edges == 1), np.argwhere(edges == -1)
    times = np.asarray(array.coords["time"].values, dtype=np.float64)
    distance = array.coords["distance"].values
    named = []
    for (row, a), (_, b) in zip(starts[:LISTED], ends[:LISTED], strict=True):
        where = f"channel {row} ({float(distance[row]):g} m)"
        if a == 0 and b == values.shape[1]:
            named.append(f"{where} throughout")
        else:
            named.append(
                f"{where} for {b - a} samples from {_moment(array, float(times[a]))} to "
                f"t={float(times[b - 1]):.6g} s"
            )
    more = f" and {len(starts) - LISTED} more" if len(starts) > LISTED else ""
    return [
        f"{len(starts)} run(s) of NaN or inf ({int(bad.sum())} samples): {'; '.join(named)}"
        f"{more}; the recording has dropouts: cut the bad span, or exclude the file."
    ]


def longest_runs(values: np.ndarray) -> np.ndarray:
    """Per channel of a block, the longest run of one repeated value (in samples)."""
    rows, samples = values.shape
    if samples < 2:
        return np.full(rows, samples, dtype=np.int64)
    index = np.arange(samples - 1)
    same = values[:, 1:] == values[:, :-1]
    last_change = np.maximum.accumulate(np.where(same, -1, index), axis=1)
    return (index - last_change).max(axis=1) + 1


def flat_tops(values: np.ndarray) -> np.ndarray:
    """Per channel of a block, how often two consecutive samples both sit at the channel's
    peak |x|: a clipped channel is flat-topped at its rail, a sine only touches its peak."""
    magnitude = np.abs(values)
    with np.errstate(all="ignore"):
        peak = np.nanmax(magnitude, axis=1, keepdims=True)
    at_peak = (magnitude >= peak * (1 - 1e-9)) & (peak > 0)
    return (at_peak[:, 1:] & at_peak[:, :-1]).sum(axis=1)


def channel_statistics(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per channel: RMS about the mean (finite samples), longest constant run, flat tops;
    one pass over blocks of ``ROWS`` channels."""
    rows = values.shape[0]
    rms, longest, tops = np.zeros(rows), np.zeros(rows, np.int64), np.zeros(rows, np.int64)
    for a, block in blocks(values):
        finite = np.isfinite(block)
        if not finite.all():
            block = np.where(finite, block, np.nan)
        with np.errstate(all="ignore"):
            rms[a : a + len(block)] = np.nan_to_num(np.nanstd(block, axis=1), nan=0.0)
            tops[a : a + len(block)] = flat_tops(block)
        longest[a : a + len(block)] = longest_runs(block)
    return rms, longest, tops


def bad_channels(values: np.ndarray, opts: ValidateOptions) -> dict[str, np.ndarray]:
    """Channel indices per kind of bad (dead first; a channel is listed under one kind)."""
    rms, longest, tops = channel_statistics(values)
    live = rms[rms > 0]
    reference = float(np.median(live)) if live.size else 0.0
    dead = (rms == 0) | (rms <= opts.dead_rms_ratio * reference)
    taken = dead.copy()
    samples = values.shape[1]
    flat = ~taken & (longest >= max(3, opts.flatline_fraction * samples))
    taken |= flat
    clipped = ~taken & (tops >= max(2, opts.clip_fraction * samples))
    taken |= clipped
    ratio = opts.far_rms_ratio
    far = ~taken & ((rms > ratio * reference) | (rms < reference / ratio))
    found = {"dead": dead, "flatlined": flat, "clipped": clipped, "far_out": far}
    return {kind: np.flatnonzero(mask) for kind, mask in found.items()}


def channel_problems(array: xr.DataArray, values: np.ndarray, opts: ValidateOptions) -> list[str]:
    found = bad_channels(values, opts)
    rows = values.shape[0]
    if len(found["dead"]) == rows:
        return [
            f"all {rows} channels are dead (constant, or RMS below dead_rms_ratio x the "
            "median): the interrogator recorded no signal; exclude the file."
        ]
    bad = sorted(set().union(*(set(v.tolist()) for v in found.values())))
    if len(bad) == rows:
        return [
            f"every one of the {rows} channels is bad ("
            + ", ".join(f"{len(v)} {k}" for k, v in found.items() if len(v))
            + "), so nothing would remain after masking; exclude the file."
        ]
    if opts.bad_channels == "mask":
        return []
    return [
        f"{len(rows_of)} channel(s) {BAD_KINDS[kind]}: {_where(array, rows_of)}; set "
        "bad_channels: mask to zero them instead, or exclude the file."
        for kind, rows_of in found.items()
        if len(rows_of)
    ]


def validate_array(array: xr.DataArray, **options: Any) -> list[str]:
    """Every DAS problem found in ``array``; empty means valid. ``options`` may hold any
    catalog options; the ``ValidateOptions`` fields among them set the thresholds."""
    opts = ValidateOptions.pick(options)
    problems = layout_problems(array)
    if problems:
        return problems
    problems = size_problems(array, opts)
    if array.size == 0:
        return problems
    problems += time_problems(array, opts) + distance_problems(array)
    values = section(array)
    problems += nan_problems(array, values)
    return problems + channel_problems(array, values, opts)
