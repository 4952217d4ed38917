"""Device-file reader: sniffing, the missing-extra error, and the glue around actipy.

actipy needs Java and real device files, which the test data does not have; the glue
is tested with a stand-in module that returns what actipy.read_device documents: a
frame indexed by datetime with x, y, z in g (NaN where non-wear was detected).
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plugins.wearables.readers_devices import DeviceReader, MissingExtraError
from sslsci.plugins.contract import PluginError


def fake_actipy(frame: pd.DataFrame, rate: float, calls: list[dict]) -> types.ModuleType:
    module = types.ModuleType("actipy")

    def read_device(path: str, **kwargs):
        calls.append({"path": path, **kwargs})
        return frame, {"SampleRate": rate, "Device": "Axivity", "DeviceID": 1234}

    module.read_device = read_device
    return module


def worn_frame(rate: float = 50.0, seconds: float = 20.0) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    n = int(seconds * rate)
    index = pd.date_range("2024-05-01 09:00", periods=n, freq=pd.Timedelta(seconds=1 / rate))
    values = rng.normal(0, 0.05, size=(n, 3)) + np.array([0.0, 0.0, 1.0])
    frame = pd.DataFrame(values, columns=["x", "y", "z"], index=index)
    frame.index.name = "time"
    frame["temperature"] = 25.0
    return frame


def test_sniff_checks_each_format_magic() -> None:
    reader = DeviceReader()
    assert reader.sniff("a.cwa", b"MD\xfc\x03")
    assert not reader.sniff("a.cwa", b"time,x,y,z")
    assert reader.sniff("a.cwa.gz", b"\x1f\x8b\x08")
    assert reader.sniff("a.gt3x", b"PK\x03\x04rest")
    assert not reader.sniff("a.gt3x", b"MD")
    assert reader.sniff("a.bin", b"Device Identity\r\nDevice Unique Serial Code:011710")
    assert not reader.sniff("firmware.bin", b"\x7fELF")
    assert not reader.sniff("a.csv", b"MD")


def test_missing_actipy_says_which_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "actipy", None)  # makes `import actipy` fail
    path = tmp_path / "rec.cwa"
    path.write_bytes(b"MD" + bytes(100))
    with pytest.raises(MissingExtraError, match=r"pip install sslsci\[devices\]") as info:
        list(DeviceReader().read(str(path)))
    assert isinstance(info.value, PluginError)


def test_nonwear_gaps_split_records(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = worn_frame()
    frame.iloc[300:450, :3] = np.nan  # non-wear detected by actipy
    calls: list[dict] = []
    monkeypatch.setitem(sys.modules, "actipy", fake_actipy(frame, 50.0, calls))
    records = list(DeviceReader().read("rec.cwa", lowpass_hz=None, unknown_option=1))
    assert calls[0]["lowpass_hz"] is None
    assert calls[0]["detect_nonwear"] is True
    assert [r.item for r in records] == ["0", "1"]
    first, second = (r.array for r in records)
    assert first.shape == (3, 300) and second.shape == (3, 550)
    assert list(first.coords["channel"].values) == ["acc_x", "acc_y", "acc_z"]
    assert first.attrs["sampling_rate"] == 50.0
    assert first.attrs["source"] == "rec.cwa"
    assert second.coords["time"].values[0] == pytest.approx(450 / 50.0)
    assert second.attrs["start_time"] == frame.index[450].isoformat()
    np.testing.assert_allclose(second.values, frame.iloc[450:, :3].to_numpy().T, rtol=1e-6)


def test_time_gaps_split_records_and_fixed_resample_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = worn_frame(rate=25.0)
    shifted = frame.index.to_series()
    shifted.iloc[200:] += pd.Timedelta(minutes=5)  # device interrupt
    frame.index = pd.DatetimeIndex(shifted)
    monkeypatch.setitem(sys.modules, "actipy", fake_actipy(frame, 100.0, []))
    records = list(DeviceReader().read("rec.gt3x", resample_hz=25))
    assert [r.array.shape[1] for r in records] == [200, 300]
    assert records[0].array.attrs["sampling_rate"] == 25.0


def test_actipy_failure_is_reported_with_the_file(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("actipy")

    def broken(path: str, **kwargs):
        raise RuntimeError("java.io.EOFException")

    module.read_device = broken
    monkeypatch.setitem(sys.modules, "actipy", module)
    with pytest.raises(ValueError, match=r"broken\.bin: actipy could not read .*EOFException"):
        list(DeviceReader().read("broken.bin"))
