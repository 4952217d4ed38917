"""Bad DAS input: each file gets the specific reason ingest quarantines it with."""

from __future__ import annotations

import os
import pickle
import shutil
import tracemalloc
from pathlib import Path

import h5py
import numpy as np
import pytest

from plugins.das import spec
from plugins.das.options import DasOptions
from plugins.das.readers import READERS
from plugins.das.samples import (
    START,
    section,
    write_dasdae,
    write_mseed,
    write_segy,
    write_xdas_netcdf,
)
from plugins.das.validate import validate_array
from sslsci.ingest.checks import generic_problems
from sslsci.plugins.reader_choice import pick_reader

REAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "das"
DT, DX = 0.002, 2.0


class Readers:
    readers = READERS
    spec = spec.SPEC


def reason(path: Path, **options) -> str:
    """The quarantine reason, as ingest forms it: a reader's ValueError, else the generic
    and DAS problems of the first invalid record; '' if the file is fine."""
    values = DasOptions(**options).model_dump()
    try:
        reader = pick_reader(Readers, str(path), None)
        for record in reader.read(str(path), **values):
            problems = generic_problems(record.array, spec.SPEC)
            problems += validate_array(record.array, **values)
            if problems:
                return "; ".join(problems)
    except ValueError as exc:
        return str(exc)
    return ""


@pytest.fixture
def good(tmp_path: Path) -> Path:
    return write_dasdae(tmp_path / "good.h5", section(0), DT, DX)


def test_a_good_file_has_no_reason(good: Path) -> None:
    assert reason(good) == ""


