"""Speech validation: each bad clip gets its own reason; thresholds follow the options."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import xarray as xr

from plugins.speech import plugin
from plugins.speech.readers import WAV_READER
from plugins.speech.validate import validate_array
from sslsci.plugins import OptionsError


def clip(values: np.ndarray, rate: float | None = 16000.0) -> xr.DataArray:
    array = xr.DataArray(np.atleast_2d(values).astype(np.float32), dims=("channel", "time"))
    if rate is not None:
        array.attrs["sampling_rate"] = rate
    return array


def read_wav(path: Path) -> xr.DataArray:
    return next(iter(WAV_READER.read(str(path)))).array


def test_real_fsdd_clips_are_valid(fsdd: Path) -> None:
    for path in sorted(fsdd.glob("*.wav"))[::100]:
        assert validate_array(read_wav(path)) == [], path


def test_good_tones_are_valid(make_tones) -> None:
    assert validate_array(clip(make_tones(16000, 0.5).T)) == []


def test_all_silence_wav(tmp_path: Path) -> None:
    path = tmp_path / "silence.wav"
    sf.write(path, np.zeros(8000, dtype=np.float32), 16000)
    (problem,) = validate_array(read_wav(path))
    assert problem.startswith("the clip is silent") and "-inf dBFS" in problem


def test_quiet_but_not_silent_depends_on_threshold(make_tones) -> None:
    quiet = clip(make_tones(16000, 0.5).T * 10 ** (-70 / 20))  # peak about -76 dBFS
    assert any("silent" in p for p in validate_array(quiet))
    assert validate_array(quiet, silence_dbfs=-90) == []


def test_nan_float_wav(tmp_path: Path, make_tones) -> None:
    values = make_tones(16000, 0.5)[:, 0]
    values[[100, 2000, 2001]] = [np.nan, np.inf, np.nan]
    path = tmp_path / "nan.wav"
    sf.write(path, values, 16000, subtype="FLOAT")
    (problem,) = validate_array(read_wav(path))
    assert "3 samples are not finite" in problem and "first at sample 100" in problem


def test_rate_below_minimum(tmp_path: Path, make_tones) -> None:
    path = tmp_path / "bat_detector.wav"
    sf.write(path, make_tones(6000, 0.5)[:, :1] * 0.5, 6000)
    (problem,) = validate_array(read_wav(path))
    assert "6000 Hz is below min_rate=8000 Hz" in problem
    assert validate_array(read_wav(path), min_rate=4000) == []


def test_missing_or_bad_sample_rate() -> None:
    (problem,) = validate_array(clip(np.ones(100) * 0.1, rate=None))
    assert "sample rate is missing" in problem
    (problem,) = validate_array(clip(np.ones(100) * 0.1, rate=-5.0))
    assert "sampling_rate=-5.0" in problem


def test_empty_and_too_short(make_tones) -> None:
    assert validate_array(clip(np.zeros((1, 0)))) == ["the clip holds no samples (zero length)."]
    (problem,) = validate_array(clip(make_tones(16000, 0.05).T))
    assert "lasts 0.05 s" in problem and "min_seconds=0.1" in problem
    assert validate_array(clip(make_tones(16000, 0.05).T), min_seconds=0.01) == []


def test_clipping_ratio(make_tones) -> None:
    loud = np.clip(make_tones(16000, 0.5).T * 4.0, -1.0, 1.0)
    (problem,) = validate_array(clip(loud))
    ratio = float((np.abs(loud) >= 0.999).mean())
    assert problem.startswith("the clip is clipped") and f"{ratio:.1%}" in problem
    assert validate_array(clip(loud), max_clipped_ratio=0.9) == []


def test_wrong_dims() -> None:
    array = xr.DataArray(np.zeros((10, 1), np.float32), dims=("time", "channel"))
    array.attrs["sampling_rate"] = 16000.0
    assert validate_array(array) == ["dims are ('time', 'channel'), expected ('channel', 'time')."]


@pytest.mark.parametrize("name", ["min_seconds", "silence_dbfs"])
def test_options_must_be_numbers(name: str, make_tones) -> None:
    with pytest.raises(OptionsError, match=rf"{name}: value 'loud': .*valid number"):
        plugin.parse_options({name: "loud"})
    with pytest.raises(OptionsError, match=f"{name}: value 'loud'"):
        plugin.validate(clip(make_tones(16000, 0.5).T), **{name: "loud"})


def test_thresholds_are_range_checked() -> None:
    with pytest.raises(OptionsError, match="max_clipped_ratio: value 2"):
        plugin.parse_options({"max_clipped_ratio": 2})
    with pytest.raises(OptionsError, match="min_rate: value 0"):
        plugin.parse_options({"min_rate": 0})
    assert plugin.parse_options({"min_seconds": "0.5"}).min_seconds == 0.5
