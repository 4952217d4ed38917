"""The wearables modality spec and the channel naming every reader shares."""

from __future__ import annotations

from sslsci.plugins.contract import ModalitySpec

ACC_CHANNELS: tuple[str, ...] = ("acc_x", "acc_y", "acc_z")
GYR_CHANNELS: tuple[str, ...] = ("gyr_x", "gyr_y", "gyr_z")
DEFAULT_CHANNELS: tuple[str, ...] = ACC_CHANNELS + GYR_CHANNELS
UNITS = "g (acc), rad/s (gyro)"
TARGET_RATE_HZ = 30.0
STANDARD_GRAVITY_MS2 = 9.80665

SPEC = ModalitySpec(
    name="wearables",
    dims=("channel", "time"),
    window_dims=("time",),
    channels=DEFAULT_CHANNELS,
    units=UNITS,
    sampling={"time": TARGET_RATE_HZ},
    description=(
        "Body-worn inertial sensors: tri-axial accelerometer in g (gravity included) and "
        "optional tri-axial gyroscope in rad/s, resampled to 30 Hz."
    ),
)


def default_channel_names(count: int) -> tuple[str, ...]:
    """Names for ``count`` unnamed axes: acc first, then gyro, then generic ``dim_i``."""
    if count <= len(DEFAULT_CHANNELS):
        return DEFAULT_CHANNELS[:count]
    extra = tuple(f"dim_{i}" for i in range(len(DEFAULT_CHANNELS), count))
    return DEFAULT_CHANNELS + extra