def test_truncated_hdf5(good: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.h5"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    text = reason(cut)
    assert text.startswith(f"{cut}: a truncated HDF5 file")
    assert "re-copy it" in text


def test_hdf5_of_no_known_das_layout(tmp_path: Path) -> None:
    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as handle:
        handle["temperatures"] = np.zeros((4, 5))
        handle.create_group("calibration")
    text = reason(path)
    assert "an HDF5 file of no DAS layout DASCore knows" in text
    assert "calibration, temperatures" in text


def test_non_das_netcdf_is_claimed_by_no_das_reader(tmp_path: Path) -> None:
    path = tmp_path / "weather.nc"
    write_xdas_netcdf(path, np.zeros((10, 4)), ([0, 9], [0, 9]), ([0, 3], [0, 3]))
    with h5py.File(path, "r+") as handle:  # rename a dim: now (time, station)
        handle.move("distance", "station")
    head = path.read_bytes()[:4096]
    assert not any(reader.sniff(str(path), head) for reader in READERS)
    assert reason(path).startswith("no das reader recognises this file")


def test_time_gap_is_named_with_its_time(tmp_path: Path) -> None:
    steps = np.arange(1000) * np.timedelta64(2, "ms")
    times = START + np.where(np.arange(1000) < 400, steps, steps + np.timedelta64(500, "ms"))
    path = write_dasdae(tmp_path / "gap.h5", section(0), DT, DX, times=times)
    text = reason(path)
    assert "1 time gap(s) in a record sampled every 0.002 s" in text
    assert "0.5 s missing after t=0.798 s (2024-03-01T12:00:00.798Z)" in text


def test_time_gap_in_xdas_tie_points(tmp_path: Path) -> None:
    values = section(0).T.copy()  # (time, distance)
    ties = ([0, 499, 500, 999], [0.0, 998.0, 3000.0, 3998.0])  # 2 s missing after 998 ms
    path = write_xdas_netcdf(tmp_path / "gap.nc", values, ties, ([0, 23], [0.0, 46.0]))
    assert "2 s missing after t=0.998 s (2024-03-01T12:00:00.998Z)" in reason(path)


def test_time_overlap_is_named(tmp_path: Path) -> None:
    steps = np.arange(1000) * np.timedelta64(2, "ms")
    times = START + np.where(np.arange(1000) < 600, steps, steps - np.timedelta64(1, "ms"))
    path = write_dasdae(tmp_path / "overlap.h5", section(0), DT, DX, times=times)
    assert "1 time overlap(s)" in reason(path)


def test_nan_run_is_located(tmp_path: Path) -> None:
    values = section(0)
    values[3, 100:150] = np.nan
    path = write_dasdae(tmp_path / "nan.h5", values, DT, DX)
    text = reason(path)
    assert "1 run(s) of NaN or inf (50 samples): channel 3 (6 m) for 50 samples from " in text
    assert "t=0.2 s (2024-03-01T12:00:00.200Z) to t=0.298 s" in text


def test_all_channels_dead(tmp_path: Path) -> None:
    path = write_dasdae(tmp_path / "dead.h5", np.full((24, 1000), 3.0), DT, DX)
    for mode in ("mask", "report"):
        assert "all 24 channels are dead" in reason(path, bad_channels=mode)


def test_some_dead_channels_quarantine_only_when_reporting(tmp_path: Path) -> None:
    values = section(0)
    values[[5, 6]] = 0.0
    path = write_dasdae(tmp_path / "two_dead.h5", values, DT, DX)
    assert reason(path) == ""
    assert "2 channel(s) dead" in reason(path, bad_channels="report")
    assert "5 (10 m), 6 (12 m)" in reason(path, bad_channels="report")


def absurd_netcdf(path: Path) -> Path:
    """A NetCDF header declaring 10^9 x 10^6 samples (4 PB) in a file of a few KB."""
    write_xdas_netcdf(path, np.zeros((2, 2)), ([0, 1], [0, 2]), ([0, 1], [0, 2]))
    with h5py.File(path, "r+") as handle:
        attrs = dict(handle["__values__"].attrs)
        del handle["__values__"], handle["time"], handle["distance"]
        time = handle.create_dataset("time", shape=(10**9,), dtype="f4", chunks=(1024,))
        distance = handle.create_dataset("distance", shape=(10**6,), dtype="f4", chunks=(1024,))
        time.make_scale("time")
        distance.make_scale("distance")
        huge = handle.create_dataset(
            "__values__", shape=(10**9, 10**6), dtype="f4", chunks=(256, 256)
        )
        huge.dims[0].attach_scale(time)
        huge.dims[1].attach_scale(distance)
        huge.attrs["coordinate_interpolation"] = attrs["coordinate_interpolation"]
    return path


def test_absurd_netcdf_header_is_refused_before_allocating(tmp_path: Path) -> None:
    path = absurd_netcdf(tmp_path / "absurd.nc")
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    text = reason(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert "NetCDF variable /__values__ declares 1,000,000 channels (max_channels=500,000)" in text
    assert "1,000,000,000,000,000 samples in all (max_values=50,000,000,000)" in text
    assert "raise the option named" in text
    assert peak < 20_000_000  # bytes: nothing near the declared size was allocated


def test_absurd_prodml_header_is_refused(tmp_path: Path) -> None:
    source = REAL / "prodml_2.0.h5"
    if not source.is_file():
        pytest.skip(f"real sample data {source} is absent")
    path = tmp_path / "absurd_prodml.h5"
    shutil.copy(source, path)
    os.chmod(path, 0o644)
    with h5py.File(path, "r+") as handle:
        handle["Acquisition"].attrs["NumberOfLoci"] = np.int64(10**9)
    text = reason(path)
    assert "the PRODML header declares 1,000,000,000 channels (max_channels=500,000)" in text


def test_segy_with_inconsistent_trace_lengths(tmp_path: Path) -> None:
    import segyio

    path = write_segy(tmp_path / "odd.sgy", section(0), DT)
    with segyio.open(path, "r+", ignore_geometry=True) as handle:
        handle.header[7] = {segyio.TraceField.TRACE_SAMPLE_COUNT: 600}
    text = reason(path)
    assert "a SEG-Y file with traces of inconsistent length" in text
    assert "declares 1000 samples per trace, trace headers [7] declare [600]" in text


def test_truncated_segy(tmp_path: Path) -> None:
    path = write_segy(tmp_path / "short.sgy", section(0), DT)
    path.write_bytes(path.read_bytes()[:-1000])
    assert "a SEG-Y file with traces of unequal length or a truncated file" in reason(path)


def test_text_file_named_h5(tmp_path: Path) -> None:
    path = tmp_path / "download.h5"
    path.write_text("<html><body>404 Not Found</body></html>\n")
    text = reason(path)
    assert text.startswith(f"{path}: named .h5 but not an HDF5 file (it is text, starting")
    assert "'<html><body>404 Not Found</bod'" in text


def test_single_trace_miniseed(tmp_path: Path) -> None:
    path = write_mseed(tmp_path / "one.mseed", section(0)[:1], DT)
    assert "holds a single trace (XX.00001..HSF); a DAS array needs two or more" in reason(path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.h5"
    path.touch()
    assert "the file is empty (0 bytes)" in reason(path)


class Touch:
    """A pickle that would create a file if it were ever loaded."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_pickle_is_refused_and_never_loaded(tmp_path: Path) -> None:
    marker = tmp_path / "loaded"
    payload = pickle.dumps(["dascore.core.patch Patch", Touch(marker)], protocol=2)
    path = tmp_path / "patch.pkl"
    path.write_bytes(payload)
    text = reason(path)
    assert "a Python pickle; pickles are never loaded" in text
    assert not marker.exists()


def test_too_small_record(tmp_path: Path) -> None:
    path = write_dasdae(tmp_path / "short.h5", section(0, samples=10), DT, DX)
    assert "10 samples along time, fewer than min_time_samples=16" in reason(path)
