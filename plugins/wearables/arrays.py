"""Build the ``("channel", "time")`` arrays every reader returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from plugins.wearables.spec import STANDARD_GRAVITY_MS2, UNITS, default_channel_names

ACC_UNIT_ALIASES = {
    "g": 1.0,
    "m/s^2": 1.0 / STANDARD_GRAVITY_MS2,
    "m/s2": 1.0 / STANDARD_GRAVITY_MS2,
    "ms-2": 1.0 / STANDARD_GRAVITY_MS2,
    "mg": 1e-3,
}
GYR_UNIT_ALIASES = {"rad/s": 1.0, "deg/s": np.pi / 180.0, "dps": np.pi / 180.0}


def channel_names(options: Mapping[str, Any], count: int, path: str) -> tuple[str, ...]:
    """Channel names from option ``channels`` or the default acc/gyro naming."""
    names = options.get("channels")
    if names is None:
        return default_channel_names(count)
    names = tuple(str(name) for name in names)
    if len(names) != count:
        raise ValueError(
            f"{path}: option channels lists {len(names)} names {list(names)} but the file has "
            f"{count} axes; give exactly {count} names in options: {{channels: [...]}}"
        )
    return names


def unit_scales(options: Mapping[str, Any], path: str) -> tuple[float, float]:
    """Factors that bring acc to g and gyro to rad/s (options ``acc_units``, ``gyr_units``)."""
    # Both are among the aliases: the options model accepts nothing else.
    acc = options.get("acc_units", "g")
    gyr = options.get("gyr_units", "rad/s")
    return ACC_UNIT_ALIASES[acc], GYR_UNIT_ALIASES[gyr]


def to_spec_units(
    values: np.ndarray, channels: Sequence[str], options: Mapping[str, Any], path: str
) -> np.ndarray:
    """Scale acc channels to g and gyro channels to rad/s as the options declare."""
    acc_scale, gyr_scale = unit_scales(options, path)
    if acc_scale == 1.0 and gyr_scale == 1.0:
        return values
    scales = np.array(
        [
            acc_scale if c.startswith("acc") else gyr_scale if c.startswith("gyr") else 1.0
            for c in channels
        ]
    )
    return values * scales[:, None]


def build_array(
    values: np.ndarray,
    channels: Sequence[str],
    *,
    rate: float,
    source: str,
    times: np.ndarray | None = None,
    attrs: Mapping[str, Any] | None = None,
) -> xr.DataArray:
    """A ``("channel", "time")`` array with the attrs the core and validate rely on.

    ``times`` (seconds) becomes the "time" coord for formats that carry timestamps.
    """
    coords: dict[str, Any] = {"channel": list(channels)}
    if times is not None:
        coords["time"] = np.asarray(times, dtype=np.float64)
    array = xr.DataArray(np.asarray(values), dims=("channel", "time"), coords=coords)
    array.attrs.update({"sampling_rate": float(rate), "units": UNITS, "source": str(source)})
    if attrs:
        array.attrs.update(attrs)
    return array


def time_seconds_of(array: xr.DataArray) -> np.ndarray | None:
    """The "time" coord in seconds (datetimes: since the first sample), or None if absent."""
    if "time" not in array.coords:
        return None
    times = np.asarray(array.coords["time"].values)
    if np.issubdtype(times.dtype, np.datetime64):
        return (times - times[0]) / np.timedelta64(1, "s")
    if np.issubdtype(times.dtype, np.timedelta64):
        return times / np.timedelta64(1, "s")
    return times.astype(np.float64)
