"""DAS readers: every real file agrees with DASCore's (obspy's, h5py's) own reading of it,
file order does not matter, and streaming by time segments gives the same data."""

from __future__ import annotations

import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest

from plugins.das import spec
from plugins.das.readers import DASCORE_READER, MINISEED_READER, NETCDF_READER, READERS
from plugins.das.samples import section, write_dasdae, write_mseed, write_samples
from sslsci.plugins.reader_choice import pick_reader

REAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "das"
DASCORE_FILES = [
    "febus_2.h5",
    "iDAS005_hdf5_example.626.h5",
    "prodml_2.0.h5",
    "silixa_h5_1.hdf5",
    "small_channel_patch.sgy",
    "terra15_v5_test_file.hdf5",
]


class Readers:
    """What ``pick_reader`` needs of a plugin: the readers and the spec's name."""

    readers = READERS
    spec = spec.SPEC


def real(name: str) -> Path:
    path = REAL / name
    if not path.is_file():
        pytest.skip(f"real sample data {path} is absent")
    return path


def read_all(path: Path, **options) -> list:
    reader = pick_reader(Readers, str(path), None)
    return [record.array for record in reader.read(str(path), **options)]


def as_section(array) -> np.ndarray:
    return array.transpose("channel", "distance", "time").values[0]


def seconds(step) -> float:
    return float(step / np.timedelta64(1, "ns")) / 1e9


@pytest.mark.parametrize("name", DASCORE_FILES)
def test_dascore_files_agree_with_dascore(name: str) -> None:
    import dascore as dc
    from dascore.units import get_quantity_str

    path = real(name)
    assert pick_reader(Readers, str(path), None) is DASCORE_READER
    (array,) = read_all(path, bad_channels="report")
    patch = dc.spool(str(path))[0]
    other = "distance" if "distance" in patch.dims else "channel"
    reference = patch.transpose(other, "time")
    time = reference.get_coord("time")
    assert set(array.dims) == set(spec.DIMS) and array.sizes["channel"] == 1
    assert array.sizes["distance"] == reference.shape[0]
    assert array.sizes["time"] == reference.shape[1]
    assert array.attrs[spec.TIME_STEP] == pytest.approx(seconds(time.step), rel=1e-9)
    assert array.attrs[spec.START_TIME] == f"{np.datetime_as_string(time.min(), unit='ns')}Z"
    np.testing.assert_allclose(
        array.coords["time"].values[-1], seconds(time.max() - time.min()), rtol=1e-12
    )
    if other == "distance":
        step = reference.get_coord("distance").step
        assert array.attrs[spec.DISTANCE_STEP] == pytest.approx(float(step), rel=1e-9)
        np.testing.assert_allclose(array.coords["distance"], reference.get_array("distance"))
    else:  # SEG-Y: channel numbers, no spacing declared
        assert array.attrs[spec.DISTANCE_STEP] is None
        np.testing.assert_array_equal(array.coords["distance"], reference.get_array("channel"))
    units = reference.attrs.get("data_units")
    assert array.attrs[spec.UNITS] == (None if units is None else get_quantity_str(units))
    assert (array.attrs[spec.FORMAT], array.attrs[spec.FORMAT_VERSION]) == dc.get_format(path)
    assert array.attrs[spec.SOURCE] == str(path)
    np.testing.assert_array_equal(as_section(array), reference.data)


EXPECTED = {  # what each file's header says: quantity, gauge length (m)
    "febus_2.h5": ("strain_rate", 2.0),
    "iDAS005_hdf5_example.626.h5": ("strain_rate", 10.0),
    "prodml_2.0.h5": ("strain_rate", 10.0),
    "silixa_h5_1.hdf5": ("unknown", 10.0),
    "small_channel_patch.sgy": ("unknown", None),
    "terra15_v5_test_file.hdf5": ("velocity", 2.4502857212913773),
}


@pytest.mark.parametrize("name", DASCORE_FILES)
def test_quantity_and_gauge_length_as_the_header_says(name: str) -> None:
    (array,) = read_all(real(name))
    quantity, gauge = EXPECTED[name]
    assert array.attrs[spec.QUANTITY_ATTR] == quantity
    assert list(array.coords["channel"].values) == [quantity]
    assert array.attrs[spec.GAUGE_LENGTH] == (None if gauge is None else pytest.approx(gauge))


def test_assume_quantity_fills_in_what_the_file_does_not_say() -> None:
    (array,) = read_all(real("silixa_h5_1.hdf5"), assume_quantity="strain_rate")
    assert array.attrs[spec.QUANTITY_ATTR] == "strain_rate"
    (array,) = read_all(real("prodml_2.0.h5"), assume_quantity="phase")
    assert array.attrs[spec.QUANTITY_ATTR] == "strain_rate"  # the file's own word wins


