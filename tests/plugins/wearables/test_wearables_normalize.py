"""normalize(): target rate and length, frequency kept, irregular timestamps, layout."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plugins.wearables import plugin
from plugins.wearables.arrays import build_array
from plugins.wearables.readers_ts import TsReader

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "wearables"


def dominant_hz(signal: np.ndarray, rate: float) -> float:
    spectrum = np.abs(np.fft.rfft(signal - signal.mean()))
    return float(np.fft.rfftfreq(signal.size, 1.0 / rate)[np.argmax(spectrum)])


def sine_array(rate: float, seconds: float, hz: float, times: np.ndarray | None = None):
    t = np.arange(int(seconds * rate)) / rate if times is None else times
    values = np.stack([np.sin(2 * np.pi * hz * t), np.cos(2 * np.pi * hz * t), 1.0 + 0 * t])
    return build_array(values, ["acc_x", "acc_y", "acc_z"], rate=rate, source="s", times=times)


def test_10_to_30_hz_length_and_frequency() -> None:
    array = sine_array(rate=10.0, seconds=10.0, hz=1.5)
    out = plugin.normalize(array)
    assert out.dims == ("channel", "time")
    assert out.shape == (3, 300)
    assert out.dtype == np.float32
    assert out.attrs["sampling_rate"] == 30.0
    assert out.attrs["original_sampling_rate"] == 10.0
    assert dominant_hz(out.values[0], 30.0) == pytest.approx(1.5, abs=0.1)
    t = np.arange(300) / 30.0
    inner = slice(15, 285)  # away from the filter's edge transients
    np.testing.assert_allclose(out.values[0, inner], np.sin(2 * np.pi * 1.5 * t[inner]), atol=0.05)
    # gravity's constant offset does not ring at the edges (line padding)
    np.testing.assert_allclose(out.values[2], 1.0, atol=1e-3)


def test_downsampling_100_to_30_keeps_the_signal_and_removes_aliases() -> None:
    t = np.arange(1000) / 100.0
    values = np.stack([np.sin(2 * np.pi * 2.0 * t) + 0.5 * np.sin(2 * np.pi * 40.0 * t)])
    array = build_array(values, ["acc_x"], rate=100.0, source="s")
    out = plugin.normalize(array)
    assert out.shape == (1, 300)
    assert dominant_hz(out.values[0], 30.0) == pytest.approx(2.0, abs=0.1)
    # 40 Hz is above the new Nyquist (15 Hz); unfiltered it would alias to 10 Hz
    spectrum = np.abs(np.fft.rfft(out.values[0]))
    freqs = np.fft.rfftfreq(300, 1 / 30.0)
    assert spectrum[np.argmin(np.abs(freqs - 10.0))] < 0.02 * spectrum.max()


def test_target_rate_option_and_same_rate_is_untouched() -> None:
    array = sine_array(rate=30.0, seconds=4.0, hz=2.0)
    out = plugin.normalize(array)
    np.testing.assert_allclose(out.values, array.values.astype(np.float32))
    assert "time" not in out.coords
    assert plugin.normalize(array, target_rate=50).shape == (3, 200)
    with pytest.raises(ValueError, match=r"target_rate: value 0: Input should be greater than 0"):
        plugin.normalize(array, target_rate=0)


def test_irregular_timestamps_are_interpolated() -> None:
    rng = np.random.default_rng(8)
    steps = rng.uniform(0.03, 0.07, size=400)  # ~20 Hz with heavy jitter
    times = np.concatenate([[0.0], np.cumsum(steps)])
    array = sine_array(rate=20.0, seconds=0, hz=1.0, times=times)
    out = plugin.normalize(array)
    expected_len = int(np.floor(times[-1] * 20.0)) + 1
    assert out.shape[1] == int(np.ceil(expected_len * 30 / 20))
    assert out.attrs["interpolated_from_irregular_timestamps"] is True
    t = np.arange(out.shape[1]) / 30.0
    inner = slice(30, -30)
    np.testing.assert_allclose(out.values[0, inner], np.sin(2 * np.pi * t[inner]), atol=0.03)


def test_channels_are_put_in_spec_order() -> None:
    values = np.arange(4 * 60, dtype=float).reshape(4, 60)
    array = build_array(values, ["gyr_x", "acc_z", "acc_x", "temp"], rate=30.0, source="s")
    out = plugin.normalize(array)
    assert list(out.coords["channel"].values) == ["acc_x", "acc_z", "gyr_x", "temp"]
    np.testing.assert_array_equal(out.sel(channel="gyr_x").values, values[0])


def test_basic_motions_normalizes_to_300_samples() -> None:
    path = DATA / "BasicMotions_TEST.ts"
    if not path.is_file():
        pytest.skip(f"real sample data {path} is absent")
    for record in TsReader().read(str(path), sampling_rate=10, acc_units="m/s^2"):
        out = plugin.normalize(record.array, sampling_rate=10, acc_units="m/s^2")
        assert out.shape == (6, 300)
        assert plugin.validate(out) == []
