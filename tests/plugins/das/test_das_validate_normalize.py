"""DAS validate and normalize: bad channels, steps and sizes found and named; conversion to
strain rate as DASCore does it, anti-aliased decimation, band-pass, robust scaling,
idempotence; and the modules through the plugin kit's own checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from plugins.das import spec
from plugins.das.normalize import normalize_array, phase_to_strain_factor
from plugins.das.options import DasOptions, NormalizeOptions
from plugins.das.readers import READERS
from plugins.das.samples import section, write_samples
from plugins.das.validate import bad_channels, validate_array
from sslsci.plugins import Backbone, OptionsError, Plugin
from sslsci.testing import checks
from sslsci.views import RandomCrop

REAL = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "das"
# normalize: conversions only (no masking, filters or scaling); KEEP_RATE: no decimation
RAW = {"detrend": None, "band": None, "robust_scale": False, "bad_channels": "report"}
KEEP_RATE = {**RAW, "target_rate_hz": 1e6}


def record(values: np.ndarray, dt: float = 0.002, dx: float = 2.0, **attrs) -> xr.DataArray:
    """A record as the readers give it, (distance, time) with the spec's attrs."""
    channels, samples = values.shape
    quantity = attrs.pop("quantity", "strain_rate")
    array = xr.DataArray(
        values[np.newaxis],
        dims=spec.DIMS,
        coords={
            "channel": [quantity],
            "distance": np.arange(channels) * dx,
            "time": np.arange(samples) * dt,
        },
    )
    array.attrs.update(
        {
            spec.TIME_STEP: dt,
            spec.DISTANCE_STEP: dx,
            spec.START_TIME: "2024-03-01T12:00:00.000000000Z",
            spec.UNITS: "1/s",
            spec.QUANTITY_ATTR: quantity,
            spec.GAUGE_LENGTH: 10.0,
            spec.FORMAT: "test",
            spec.FORMAT_VERSION: "1",
            spec.SOURCE: "test",
        }
    )
    array.attrs.update(attrs)
    return array


def spoiled() -> np.ndarray:
    """A clean section with one channel of each kind of bad: dead 2, flatlined 5,
    clipped 8, far out 11."""
    values = section(0)
    values[2] = 0.25
    values[5, 200:800] = values[5, 199]
    rail = np.abs(values).max()
    values[8] = np.clip(values[8] * 50, -rail, rail)
    values[11] *= 1000.0
    return values


def test_clean_section_is_valid() -> None:
    assert validate_array(record(section(0))) == []
    assert validate_array(record(section(0)), bad_channels="report") == []


def test_each_kind_of_bad_channel_is_found_and_reported() -> None:
    from plugins.das.options import ValidateOptions

    found = bad_channels(spoiled(), ValidateOptions())
    assert {k: v.tolist() for k, v in found.items()} == {
        "dead": [2],
        "flatlined": [5],
        "clipped": [8],
        "far_out": [11],
    }
    problems = validate_array(record(spoiled()), bad_channels="report")
    assert problems == [
        "1 channel(s) dead (constant, or RMS below dead_rms_ratio x the median): 2 (4 m); set "
        "bad_channels: mask to zero them instead, or exclude the file.",
        "1 channel(s) flatlined (one value repeated for flatline_fraction of the record): "
        "5 (10 m); set bad_channels: mask to zero them instead, or exclude the file.",
        "1 channel(s) clipped (flat-topped: clip_fraction of samples held at the channel's peak): "
        "8 (16 m); set "
        "bad_channels: mask to zero them instead, or exclude the file.",
        "1 channel(s) far out (RMS beyond far_rms_ratio x or / the median): 11 (22 m); set "
        "bad_channels: mask to zero them instead, or exclude the file.",
    ]


def test_masked_bad_channels_are_zeroed_and_listed() -> None:
    array = record(spoiled())
    assert validate_array(array) == []  # mask: only noted
    out = normalize_array(array)
    values = out.values[0]
    assert out.attrs["masked_distance_m"] == [4.0, 10.0, 16.0, 22.0]
    assert (values[[2, 5, 8, 11]] == 0).all()
    assert (np.abs(values[[0, 1, 3, 4]]).max(axis=1) > 0).all()
    assert {"step": "mask_channels", "count": 4, "value": 0.0} in out.attrs["preprocessing"]
    assert validate_array(out) == []


def test_thresholds_are_options() -> None:
    values = section(0)
    values[4] *= 30.0  # 30x the median RMS: within the default 100x
    assert validate_array(record(values), bad_channels="report") == []
    assert "far out" in validate_array(record(values), bad_channels="report", far_rms_ratio=10)[0]