def test_febus_blank_channel_is_zeroed_when_masking_and_kept_when_reporting() -> None:
    path = real("febus_2.h5")
    (raw,) = read_all(path, bad_channels="report")
    blank = ~np.isfinite(as_section(raw)).any(axis=1)
    assert np.flatnonzero(blank).tolist() == [98]
    (masked,) = read_all(path)
    assert masked.attrs["nan_channels_m"] == [pytest.approx(raw.coords["distance"].values[98])]
    assert (as_section(masked)[98] == 0).all()
    np.testing.assert_array_equal(as_section(masked)[~blank], as_section(raw)[~blank])


def test_segy_channel_spacing_option_gives_metres() -> None:
    (array,) = read_all(real("small_channel_patch.sgy"), channel_spacing_m=4.0)
    np.testing.assert_allclose(array.coords["distance"], np.arange(10) * 4.0)
    assert array.attrs[spec.DISTANCE_STEP] == 4.0


def test_xdas_netcdf_agrees_with_its_tie_points() -> None:
    path = real("xdas_netcdf.nc")
    assert pick_reader(Readers, str(path), None) is NETCDF_READER
    (array,) = read_all(path)
    with h5py.File(path) as handle:  # the reference: the file's own tie points, by hand
        values = handle["__values__"][()]
        t_index, t_ms = handle["time_indices"][()], handle["time_values"][()]
        d_index, d_m = handle["distance_indices"][()], handle["distance_values"][()]
        assert "milliseconds since 2023-01-01" in handle["time_values"].attrs["units"]
    step_s = (t_ms[1] - t_ms[0]) / 1000 / (t_index[1] - t_index[0])
    assert array.attrs[spec.TIME_STEP] == pytest.approx(step_s)  # 20 ms
    assert array.attrs[spec.DISTANCE_STEP] == pytest.approx((d_m[1] - d_m[0]) / d_index[1])
    assert array.attrs[spec.START_TIME] == "2023-01-01T00:00:00.000000000Z"
    assert array.sizes["time"] == values.shape[0] and array.sizes["distance"] == values.shape[1]
    np.testing.assert_allclose(array.coords["distance"].values[[0, -1]], d_m)
    np.testing.assert_array_equal(as_section(array), values.T)
    assert array.attrs[spec.FORMAT] == "NetCDF" and array.attrs[spec.UNITS] is None


def test_xdas_netcdf_agrees_with_xarray_where_h5netcdf_is_installed() -> None:
    pytest.importorskip("h5netcdf")
    import xarray as xr

    path = real("xdas_netcdf.nc")
    (array,) = read_all(path)
    dataset = xr.open_dataset(path, engine="h5netcdf")
    variable = next(v for v in dataset.data_vars.values() if v.dims == ("time", "distance"))
    np.testing.assert_array_equal(as_section(array), variable.values.T)
    first = dataset["time_values"].values[0]
    assert array.attrs[spec.START_TIME] == f"{np.datetime_as_string(first, unit='ns')}Z"


def test_miniseed_array_agrees_with_obspy() -> None:
    import obspy

    path = real("etna_9n_3chan_10s.mseed")
    assert pick_reader(Readers, str(path), None) is MINISEED_READER
    (array,) = read_all(path, segment_seconds=None, channel_spacing_m=1.0)
    stream = obspy.read(str(path))
    start = max(tr.stats.starttime for tr in stream)
    stream.trim(start, min(tr.stats.endtime for tr in stream))
    common = min(tr.stats.npts for tr in stream)
    reference = np.stack([tr.data[:common] for tr in sorted(stream, key=lambda t: t.id)])
    np.testing.assert_array_equal(as_section(array), reference)
    assert array.attrs[spec.TIME_STEP] == stream[0].stats.delta
    assert array.attrs[spec.START_TIME] == f"{start.isoformat()}000Z"
    assert array.attrs[spec.DISTANCE_STEP] == 1.0
    assert (array.attrs["first_seed_id"], array.attrs["last_seed_id"]) == (
        "9N.00066..HSF",
        "9N.00068..HSF",
    )


def test_miniseed_orders_channels_by_station_number(tmp_path: Path) -> None:
    import obspy

    values = section(3, channels=12, samples=300)
    path = write_mseed(tmp_path / "array.mseed", values, 0.002)
    shuffled = obspy.read(str(path))
    shuffled.traces = shuffled.traces[::-1]
    shuffled.write(str(path), format="MSEED")
    (array,) = read_all(path, segment_seconds=None)
    np.testing.assert_array_equal(as_section(array), np.round(values * 1000))


