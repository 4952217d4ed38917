"""Wearables checks beyond the core's generic ones; each problem is one plain sentence.

Limits come from options so a study with a ±32 g sensor or 1 s windows can relax them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import xarray as xr

from plugins.wearables.arrays import time_seconds_of
from plugins.wearables.options import (
    MAX_ABS_G,
    MAX_ABS_RAD_S,
    MAX_ABS_VALUE,
    MAX_GAP_SECONDS,
    MIN_SECONDS,
    RATE_TOLERANCE,
)


@dataclass(frozen=True)
class Limits:
    """Plausibility limits; each is the catalog option of the same name (see options.py)."""

    max_abs_g: float = MAX_ABS_G
    max_abs_rad_s: float = MAX_ABS_RAD_S
    min_seconds: float = MIN_SECONDS
    rate_tolerance: float = RATE_TOLERANCE
    max_gap_seconds: float = MAX_GAP_SECONDS

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Limits:
        """The limits among the (already checked) options; the others are not limits."""
        return cls(**{f.name: float(options[f.name]) for f in fields(cls) if f.name in options})


def longest_run(mask: np.ndarray) -> tuple[int, int]:
    """(length, start) of the longest run of True in a 1-D mask."""
    padded = np.r_[False, mask, False].astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    starts, stops = edges[::2], edges[1::2]
    if starts.size == 0:
        return 0, 0
    best = int(np.argmax(stops - starts))
    return int(stops[best] - starts[best]), int(starts[best])


def layout_problems(array: xr.DataArray) -> list[str]:
    """Dims, channel names and a usable sampling_rate attr (the other checks need them)."""
    problems = []
    if tuple(array.dims) != ("channel", "time"):
        problems.append(f"dims are {tuple(array.dims)}, expected ('channel', 'time').")
    if "channel" not in array.coords:
        problems.append("the 'channel' coordinate with channel names is missing.")
    rate = array.attrs.get("sampling_rate")
    if not isinstance(rate, int | float) or not np.isfinite(rate) or rate <= 0:
        problems.append(f"attr sampling_rate={rate!r} is not a positive number of Hz.")
    return problems


def finite_problems(values: np.ndarray, channels: list[str], rate: float) -> list[str]:
    """Non-finite samples per channel, with the longest run and where it starts."""
    problems = []
    for name, row in zip(channels, values, strict=True):
        bad = ~np.isfinite(row)
        if bad.any():
            length, start = longest_run(bad)
            problems.append(
                f"channel {name} has {int(bad.sum())} non-finite values (NaN or inf); the "
                f"longest run is {length} samples from sample {start} ({start / rate:.2f} s)."
            )
    return problems


def time_problems(times: np.ndarray, rate: float, limits: Limits) -> list[str]:
    """Monotonic timestamps, agreement with the declared rate, no long gaps."""
    steps = np.diff(times)
    if steps.size == 0:
        return []
    if not (steps > 0).all():
        i = int(np.flatnonzero(~(steps > 0))[0]) + 1
        return [
            f"timestamps are not increasing at sample {i} ({times[i]:.6g} s after "
            f"{times[i - 1]:.6g} s)."
        ]
    problems = []
    measured = 1.0 / float(np.median(steps))
    if abs(measured / rate - 1.0) > limits.rate_tolerance:
        problems.append(
            f"timestamps give a sampling rate of {measured:.4g} Hz but the declared rate is "
            f"{rate:.4g} Hz (tolerance {limits.rate_tolerance:.0%})."
        )
    if steps.max() > limits.max_gap_seconds:
        i = int(np.argmax(steps)) + 1
        problems.append(
            f"timestamps jump by {steps.max():.3g} s at sample {i} (more than "
            f"max_gap_seconds={limits.max_gap_seconds:g}); split the recording at the gap."
        )
    return problems


def _peak(values: np.ndarray, rows: list[int]) -> tuple[float, int]:
    """Largest vector magnitude (three axes) or absolute value and its sample; scaled by
    the per-sample maximum first, so values near 1e200 give their size, not an overflow."""
    group = np.abs(values[rows])
    finite = np.where(np.isfinite(group), group, 0.0)  # non-finite: finite_problems' job
    largest = finite.max(axis=0)
    magnitude = largest
    if len(rows) == 3:
        scale = np.where(largest > 0, largest, 1.0)
        magnitude = largest * np.sqrt(((finite / scale) ** 2).sum(axis=0))
    i = int(np.argmax(magnitude))
    return float(magnitude[i]), i


def storable_problems(values: np.ndarray, channels: list[str]) -> list[str]:
    """Finite values the float32 store cannot hold (or that resampling would overflow)."""
    problems = []
    for name, row in zip(channels, values, strict=True):
        finite = np.abs(np.where(np.isfinite(row), row, 0.0))
        i = int(np.argmax(finite)) if finite.size else 0
        if finite.size and finite[i] > MAX_ABS_VALUE:
            problems.append(
                f"values out of range: channel {name} holds {row[i]:.3g} at sample {i}, beyond "
                f"the {MAX_ABS_VALUE:.2g} a float32 store holds with room to resample; the file "
                "is corrupt or not in sensor units: re-export it or exclude it."
            )
    return problems


def range_problems(values: np.ndarray, channels: list[str], limits: Limits) -> list[str]:
    """Acceleration magnitude in g and angular rate in rad/s within sensor ranges."""
    problems = []
    checks = (
        ("acc", limits.max_abs_g, "g", "m/s^2", "acc_units"),
        ("gyr", limits.max_abs_rad_s, "rad/s", "deg/s", "gyr_units"),
    )
    for prefix, limit, unit, other, option in checks:
        rows = [i for i, name in enumerate(channels) if name.startswith(prefix)]
        if not rows or values.shape[1] == 0:
            continue
        peak, i = _peak(values, rows)
        if peak > limit:
            problems.append(
                f"{'acceleration' if prefix == 'acc' else 'angular rate'} reaches {peak:.3g} "
                f"{unit} at sample {i}, beyond the plausible {limit:g} {unit}; if the values "
                f"are in {other}, set options: {{{option}: {other}}} in the catalog entry."
            )
    return problems


def length_problems(samples: int, rate: float, limits: Limits) -> list[str]:
    """Recordings too short to cut a training window from."""
    seconds = samples / rate
    if seconds < limits.min_seconds:
        return [
            f"the recording lasts {seconds:.3g} s ({samples} samples at {rate:g} Hz), shorter "
            f"than min_seconds={limits.min_seconds:g}."
        ]
    return []


def validate_array(array: xr.DataArray, **options: Any) -> list[str]:
    """Every wearables problem found in ``array``; empty means valid."""
    problems = layout_problems(array)
    if problems:
        return problems
    limits = Limits.from_options(options)
    rate = float(array.attrs["sampling_rate"])
    values = np.asarray(array.values, dtype=np.float64)
    channels = [str(c) for c in array.coords["channel"].values]
    problems += finite_problems(values, channels, rate)
    problems += storable_problems(values, channels)
    times = time_seconds_of(array)
    if times is not None:
        problems += time_problems(times, rate, limits)
    problems += range_problems(values, channels, limits)
    problems += length_problems(values.shape[1], rate, limits)
    return problems
