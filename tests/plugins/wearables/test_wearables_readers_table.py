"""CSV and Parquet table readers against seeded generated files and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from plugins.wearables import plugin
from plugins.wearables.generator import write_demo_archive
from plugins.wearables.readers_table import CsvReader, ParquetReader


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return write_demo_archive(
        tmp_path / "demo", subjects=2, recordings_per_subject=3, seconds=6.0, rate=25.0, seed=3
    )


@pytest.fixture
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(11)
    n = 50
    return pd.DataFrame(
        {
            "time": np.arange(n) / 10.0,
            "acc_x": rng.normal(0, 0.1, n),
            "acc_y": rng.normal(0, 0.1, n),
            "acc_z": 1 + rng.normal(0, 0.1, n),
        }
    )


def read_one(reader, path: Path, **options):
    records = list(reader.read(str(path), **options))
    assert len(records) == 1
    return records[0]


def test_demo_archive_csv_reads_with_time_coord_and_rate(archive: Path) -> None:
    labels = pd.read_csv(archive / "labels.csv")
    for name in labels["file"]:
        path = archive / name
        record = read_one(CsvReader(), path)
        array = record.array
        text = pd.read_csv(path)
        assert array.dims == ("channel", "time")
        assert list(array.coords["channel"].values) == list(text.columns[1:])
        np.testing.assert_allclose(array.values, text.iloc[:, 1:].to_numpy().T)
        np.testing.assert_allclose(array.coords["time"].values, text["time"].to_numpy())
        assert array.attrs["sampling_rate"] == pytest.approx(25.0)
        assert array.attrs["rate_source"] == "timestamps"
        assert array.attrs["source"] == str(path)


def test_declared_rate_is_kept_and_time_is_optional(tmp_path: Path, frame: pd.DataFrame) -> None:
    path = tmp_path / "no_time.csv"
    frame.drop(columns="time").to_csv(path, index=False)
    array = read_one(CsvReader(), path, sampling_rate=12.5).array
    assert "time" not in array.coords
    assert array.attrs["sampling_rate"] == 12.5
    with pytest.raises(ValueError, match=r"no time column .*{sampling_rate: ...}"):
        read_one(CsvReader(), path)


def test_datetime_time_column_becomes_seconds(tmp_path: Path, frame: pd.DataFrame) -> None:
    start = pd.Timestamp("2024-03-01 08:00:00")
    frame["timestamp"] = start + pd.to_timedelta(frame.pop("time"), unit="s")
    path = tmp_path / "dates.csv"
    frame.to_csv(path, index=False)
    array = read_one(CsvReader(), path).array
    np.testing.assert_allclose(array.coords["time"].values, np.arange(50) / 10.0, atol=1e-9)
    assert array.attrs["start_time"] == start.isoformat()
    assert array.attrs["sampling_rate"] == pytest.approx(10.0)
    parquet = tmp_path / "dates.parquet"
    frame.to_parquet(parquet)  # a real datetime64 column, not text
    stored = read_one(ParquetReader(), parquet).array
    np.testing.assert_allclose(stored.coords["time"].values, np.arange(50) / 10.0, atol=1e-9)
    frame["timestamp"] = frame["timestamp"].astype(str)
    frame.loc[7, "timestamp"] = "yesterday"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"holds 'yesterday' at line 9, neither seconds nor"):
        read_one(CsvReader(), path)


def test_xyz_columns_and_units_option(tmp_path: Path, frame: pd.DataFrame) -> None:
    renamed = frame.rename(columns={"acc_x": "X", "acc_y": "Y", "acc_z": "Z", "time": "t"})
    renamed[["X", "Y", "Z"]] *= 9.80665
    path = tmp_path / "xyz.csv"
    renamed.to_csv(path, index=False)
    array = read_one(CsvReader(), path, acc_units="m/s^2").array
    assert list(array.coords["channel"].values) == ["acc_x", "acc_y", "acc_z"]
    np.testing.assert_allclose(array.values, frame[["acc_x", "acc_y", "acc_z"]].to_numpy().T)


def test_columns_option_maps_and_time_unit(tmp_path: Path, frame: pd.DataFrame) -> None:
    custom = pd.DataFrame(
        {
            "ms": frame["time"] * 1000,
            "wrist_a": frame["acc_x"],
            "wrist_b": frame["acc_y"],
            "battery": 3.7,
        }
    )
    path = tmp_path / "custom.csv"
    custom.to_csv(path, index=False)
    array = read_one(
        CsvReader(),
        path,
        time_column="ms",
        time_unit="ms",
        columns={"wrist_a": "acc_x", "wrist_b": "acc_y"},
    ).array
    assert list(array.coords["channel"].values) == ["acc_x", "acc_y"]
    np.testing.assert_allclose(array.coords["time"].values, frame["time"].to_numpy())
    with pytest.raises(ValueError, match=r"option columns names \['nope'\]"):
        read_one(CsvReader(), path, time_column="ms", columns=["nope"])
    with pytest.raises(ValueError, match=r"option time_column='when' is not a column"):
        read_one(CsvReader(), path, time_column="when", columns=["wrist_a"])


def test_parquet_reads_like_csv(tmp_path: Path, frame: pd.DataFrame) -> None:
    path = tmp_path / "rec.parquet"
    frame.to_parquet(path)
    reader = ParquetReader()
    assert reader.sniff(str(path), path.read_bytes()[:16])
    array = read_one(reader, path).array
    np.testing.assert_allclose(array.values, frame.iloc[:, 1:].to_numpy().T)
    assert array.attrs["sampling_rate"] == pytest.approx(10.0)


def test_sniff_by_suffix(tmp_path: Path) -> None:
    assert CsvReader().sniff("a/b/rec.CSV", b"")
    assert not CsvReader().sniff("a/b/rec.ts", b"time,acc_x\n")
    assert not ParquetReader().sniff("rec.csv", b"time,acc_x\n")


def write_csv(path: Path, text: str | bytes) -> Path:
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


GOOD = "time,acc_x,acc_y,acc_z\n0.0,0.1,0.2,1.0\n0.1,0.1,0.2,1.0\n0.2,0.1,0.2,1.0\n"
BAD_CSV = {
    "truncated": (GOOD + "0.3,0.1", r"last line has 2 of 4 fields; the file is truncated"),
    "text": (GOOD.replace("0.2,1.0\n0.2", "oops,1.0\n0.2"), r"'acc_y' holds text 'oops' at line 3"),
    "empty": ("", r"the file is empty"),
    "binary": (b"PK\x03\x04\x00\x00" + bytes(range(256)), r"holds binary data"),
    "backwards": (GOOD + "0.15,0.1,0.2,1.0\n", r"not increasing at line 5 \(0.15 s after 0.2 s\)"),
    "repeated": (GOOD + "0.2,0.1,0.2,1.0\n", r"not increasing at line 5"),
    "bad-time": (GOOD.replace("0.1,0.1", "soon,0.1"), r"column 'time' holds text 'soon' at line 3"),
    "no-rows": ("time,acc_x,acc_y,acc_z\n", r"has a header but no data rows"),
    "no-axes": ("time,foo,bar\n0,1,2\n0.1,1,2\n", r"no axis columns recognised"),
    "ragged": (GOOD + "0.3,0.1,0.2,1.0,9,9\n", r"not a well-formed CSV table"),
}


@pytest.mark.parametrize("case", sorted(BAD_CSV))
def test_bad_csv_raises_specific_errors(tmp_path: Path, case: str) -> None:
    text, message = BAD_CSV[case]
    path = write_csv(tmp_path / f"{case}.csv", text)
    with pytest.raises(ValueError, match=message) as info:
        list(CsvReader().read(str(path)))
    assert str(path) in str(info.value)


def test_bad_option_values_are_refused_by_the_options_model_before_reading() -> None:
    with pytest.raises(ValueError, match=r"sampling_rate: value -3: Input should be greater"):
        plugin.parse_options({"sampling_rate": -3})
    with pytest.raises(ValueError, match=r"acc_units: value 'furlongs': Input should be 'g'"):
        plugin.parse_options({"acc_units": "furlongs"})
    with pytest.raises(ValueError, match=r"time_unit: value 'fortnight': Input should be 's'"):
        plugin.parse_options({"time_unit": "fortnight"})


def test_corrupt_and_empty_parquet(tmp_path: Path) -> None:
    corrupt = write_csv(tmp_path / "bad.parquet", b"PAR1 this is not really parquet")
    with pytest.raises(ValueError, match=r"bad\.parquet: is not a readable Parquet file"):
        list(ParquetReader().read(str(corrupt)))
    empty = write_csv(tmp_path / "empty.parquet", b"")
    with pytest.raises(ValueError, match=r"empty\.parquet: the file is empty"):
        list(ParquetReader().read(str(empty)))


def test_nan_values_pass_through_for_validate(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "gap.csv", GOOD.replace("0.1,0.1,0.2", "0.1,NaN,0.2"))
    array = read_one(CsvReader(), path).array
    assert np.isnan(array.values[0, 1])
    assert np.isfinite(np.delete(array.values, 1, axis=1)).all()