def test_layout_and_step_problems() -> None:
    array = record(section(0))
    assert validate_array(array.rename(distance="x"))[0].startswith("dims are ('channel', 'x'")
    backwards = array.assign_coords(distance=array.coords["distance"].values[::-1])
    assert validate_array(backwards)[0].startswith("distance does not increase")
    small = record(section(0, channels=1, samples=8))
    assert validate_array(small) == [
        "1 samples along distance, fewer than min_channels=2; the record is too small to "
        "window: exclude it or lower the option.",
        "8 samples along time, fewer than min_time_samples=16; the record is too small to "
        "window: exclude it or lower the option.",
    ]


def test_normalize_gives_spec_dims_float32_at_the_target_rate() -> None:
    array = record(section(0), dt=0.001).transpose("time", "channel", "distance")
    out = normalize_array(array)
    assert out.dims == spec.DIMS and out.dtype == np.float32
    assert out.shape == (1, 24, 250)
    assert out.attrs[spec.TIME_STEP] == 0.004
    np.testing.assert_allclose(out.coords["time"].values, np.arange(250) * 0.004)
    assert list(out.coords["channel"].values) == [spec.QUANTITY]
    assert [s["step"] for s in out.attrs["preprocessing"]] == [
        "to_strain_rate",
        "detrend",
        "decimate",
        "band_pass",
        "robust_scale",
        "cast",
    ]


def amplitude(values: np.ndarray, dt: float, hz: float) -> float:
    """The amplitude of the ``hz`` component of each row (a Hann-windowed DFT), averaged."""
    t = np.arange(values.shape[1]) * dt
    window = np.hanning(values.shape[1])
    phasor = np.exp(-2j * np.pi * hz * t) * window
    return float(np.mean(np.abs(values @ phasor) * 2 / window.sum()))


def test_decimation_is_anti_aliased() -> None:
    t = np.arange(4000) * 0.001
    values = np.tile(np.sin(2 * np.pi * 10 * t) + np.sin(2 * np.pi * 200 * t), (4, 1))
    out = normalize_array(record(values, dt=0.001), **RAW).values[0].astype(np.float64)
    # 200 Hz would alias to 50 Hz at 250 Hz; the 10 Hz tone passes untouched.
    assert amplitude(out, 0.004, 10.0) == pytest.approx(1.0, abs=0.01)
    assert amplitude(out, 0.004, 50.0) < 0.01


def test_non_integer_rate_ratio_and_no_upsampling() -> None:
    febus_like = normalize_array(record(section(0, samples=2100), dt=1 / 1050), **RAW)
    assert febus_like.attrs[spec.TIME_STEP] == pytest.approx(0.004)  # 1050 * 5 / 21 Hz
    assert febus_like.sizes["time"] == 500
    slow = normalize_array(record(section(0, samples=400), dt=0.01))
    assert slow.attrs[spec.TIME_STEP] == 0.01 and slow.sizes["time"] == 400
    step = next(s for s in slow.attrs["preprocessing"] if s["step"] == "decimate")
    assert step["skipped"].startswith("source rate 100 Hz is at or below 250 Hz: kept")


def test_band_pass_keeps_the_band() -> None:
    t = np.arange(5000) * 0.004
    low, inside = np.sin(2 * np.pi * 0.1 * t), np.sin(2 * np.pi * 20 * t)
    values = np.tile(low + inside, (3, 1))
    out = (
        normalize_array(
            record(values, dt=0.004), detrend=None, robust_scale=False, band=(1.0, 60.0)
        )
        .values[0]
        .astype(np.float64)
    )
    core = out[:, 500:-500]
    np.testing.assert_allclose(core, np.tile(inside[500:-500], (3, 1)), atol=0.02)


def test_distance_decimation() -> None:
    out = normalize_array(record(section(0, channels=30), dx=1.0), target_distance_step_m=4.0)
    assert out.sizes["distance"] == 8 and out.attrs[spec.DISTANCE_STEP] == 4.0
    np.testing.assert_allclose(out.coords["distance"].values, np.arange(8) * 4.0)


def test_robust_scaling_per_channel() -> None:
    values = section(0) * np.arange(1, 25)[:, None] + 100.0
    out = normalize_array(record(values), detrend=None, band=None).values[0].astype(np.float64)
    median = np.median(out, axis=1)
    mad = np.median(np.abs(out - median[:, None]), axis=1) * 1.4826
    np.testing.assert_allclose(median, 0.0, atol=1e-5)
    np.testing.assert_allclose(mad, 1.0, rtol=1e-4)


