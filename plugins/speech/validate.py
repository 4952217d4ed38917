"""Speech checks beyond the core's generic ones; each problem is one plain sentence.

Thresholds are the catalog options of ``options.Limits`` (checked there, defaults there),
so an archive of quiet field recordings or of 6 kHz bat-detector files can relax them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from plugins.speech.options import Limits


def sampling_rate_of(array: xr.DataArray) -> float | None:
    """The rate from attr ``sampling_rate`` (or ``sample_rate``), if a positive number."""
    rate = array.attrs.get("sampling_rate", array.attrs.get("sample_rate"))
    if isinstance(rate, bool) or not isinstance(rate, int | float | np.number):
        return None
    rate = float(rate)
    return rate if np.isfinite(rate) and rate > 0 else None


def layout_problems(array: xr.DataArray, rate: float | None) -> list[str]:
    """Dims and a usable sampling rate (the other checks need both)."""
    problems = []
    if tuple(array.dims) != ("channel", "time"):
        problems.append(f"dims are {tuple(array.dims)}, expected ('channel', 'time').")
    if rate is None:
        found = array.attrs.get("sampling_rate", array.attrs.get("sample_rate"))
        problems.append(
            f"the sample rate is missing or not a positive number (attr sampling_rate={found!r})."
        )
    return problems


def finite_problems(values: np.ndarray, rate: float) -> list[str]:
    bad = ~np.isfinite(values)
    if not bad.any():
        return []
    first = int(np.flatnonzero(bad.any(axis=0))[0])
    return [
        f"{int(bad.sum())} samples are not finite (NaN or inf), the first at sample {first} "
        f"({first / rate:.3f} s); the float file is corrupt: re-export it."
    ]


def rate_problems(rate: float, limits: Limits) -> list[str]:
    if rate < limits.min_rate:
        return [
            f"the sample rate {rate:g} Hz is below min_rate={limits.min_rate:g} Hz; speech "
            "above that band is lost, so exclude the file or lower the option min_rate."
        ]
    return []


def duration_problems(samples: int, rate: float, limits: Limits) -> list[str]:
    if samples == 0:
        return ["the clip holds no samples (zero length)."]
    seconds = samples / rate
    if seconds < limits.min_seconds:
        return [
            f"the clip lasts {seconds:.3g} s ({samples} samples at {rate:g} Hz), shorter than "
            f"min_seconds={limits.min_seconds:g}."
        ]
    return []


def level_problems(values: np.ndarray, limits: Limits) -> list[str]:
    """Clipping (too many samples at full scale) and silence (peak below a dBFS floor)."""
    magnitude = np.abs(np.where(np.isfinite(values), values, 0.0))
    if magnitude.size == 0:
        return []
    problems = []
    clipped = float((magnitude >= limits.clip_level).mean())
    if clipped > limits.max_clipped_ratio:
        problems.append(
            f"the clip is clipped: {clipped:.1%} of samples sit at full scale (|x| >= "
            f"{limits.clip_level:g}), above max_clipped_ratio={limits.max_clipped_ratio:g}; "
            "record with less gain or raise the option."
        )
    peak = float(magnitude.max())
    peak_dbfs = 20.0 * np.log10(peak) if peak > 0 else -np.inf
    if peak_dbfs < limits.silence_dbfs:
        problems.append(
            f"the clip is silent: its peak level is {peak_dbfs:.1f} dBFS, below "
            f"silence_dbfs={limits.silence_dbfs:g}; exclude it or lower the option."
        )
    return problems


def validate_array(array: xr.DataArray, **options: Any) -> list[str]:
    """Every speech problem found in ``array``; empty means valid. ``options`` may hold any
    catalog options; the ``Limits`` fields among them set the thresholds."""
    limits = Limits.pick(options)
    rate = sampling_rate_of(array)
    problems = layout_problems(array, rate)
    if problems or rate is None:
        return problems
    values = np.asarray(array.values, dtype=np.float64)
    problems += duration_problems(values.shape[1], rate, limits)
    if values.shape[1] == 0:
        return problems + rate_problems(rate, limits)
    problems += finite_problems(values, rate)
    problems += rate_problems(rate, limits)
    problems += level_problems(values, limits)
    return problems
