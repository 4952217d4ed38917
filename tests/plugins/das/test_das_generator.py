"""The synthetic DAS generator: physics measured on its records, labels, the demo archive.

References are independent of the generator: arrival times are picked from the samples
(Hilbert envelope) and fitted with scipy, the vehicle is tracked from its strain-rate
lobes, and the archive is read back with DASCore.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import least_squares
from scipy.signal import hilbert

from plugins.das import spec
from plugins.das.generator import (
    DEMO_CYCLE,
    DETECTION_LABELS,
    EVENT_CLASSES,
    Grid,
    Quake,
    Scene,
    Vehicle,
    example_array,
    render,
    synthetic_record,
    write_demo_archive,
)

GRID = Grid()  # 128 channels 10 m apart, 4 s at 250 Hz
QUIET = {"noise_std": 1e-9, "common_mode_std": 5e-10, "ambient_std": 5e-10, "site_sigma": 0.3}


def quake(vp: float, offset: float, x0: float) -> Quake:
    return Quake(x0_m=x0, offset_m=offset, origin_s=0.3, vp_mps=vp, vs_mps=vp / 1.73,
                 p_hz=20.0, s_hz=10.0, s_amplitude=1.5e-7, p_amplitude=5e-8, q=150.0,
                 coda_s=0.3)


def envelope(values: np.ndarray) -> np.ndarray:
    return np.abs(hilbert(values, axis=1))


def pick_p_and_s(values: np.ndarray, grid: Grid) -> tuple[np.ndarray, np.ndarray]:
    """S: the strongest arrival per channel; P: the strongest before it (0.1 s margin)."""
    env, t = envelope(values), grid.time
    s = t[env.argmax(axis=1)]
    p = t[np.where(t[None, :] < s[:, None] - 0.1, env, 0.0).argmax(axis=1)]
    return p, s


def fit_hyperbolas(p: np.ndarray, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Origin time, x0, offset, vp, vs fitted to both phases (robust least squares)."""

    def residuals(params: np.ndarray) -> np.ndarray:
        t0, x0, offset, vp, vs = params
        r = np.hypot(offset, x - x0)
        return np.concatenate([t0 + r / vp - p, t0 + r / vs - s])

    start = [0.0, x[np.argmin(s)], 500.0, 2000.0, 1200.0]
    bounds = ([-5.0, -5000.0, 1.0, 100.0, 50.0], [5.0, 5000.0, 1e4, 1e4, 1e4])
    fit = least_squares(residuals, start, loss="soft_l1", f_scale=0.01, bounds=bounds)
    return fit.x


@pytest.mark.parametrize(("vp", "offset", "x0"), [(2000, 500, 640), (2500, 600, 300),
                                                 (3000, 700, 900)])
def test_picked_arrivals_follow_the_injected_hyperbolic_moveout(vp, offset, x0) -> None:
    injected = quake(vp, offset, x0)
    values = render(Scene("earthquake", quakes=(injected,), **QUIET), GRID,
                    np.random.default_rng(0))
    p, s = pick_p_and_s(values, GRID)
    t0, fx0, foffset, fvp, fvs = fit_hyperbolas(p, s, GRID.distance)
    assert t0 == pytest.approx(0.3, abs=0.02)
    assert fx0 == pytest.approx(x0, abs=20.0)
    assert foffset == pytest.approx(offset, rel=0.05)
    assert fvp == pytest.approx(vp, rel=0.03)
    assert fvs == pytest.approx(vp / 1.73, rel=0.03)
    assert fvp / fvs == pytest.approx(1.73, rel=0.03)
    assert np.median(np.abs(s - injected.arrivals(GRID.distance, "S"))) < 2 * GRID.time_step_s


@pytest.mark.parametrize("grid", [GRID, Grid(channels=64, samples=512)])
@pytest.mark.parametrize("seed", range(6))
def test_drawn_quakes_arrive_where_their_scene_says(grid: Grid, seed: int) -> None:
    array, scene = synthetic_record("earthquake", seed, grid)
    (event,) = scene.quakes
    assert event.vp_mps / event.vs_mps == pytest.approx(1.73, rel=0.031)
    assert event.s_hz < event.p_hz
    s = grid.time[envelope(array.values[0].astype(np.float64)).argmax(axis=1)]
    alive = np.setdiff1d(np.arange(grid.channels), scene.dead)
    error = np.abs(s - event.arrivals(grid.distance, "S"))[alive]
    assert np.median(error) < 0.25 / event.s_hz  # within a quarter period of the S pulse


def test_a_vehicle_moves_along_the_fibre_at_its_speed() -> None:
    car = Vehicle(x_m=640.0, t_s=2.0, speed_mps=-18.0, width_m=30.0, amplitude=3e-8,
                  vibration=1e-8, wave_mps=300.0, decay_m=60.0)
    values = render(Scene("vehicle", vehicles=(car,), **QUIET), GRID, np.random.default_rng(1))
    # The strain-rate lobes of the moving bump lie symmetric about the car.
    mean = np.ones(25) / 25  # a 0.1 s running mean keeps the slow bump, drops the shaking
    smooth = np.apply_along_axis(lambda v: np.convolve(v, mean, mode="same"), 1, values)
    x = GRID.distance
    centre = (x[smooth.argmax(axis=0)] + x[smooth.argmin(axis=0)]) / 2
    speed, _ = np.polyfit(GRID.time[25:-25], centre[25:-25], 1)
    assert speed == pytest.approx(-18.0, rel=0.1)