def test_time_first_and_distance_first_files_read_the_same(tmp_path: Path) -> None:
    from plugins.das.normalize import normalize_array

    values = section(1)
    first = write_dasdae(tmp_path / "distance_first.h5", values, 0.002, 2.0)
    second = write_dasdae(tmp_path / "time_first.h5", values, 0.002, 2.0, time_first=True)
    (a,), (b,) = read_all(first), read_all(second)
    assert a.dims.index("distance") < a.dims.index("time")
    assert b.dims.index("time") < b.dims.index("distance")
    np.testing.assert_array_equal(as_section(a), as_section(b))
    np.testing.assert_array_equal(normalize_array(a).values, normalize_array(b).values)


def stream_and_whole(path: Path, segment: float, **options) -> tuple[list, object]:
    (whole,) = read_all(path, segment_seconds=None, **options)
    parts = read_all(path, segment_seconds=segment, **options)
    return parts, whole


@pytest.mark.parametrize(
    "name",
    [
        "prodml_2.0.h5",
        "terra15_v5_test_file.hdf5",
        "xdas_netcdf.nc",
        "etna_9n_3chan_10s.mseed",
        "small_channel_patch.sgy",
    ],
)
def test_streaming_segments_join_to_the_whole_file(name: str) -> None:
    path = real(name)
    parts, whole = stream_and_whole(path, 0.05)
    assert len(parts) > 1
    joined = np.concatenate([as_section(p) for p in parts], axis=1)
    np.testing.assert_array_equal(joined, as_section(whole))
    start = np.datetime64(whole.attrs[spec.START_TIME].rstrip("Z"), "ns")
    offset = 0.0
    for part in parts:  # each segment's clock starts where the previous one stopped
        begins = np.datetime64(part.attrs[spec.START_TIME].rstrip("Z"), "ns")
        assert float((begins - start) / np.timedelta64(1, "ns")) / 1e9 == pytest.approx(
            offset, abs=1e-6
        )
        assert part.coords["time"].values[0] == 0.0
        offset += part.sizes["time"] * part.attrs[spec.TIME_STEP]


def test_streaming_reads_one_time_window_per_segment(tmp_path: Path, monkeypatch) -> None:
    """DASCore is asked for one window per segment, never for the whole file."""
    import dascore as dc

    path = write_dasdae(tmp_path / "long.h5", section(2, samples=2000), 0.002, 2.0)
    windows = []
    read = dc.read

    def spy(*args, **kwargs):
        windows.append(kwargs.get("time"))
        return read(*args, **kwargs)

    monkeypatch.setattr(dc, "read", spy)
    parts = read_all(path, segment_seconds=0.5)
    assert [p.sizes["time"] for p in parts] == [250] * 8
    assert len(windows) == 8
    spans = [seconds(t1 - t0) for t0, t1 in windows]
    assert max(spans) == pytest.approx(0.5, abs=1e-9)  # 250 samples, half a step either side


def test_segment_max_values_shortens_segments(tmp_path: Path) -> None:
    path = write_dasdae(tmp_path / "wide.h5", section(4, channels=40, samples=1000), 0.002, 2.0)
    parts = read_all(path, segment_seconds=60.0, segment_max_values=40 * 300)
    assert [p.sizes["time"] for p in parts] == [300, 300, 400]  # the tail joins the last
    assert [p.sizes["distance"] for p in parts] == [40, 40, 40]


def test_samples_are_sniffed_by_their_reader_and_read(tmp_path: Path) -> None:
    from plugins.das.options import DasOptions

    samples = write_samples(tmp_path)
    assert {s.reader for s in samples} == {r.name for r in READERS}
    for sample in samples:
        assert pick_reader(Readers, str(sample.path), None).name == sample.reader
        assert sample.path.stat().st_size < 300_000
        arrays = read_all(sample.path, **DasOptions(**sample.options).model_dump())
        assert [a.shape for a in arrays] in ([(1, 24, 1000)], [(1, 1000, 24)])


def test_das_readers_claim_no_sample_of_another_plugin(tmp_path: Path) -> None:
    from sslsci.plugins.discovery import available_plugins

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        others = {n: p for n, p in available_plugins().items() if n != "das"}
    checked = 0
    for name, other in others.items():
        for sample in other.samples(tmp_path / name):
            head = b"" if sample.path.is_dir() else sample.path.read_bytes()[:4096]
            assert not any(r.sniff(str(sample.path), head) for r in READERS), sample.path
            checked += 1
    if not checked:
        pytest.skip("no other plugin with samples is installed")
