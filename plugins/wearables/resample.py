"""Bring a valid recording to the spec: channel order, 30 Hz (or ``target_rate``), float32.

Regular data is resampled with a polyphase anti-aliasing filter (scipy's
``resample_poly``, edges padded with a fitted line so gravity's offset does not ring);
irregular timestamps are first interpolated linearly onto a regular grid at the
recording's own rate, then resampled the same way.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import xarray as xr
from scipy.signal import resample_poly

from plugins.wearables.arrays import time_seconds_of
from plugins.wearables.spec import DEFAULT_CHANNELS, TARGET_RATE_HZ

REGULAR_JITTER = 0.01  # a step may differ from 1/rate by 1% and still count as regular
MAX_RATIO_DENOMINATOR = 1000


def is_regular(times: np.ndarray, rate: float) -> bool:
    """Whether every timestamp step equals 1/rate within ``REGULAR_JITTER``."""
    steps = np.diff(times)
    return steps.size == 0 or bool(np.abs(steps * rate - 1.0).max() <= REGULAR_JITTER)


def to_regular_grid(values: np.ndarray, times: np.ndarray, rate: float) -> np.ndarray:
    """Linear interpolation of ``[C, T]`` samples at ``times`` onto a grid at ``rate``."""
    count = int(np.floor((times[-1] - times[0]) * rate + 1e-9)) + 1
    grid = times[0] + np.arange(count) / rate
    return np.stack([np.interp(grid, times, row) for row in values])


def resample_regular(values: np.ndarray, from_rate: float, to_rate: float) -> np.ndarray:
    """Polyphase resampling of ``[C, T]`` along time from one rate to another."""
    ratio = Fraction(to_rate / from_rate).limit_denominator(MAX_RATIO_DENOMINATOR)
    if ratio == 1:
        return values
    return resample_poly(values, ratio.numerator, ratio.denominator, axis=1, padtype="line")


def spec_channel_order(channels: list[str]) -> list[str]:
    """Known channels in the spec's order, then any others in their own order."""
    known = [c for c in DEFAULT_CHANNELS if c in channels]
    return known + [c for c in channels if c not in DEFAULT_CHANNELS]


def normalize_array(array: xr.DataArray, **options: Any) -> xr.DataArray:
    """A ``("channel", "time")`` float32 array at the target rate, without a time coord."""
    target = float(options.get("target_rate", TARGET_RATE_HZ))
    array = array.transpose("channel", "time")
    channels = spec_channel_order([str(c) for c in array.coords["channel"].values])
    array = array.sel(channel=channels)
    rate = float(array.attrs["sampling_rate"])
    values = np.asarray(array.values, dtype=np.float64)
    attrs = {k: v for k, v in array.attrs.items() if k != "rate_source"}
    times = time_seconds_of(array)
    if times is not None:
        if not is_regular(times, rate):
            values = to_regular_grid(values, times, rate)
            attrs["interpolated_from_irregular_timestamps"] = True
        attrs["time_start_seconds"] = float(times[0]) if times.size else 0.0
    values = resample_regular(values, rate, target)
    attrs.update(original_sampling_rate=rate, sampling_rate=target)
    return xr.DataArray(
        values.astype(np.float32),
        dims=("channel", "time"),
        coords={"channel": channels},
        attrs=attrs,
    )
