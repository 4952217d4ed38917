"""Reader for raw accelerometer device files (Axivity ``.cwa``, ActiGraph ``.gt3x``,
GENEActiv ``.bin``) through actipy, the optional ``devices`` extra.

actipy parses the file, low-pass filters, calibrates against gravity, marks non-wear
as NaN and resamples to a uniform grid. A multi-day file has gaps (non-wear, device
interrupts); each contiguous finite stretch becomes one record (``item`` = its index),
so no gap is ever interpolated over.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd

from plugins.wearables.arrays import build_array
from plugins.wearables.options import DeviceOptions
from plugins.wearables.spec import ACC_CHANNELS
from sslsci.plugins.contract import PluginError, Record

DEVICE_SUFFIXES = (".cwa", ".cwa.gz", ".gt3x", ".bin")
GZIP_MAGIC = b"\x1f\x8b"


class MissingExtraError(PluginError, ImportError):
    """An optional dependency is not installed."""


def import_actipy() -> ModuleType:
    """actipy, or an error that says which extra installs it."""
    try:
        return importlib.import_module("actipy")
    except ImportError as exc:
        raise MissingExtraError(
            "reading .cwa/.gt3x/.bin device files needs actipy (and Java 8+), which is not "
            "installed; install it with: pip install sslsci[devices]"
        ) from exc


def finite_runs(values: np.ndarray, times: np.ndarray, rate: float) -> list[tuple[int, int]]:
    """[start, stop) index ranges where every axis is finite and no sample is missing."""
    finite = np.isfinite(values).all(axis=0)
    breaks = np.zeros(finite.size, dtype=bool)
    breaks[1:] = np.diff(times) > 1.5 / rate  # a time gap starts a new run
    starts = finite & np.r_[True, ~finite[:-1] | breaks[1:]]
    stops = finite & np.r_[~finite[1:] | breaks[1:], True]
    return list(
        zip(np.flatnonzero(starts).tolist(), (np.flatnonzero(stops) + 1).tolist(), strict=True)
    )


def frame_records(
    frame: pd.DataFrame, rate: float, path: str, info: Mapping[str, Any]
) -> Iterator[Record]:
    """actipy's frame (datetime index; x, y, z in g) -> one record per finite stretch."""
    missing = [c for c in ("x", "y", "z") if c not in frame.columns]
    if missing or not isinstance(frame.index, pd.DatetimeIndex):
        raise ValueError(
            f"{path}: actipy returned columns {list(frame.columns)} without x, y, z or a time "
            "index; upgrade actipy (pip install -U sslsci[devices])"
        )
    values = frame[["x", "y", "z"]].to_numpy(dtype=np.float32).T
    start = frame.index[0]
    seconds = ((frame.index - start) / pd.Timedelta(seconds=1)).to_numpy(dtype=np.float64)
    device = {k: str(info[k]) for k in ("Device", "DeviceID") if k in info}
    for item, (lo, hi) in enumerate(finite_runs(values, seconds, rate)):
        attrs = {"start_time": frame.index[lo].isoformat(), "rate_source": "device", **device}
        array = build_array(
            values[:, lo:hi],
            ACC_CHANNELS,
            rate=rate,
            source=path,
            times=seconds[lo:hi],
            attrs=attrs,
        )
        yield Record(array=array, item=str(item))


class DeviceReader:
    """Raw device files via actipy, with the options of ``DeviceOptions``."""

    name = "actipy_device"
    suffixes = DEVICE_SUFFIXES
    options = DeviceOptions
    sample_exempt = "binary vendor formats (.cwa, .gt3x, .bin) cannot be generated here"

    def sniff(self, path: str, head: bytes) -> bool:
        """Suffix plus each format's magic: 'MD' (cwa), zip (gt3x), 'Device Identity' (bin)."""
        lower = path.lower()
        if lower.endswith(".cwa"):
            return head[:2] == b"MD"
        if lower.endswith(".cwa.gz"):
            return head[:2] == GZIP_MAGIC
        if lower.endswith(".gt3x"):
            return head[:4] == b"PK\x03\x04"
        return lower.endswith(".bin") and head.startswith(b"Device Identity")

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """Yield one record per contiguous stretch of worn, finite data."""
        actipy = import_actipy()
        resample_hz = options.get("resample_hz", "uniform")
        try:
            frame, info = actipy.read_device(
                str(path),
                lowpass_hz=options.get("lowpass_hz", 20),
                calibrate_gravity=options.get("calibrate_gravity", True),
                detect_nonwear=options.get("detect_nonwear", True),
                resample_hz=resample_hz,
                verbose=False,
            )
        except Exception as exc:  # actipy/Java raise many types for a damaged file
            raise ValueError(
                f"{path}: actipy could not read this device file ({type(exc).__name__}: {exc}); "
                "the file is damaged or not the format its suffix says: copy it again from "
                "the device"
            ) from exc
        if frame.empty:
            raise ValueError(f"{path}: the device file holds no samples; exclude it from the glob")
        fixed_rate = resample_hz not in (None, False, True, "uniform")
        rate = float(resample_hz) if fixed_rate else float(info["SampleRate"])
        yield from frame_records(frame, rate, path, info)