def test_dead_channels_are_faint_and_only_those() -> None:
    array, scene = synthetic_record("noise", 4, GRID, dead_channels=(3, 3))
    rms = np.sqrt((array.values[0].astype(np.float64) ** 2).mean(axis=1))
    faint = np.flatnonzero(rms < 1e-3 * np.median(rms))
    assert len(scene.dead) == 3 and faint.tolist() == list(scene.dead)


def test_records_are_seeded() -> None:
    first, again, other = (synthetic_record("vehicle", s, GRID)[0] for s in (5, 5, 6))
    assert np.array_equal(first.values, again.values)
    assert not np.allclose(first.values, other.values)


def test_example_follows_the_reader_contract() -> None:
    array = example_array(0)
    assert array.dims == spec.DIMS and array.shape == (1, 128, 1000)
    assert array["channel"].values.tolist() == [spec.QUANTITY]
    assert np.allclose(np.diff(array["time"].values), 1 / spec.TARGET_RATE_HZ)
    assert np.allclose(np.diff(array["distance"].values), 10.0)
    assert array.attrs[spec.TIME_STEP] == pytest.approx(0.004)
    assert array.attrs[spec.DISTANCE_STEP] == 10.0
    assert array.attrs[spec.QUANTITY_ATTR] == spec.QUANTITY
    assert array.attrs[spec.UNITS] == "1/s"
    assert array.attrs[spec.START_TIME].endswith("Z")
    assert np.isfinite(array.values).all() and array.dtype == np.float32
    assert np.array_equal(example_array(0).values, array.values)
    assert not np.allclose(example_array(1).values, array.values)


def test_unknown_event_class_is_refused() -> None:
    with pytest.raises(ValueError, match="event_class 'quake' is not one of"):
        synthetic_record("quake", 0)


# the demo archive ---------------------------------------------------------------------------
SMALL = Grid(channels=16, samples=200)
FILES = 8


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("das-demo")
    write_demo_archive(folder, seed=3, files=FILES, grid=SMALL)
    return folder


def rows(folder: Path) -> list[dict[str, str]]:
    with (folder / "labels.csv").open() as handle:
        return list(csv.DictReader(handle))


def test_archive_labels_are_the_injected_scenes(archive: Path) -> None:
    table = rows(archive)
    assert [r["file"] for r in table] == [f"das_{i:03d}.h5" for i in range(FILES)]
    assert set(table[0]) == {"file", "label", "event_class"}
    for index, row in enumerate(table):
        _, scene = synthetic_record(row["event_class"], [3, index], SMALL)
        assert row["event_class"] == DEMO_CYCLE[index % len(DEMO_CYCLE)] == scene.event_class
        assert row["label"] == scene.label == ("event" if scene.quakes else "noise")
        assert bool(scene.vehicles) == (row["event_class"] == "vehicle")
        assert bool(scene.impulses) == (row["event_class"] == "impulsive")
    assert {r["event_class"] for r in table} == set(EVENT_CLASSES)
    assert set(DETECTION_LABELS) == set(EVENT_CLASSES)
    assert "SYNTHETIC" in (archive / "README.txt").read_text()


def test_dascore_reads_the_archive_as_written(archive: Path) -> None:
    dc = pytest.importorskip("dascore")
    for index, row in enumerate(rows(archive)):
        path = archive / row["file"]
        assert dc.get_format(str(path))[0] == "DASDAE"
        patch = dc.spool(str(path))[0]
        expected, _ = synthetic_record(row["event_class"], [3, index], SMALL)
        assert patch.dims == ("distance", "time")
        assert np.array_equal(patch.data, expected.values[0])
        assert np.allclose(patch.get_coord("distance").values, SMALL.distance)
        step = patch.get_coord("time").step / np.timedelta64(1, "s")
        assert step == pytest.approx(SMALL.time_step_s)
        assert patch.attrs.data_units == dc.get_quantity("1/s")
        assert patch.attrs.data_type == "strain_rate"
        assert float(patch.attrs.gauge_length) == SMALL.gauge_length_m
        assert path.stat().st_size < 100_000


def test_the_archive_is_seeded(archive: Path, tmp_path: Path) -> None:
    write_demo_archive(tmp_path / "again", seed=3, files=FILES, grid=SMALL)
    write_demo_archive(tmp_path / "other", seed=4, files=FILES, grid=SMALL)
    assert (tmp_path / "again" / "labels.csv").read_bytes() == (archive / "labels.csv").read_bytes()
    dc = pytest.importorskip("dascore")
    first, again, other = (
        dc.spool(str(folder / "das_000.h5"))[0].data
        for folder in (archive, tmp_path / "again", tmp_path / "other")
    )
    assert np.array_equal(first, again) and not np.allclose(first, other)
