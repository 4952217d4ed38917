"""The wearables options: what a catalog entry's ``options`` and a pipeline's ``views``
may set, typed, with the defaults the readers, validate and normalize use."""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, NonNegativeFloat, PositiveFloat, PositiveInt

from plugins.wearables.spec import TARGET_RATE_HZ
from sslsci.plugins import Options

AccUnits = Literal["g", "m/s^2", "m/s2", "ms-2", "mg"]
GyrUnits = Literal["rad/s", "deg/s", "dps"]
TimeUnit = Literal["s", "ms", "us", "ns"]

# Plausibility limits of validate (one constant each, shared with the functions).
MAX_ABS_G = 16.0  # common accelerometer full-scale range
MAX_ABS_RAD_S = 40.0  # just above the 2000 deg/s gyroscope range (34.9 rad/s)
MIN_SECONDS = 2.0  # UEA RacketSports windows last 3 s
RATE_TOLERANCE = 0.05  # relative mismatch allowed between timestamps and rate
MAX_GAP_SECONDS = 1.0  # longer gaps would be interpolated over by normalize
# float32 holds 3.4e38; 1e3 below it leaves room for resampling's overshoot.
MAX_ABS_VALUE = float(np.finfo(np.float32).max) / 1e3
MAX_COLUMNS = 1024  # a table's columns, checked on the header before parsing


class WearablesOptions(Options):
    """Catalog options of a wearables archive (readers, validate and normalize)."""

    sampling_rate: PositiveFloat | None = Field(
        None, description="Hz, for formats that do not record it (UEA .ts; tables without time)"
    )
    channels: list[str] | None = Field(None, description="names of the file's axes, in order")
    acc_units: AccUnits = Field("g", description="units of the accelerometer values")
    gyr_units: GyrUnits = Field("rad/s", description="units of the gyroscope values")
    columns: list[str] | dict[str, str] | None = Field(
        None, description="table columns to read, or column -> channel"
    )
    time_column: str | None = Field(None, description="the table's time column (auto-detected)")
    time_unit: TimeUnit = Field("s", description="unit of a numeric time column")
    time_format: str = Field("ISO8601", description="pandas format of a date-time column")
    sep: str = Field(",", description="CSV separator")
    max_columns: PositiveInt = Field(
        MAX_COLUMNS, description="most columns a table may have (checked before parsing)"
    )
    signals: list[str] | None = Field(
        None,
        description="UCI HAR signals to read (default: total_acc, else body_acc, and body_gyro; "
        "body_acc is left out when total_acc exists)",
    )
    target_rate: PositiveFloat = Field(TARGET_RATE_HZ, description="Hz after normalize")
    max_abs_g: PositiveFloat = MAX_ABS_G
    max_abs_rad_s: PositiveFloat = MAX_ABS_RAD_S
    min_seconds: NonNegativeFloat = MIN_SECONDS
    rate_tolerance: PositiveFloat = RATE_TOLERANCE
    max_gap_seconds: PositiveFloat = MAX_GAP_SECONDS


class WearablesViewOptions(Options):
    """A pipeline's ``views`` options for wearables."""

    crop: PositiveInt | None = Field(
        None, description="samples per view (default: the window the pipeline cuts)"
    )
    channels: list[str] | None = Field(
        None, description="channel names in window order, to find the acc/gyro triples"
    )
    max_rotation_degrees: float = Field(180.0, ge=0, le=180)


class DeviceOptions(Options):
    """Options passed to ``actipy.read_device``."""

    lowpass_hz: PositiveFloat | None = Field(20, description="low-pass cut-off; None: off")
    calibrate_gravity: bool = True
    detect_nonwear: bool = True
    resample_hz: PositiveFloat | Literal["uniform"] | None = Field(
        "uniform", description="Hz, 'uniform' (the device's own rate) or None (no resampling)"
    )