def test_strain_becomes_strain_rate() -> None:
    t = np.arange(1000) * 0.002
    strain = np.tile(np.sin(2 * np.pi * 5 * t), (3, 1)) * 1e-6
    out = normalize_array(record(strain, quantity="strain", data_units="strain"), **KEEP_RATE)
    expected = 2 * np.pi * 5 * np.cos(2 * np.pi * 5 * t) * 1e-6  # d/dt, by hand
    np.testing.assert_allclose(
        out.values[0][:, 1:-1],
        np.tile(expected, (3, 1))[:, 1:-1],
        rtol=0,
        atol=1e-6 * 2 * np.pi * 5 * 0.01,
    )
    assert out.attrs[spec.QUANTITY_ATTR] == "strain_rate"
    assert out.attrs["source_quantity"] == "strain"
    assert out.attrs[spec.UNITS] == "(strain) / s"


def test_velocity_to_strain_rate_matches_dascore() -> None:
    import dascore as dc

    path = REAL / "terra15_v5_test_file.hdf5"
    if not path.is_file():
        pytest.skip(f"real sample data {path} is absent")
    (array,) = [r.array for r in READERS[2].read(str(path))]
    out = normalize_array(array, **KEEP_RATE)
    patch = dc.spool(str(path))[0].velocity_to_strain_rate(step_multiple=2)
    reference = patch.transpose("distance", "time").data
    np.testing.assert_allclose(out.values[0][1:-1], reference[1:-1], rtol=1e-4, atol=1e-9)


def test_phase_to_strain_rate_matches_dascore() -> None:
    import dascore as dc

    values = section(0, channels=6) * 0.1
    patch = dc.Patch(
        data=values,
        coords={
            "distance": np.arange(6) * 2.0,
            "time": np.datetime64("2024-01-01") + np.arange(1000) * np.timedelta64(2, "ms"),
        },
        dims=("distance", "time"),
        attrs={"gauge_length": 10.0, "data_type": "phase"},
    ).set_units("rad")
    strain = patch.radians_to_strain().data
    expected = np.gradient(strain, 0.002, axis=1)
    out = normalize_array(record(values, quantity="phase", data_units="rad"), **KEEP_RATE)
    np.testing.assert_allclose(out.values[0], expected, rtol=1e-5, atol=1e-12)
    assert phase_to_strain_factor(10.0) == pytest.approx(float(strain[0, 0] / values[0, 0]))
    rate = normalize_array(record(values, quantity="phase", data_units="rad/s"), **KEEP_RATE)
    np.testing.assert_allclose(rate.values[0], strain, rtol=1e-5, atol=1e-12)


def test_unknown_quantity_is_kept_and_says_so() -> None:
    out = normalize_array(record(section(0), quantity="unknown"))
    assert out.attrs[spec.QUANTITY_ATTR] == "unknown"
    assert out.attrs["preprocessing"][0]["how"].startswith("kept as recorded")


def test_normalize_is_idempotent_on_real_files() -> None:
    for name in ("prodml_2.0.h5", "febus_2.h5", "xdas_netcdf.nc", "etna_9n_3chan_10s.mseed"):
        path = REAL / name
        if not path.is_file():
            pytest.skip(f"real sample data {path} is absent")
        reader = next(r for r in READERS if r.sniff(str(path), path.read_bytes()[:4096]))
        array = next(iter(reader.read(str(path)))).array
        once = normalize_array(array)
        twice = normalize_array(once)
        np.testing.assert_array_equal(once.values, twice.values)
        assert once.attrs == twice.attrs and validate_array(once) == []


def test_options_are_checked() -> None:
    assert DasOptions().target_rate_hz == spec.TARGET_RATE_HZ
    with pytest.raises(OptionsError, match="unknown key 'segment_second'"):
        local_plugin().parse_options({"segment_second": 1})
    with pytest.raises(OptionsError, match="at or above the Nyquist frequency"):
        NormalizeOptions.pick({"band": [200, 300]})
    with pytest.raises(OptionsError, match="with 0 <= low < high"):
        NormalizeOptions.pick({"band": [10, 5]})
    with pytest.raises(OptionsError, match="bad_channels"):
        DasOptions.pick({"bad_channels": "drop"})


# through the kit ----------------------------------------------------------------------------
def example(seed: int) -> xr.DataArray:
    return record(section(seed, channels=32, samples=500), dt=0.004)


def local_plugin() -> Plugin:
    """A plugin of part A's modules with a trivial view and backbone, for the kit's checks."""
    return Plugin(
        spec=spec.SPEC,
        version="0.0.test",
        readers=READERS,
        backbones={"toy": Backbone("sslsci.nn:PatchTransformer")},
        views={"strong": lambda o: [RandomCrop((16, 16))]},
        example=example,
        options=DasOptions,
        validate=validate_array,
        normalize=normalize_array,
        samples=write_samples,
    )


@pytest.mark.parametrize(
    "check",
    [
        checks.check_options,
        checks.check_samples_read,
        checks.check_idempotent,
        checks.check_example,
    ],
)
def test_kit_checks_pass(check, tmp_path: Path) -> None:
    assert check(local_plugin(), tmp_path)
