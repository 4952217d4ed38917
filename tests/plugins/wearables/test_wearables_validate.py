"""validate(): each problem is caught with a specific sentence; good data passes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from plugins.wearables import plugin
from plugins.wearables.generator import ACTIVITIES, make_subject, synth_recording
from plugins.wearables.readers_ts import TsReader

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "wearables"


def recording(activity: str = "walk", seconds: float = 10.0, rate: float = 20.0) -> xr.DataArray:
    rng = np.random.default_rng(4)
    return synth_recording(
        activity, make_subject(rng, "s1"), seconds=seconds, rate=rate, rng=rng, source="test"
    )


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_generated_recordings_are_valid(activity: str) -> None:
    assert plugin.validate(recording(activity)) == []


def test_basic_motions_passes_when_units_are_declared() -> None:
    path = DATA / "BasicMotions_TRAIN.ts"
    if not path.is_file():
        pytest.skip(f"real sample data {path} is absent")
    records = list(TsReader().read(str(path), sampling_rate=10, acc_units="m/s^2"))
    assert all(plugin.validate(r.array) == [] for r in records)
    # Read as if in g, the smartwatch's m/s^2 values break the 16 g range, with the fix named.
    as_g = [plugin.validate(r.array) for r in TsReader().read(str(path), sampling_rate=10)]
    flagged = [p for problems in as_g for p in problems]
    assert flagged and all("set options: {acc_units: m/s^2}" in p for p in flagged)


def test_nan_run_is_located() -> None:
    array = recording()
    array.values[1, 50:80] = np.nan
    array.values[1, 120] = np.inf
    problems = plugin.validate(array)
    assert problems == [
        "channel acc_y has 31 non-finite values (NaN or inf); the longest run is 30 samples "
        "from sample 50 (2.50 s)."
    ]


def test_non_monotonic_time() -> None:
    array = recording()
    times = array.coords["time"].values.copy()
    times[40], times[41] = times[41], times[40]
    array = array.assign_coords(time=times)
    assert plugin.validate(array) == [
        "timestamps are not increasing at sample 41 (2 s after 2.05 s)."
    ]


def test_wrong_rate_is_reported() -> None:
    array = recording(rate=20.0)
    array.attrs["sampling_rate"] = 50.0
    problems = plugin.validate(array)
    assert len(problems) == 1
    assert problems[0].startswith("timestamps give a sampling rate of 20 Hz but the declared")
    assert plugin.validate(array, rate_tolerance=2.0) == []


def test_time_gap_is_reported() -> None:
    array = recording()
    times = array.coords["time"].values.copy()
    times[100:] += 30.0
    problems = plugin.validate(array.assign_coords(time=times))
    assert problems == [
        "timestamps jump by 30.1 s at sample 100 (more than max_gap_seconds=1); split the "
        "recording at the gap."
    ]


def test_acceleration_and_gyro_ranges() -> None:
    array = recording()
    array.values[:3, 10] = [20.0, 0.0, 0.0]
    array.values[4, 30] = -60.0
    problems = plugin.validate(array)
    assert problems[0].startswith("acceleration reaches 20 g at sample 10, beyond the plausible 16")
    assert problems[1].startswith("angular rate reaches 60 rad/s at sample 30")
    assert "{gyr_units: deg/s}" in problems[1]
    assert plugin.validate(array, max_abs_g=32, max_abs_rad_s=100) == []


def test_accelerometer_only_array_is_checked_on_its_channels() -> None:
    array = recording().sel(channel=["acc_x", "acc_y", "acc_z"])
    assert plugin.validate(array) == []


def test_short_recording() -> None:
    array = recording(seconds=1.0, rate=20.0)
    assert plugin.validate(array) == [
        "the recording lasts 1 s (20 samples at 20 Hz), shorter than min_seconds=2."
    ]
    assert plugin.validate(array, min_seconds=0.5) == []
    with pytest.raises(ValueError, match=r"min_seconds: value 'long': Input should be a valid num"):
        plugin.validate(array, min_seconds="long")


def test_layout_problems_stop_early() -> None:
    array = recording().transpose("time", "channel")
    array.attrs["sampling_rate"] = "fast"
    assert plugin.validate(array) == [
        "dims are ('time', 'channel'), expected ('channel', 'time').",
        "attr sampling_rate='fast' is not a positive number of Hz.",
    ]
