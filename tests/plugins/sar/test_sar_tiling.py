"""Tiling: a small generated scene is cut into tiles that cover it exactly, each read by
window and equal to rasterio's whole read; nodata fractions are right, over-threshold
tiles are refused with a reason, and blocks group neighbouring tiles."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import rasterio
import xarray as xr

from plugins.sar import spec
from plugins.sar.generator import write_scene_geotiff
from plugins.sar.readers import DATACUBE_READER, GEOTIFF_READER
from plugins.sar.tiling import NODATA_FILL, TileGrid

HEIGHT, WIDTH, TILE = 300, 260, 128
NODATA_COLUMNS = 100


@pytest.fixture(scope="module")
def scene(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("scene") / "scene.tif"
    return write_scene_geotiff(path, HEIGHT, WIDTH, seed=3, nodata_columns=NODATA_COLUMNS)


def _records(path: Path, plugin, **options):
    return list(
        GEOTIFF_READER.read(str(path), **plugin.option_values({"tile_size": TILE, **options}))
    )


def test_tiles_cover_the_scene_and_equal_a_whole_read(scene: Path, sar_plugin) -> None:
    records = _records(scene, sar_plugin)
    with rasterio.open(scene) as ds:
        whole = ds.read()
    rows, cols = math.ceil(HEIGHT / TILE), math.ceil(WIDTH / TILE)
    assert len(records) == rows * cols
    covered = np.zeros((HEIGHT, WIDTH), dtype=int)
    for record in records:
        y0, x0, h, w = record.array.attrs["window"]
        row, col = record.array.attrs[spec.TILE]
        assert (y0, x0) == (row * TILE, col * TILE) and record.item == f"tile_{row}_{col}"
        covered[y0 : y0 + h, x0 : x0 + w] += 1
        expected = whole[:, y0 : y0 + h, x0 : x0 + w]
        got = record.array.values
        nan = np.isnan(expected)
        np.testing.assert_array_equal(got[~nan], expected[~nan])
        assert np.all(got[nan] == NODATA_FILL)  # NaN nodata stands as a finite fill value
    assert np.all(covered == 1)


def test_tile_transforms_are_the_window_transforms(scene: Path, sar_plugin) -> None:
    with rasterio.open(scene) as ds:
        for record in _records(scene, sar_plugin):
            y0, x0, h, w = record.array.attrs["window"]
            expected = ds.window_transform(rasterio.windows.Window(x0, y0, w, h))
            assert tuple(record.array.attrs[spec.TRANSFORM]) == tuple(expected)[:6]


def test_nodata_fraction_per_tile(scene: Path, sar_plugin) -> None:
    for record in _records(scene, sar_plugin):
        _, x0, _, w = record.array.attrs["window"]
        blank = max(0, min(w, NODATA_COLUMNS - x0))
        assert record.array.attrs[spec.NODATA_FRACTION] == pytest.approx(blank / w)


def test_over_threshold_tiles_are_refused_with_a_reason(scene: Path, sar_plugin) -> None:
    refused = {}
    for record in _records(scene, sar_plugin):
        problems = sar_plugin.validate(record.array, tile_size=TILE)
        if problems:
            refused[record.item] = problems
    # column 0 tiles are 100/128 = 78% nodata (> 0.5); the others have none
    assert sorted(refused) == ["tile_0_0", "tile_1_0", "tile_2_0"]
    assert "78% nodata, above max_nodata_fraction 0.5" in refused["tile_0_0"][0]
    kept = _records(scene, sar_plugin, max_nodata_fraction=0.9)
    assert all(sar_plugin.validate(r.array, max_nodata_fraction=0.9) == [] for r in kept)


def test_blocks_group_neighbouring_tiles(scene: Path, sar_plugin) -> None:
    one = {r.item: r.labels["block"] for r in _records(scene, sar_plugin, block_tiles=100)}
    assert len(set(one.values())) == 1  # the whole scene lies in one 100-tile block
    small = {r.item: r.labels["block"] for r in _records(scene, sar_plugin, block_tiles=1)}
    assert len(set(small.values())) >= 4  # 1-tile blocks split the 3 x 3 tiles


def test_tile_grid_windows_partition_any_size() -> None:
    for height, width, size in ((1, 1, 16), (17, 33, 16), (64, 64, 16), (100, 7, 30)):
        grid = TileGrid(height, width, size)
        area = sum(h * w for _, _, (_, _, h, w) in grid.windows())
        assert area == height * width


def test_datacube_tiles_equal_xarray_whole_read(tmp_path: Path, sar_plugin) -> None:
    rng = np.random.default_rng(0)
    values = (-15.0 + 3.0 * rng.standard_normal((2, 70, 50))).astype(np.float32)
    cube = xr.DataArray(
        values,
        dims=("polarisation", "y", "x"),
        coords={
            "polarisation": ["VH", "VV"],
            "y": 5e6 - 10.0 * np.arange(70),
            "x": 4e5 + 10.0 * np.arange(50),
        },
        name="sigma0",
    ).rio.write_crs("EPSG:32633")
    path = tmp_path / "cube.nc"
    cube.to_dataset().to_netcdf(path, engine="scipy")
    assert DATACUBE_READER.sniff(str(path), path.read_bytes()[:4096])
    records = list(DATACUBE_READER.read(str(path), **sar_plugin.option_values({"tile_size": 32})))
    assert len(records) == 3 * 2
    for record in records:
        y0, x0, h, w = record.array.attrs["window"]
        # channels come back in the declared order VV, VH (the file stores VH first)
        np.testing.assert_array_equal(record.array.values, values[::-1, y0 : y0 + h, x0 : x0 + w])
        assert record.array.attrs[spec.CRS] is not None


def test_datacube_time_steps_are_scenes(tmp_path: Path, sar_plugin) -> None:
    rng = np.random.default_rng(1)
    times = np.array(["2021-03-01T05:30:00", "2021-03-13T05:30:00"], dtype="datetime64[ns]")
    shape = (2, 40, 40)
    cube = xr.Dataset(
        {
            pol: (("time", "y", "x"), (-15.0 + 3 * rng.standard_normal(shape)).astype(np.float32))
            for pol in ("Sigma0_VV", "Sigma0_VH")
        },
        coords={"time": times, "y": 5e6 - 10.0 * np.arange(40), "x": 4e5 + 10.0 * np.arange(40)},
    ).rio.write_crs("EPSG:32633")
    path = tmp_path / "cube.zarr"
    cube.to_zarr(path, zarr_format=2, consolidated=True)
    assert DATACUBE_READER.sniff(str(path), b"")
    records = list(DATACUBE_READER.read(str(path), **sar_plugin.option_values({"tile_size": 32})))
    assert [r.item for r in records[:5]] == [
        "t0_tile_0_0",
        "t0_tile_0_1",
        "t0_tile_1_0",
        "t0_tile_1_1",
        "t1_tile_0_0",
    ]
    assert records[0].array.attrs[spec.ACQUISITION_TIME] == "2021-03-01T05:30:00Z"
    assert records[4].array.attrs[spec.ACQUISITION_TIME] == "2021-03-13T05:30:00Z"
    assert records[0].labels["block"] == records[4].labels["block"]  # same ground, both dates
    np.testing.assert_array_equal(records[5].array.values[1], cube["Sigma0_VH"].values[1, :32, 32:])


def test_netcdf4_cube_needs_an_hdf5_engine(tmp_path: Path, sar_plugin) -> None:
    import h5py

    from plugins.sar.readers_datacube import hdf5_engine

    path = tmp_path / "cube4.nc"
    with h5py.File(path, "w") as handle:
        for name, size in (("y", 20), ("x", 30)):
            handle[name] = np.arange(size, dtype=float)
            handle[name].make_scale(name)
        for pol in ("VV", "VH"):
            data = handle.create_dataset(pol, data=np.zeros((20, 30), dtype=np.float32))
            data.dims[0].attach_scale(handle["y"])
            data.dims[1].attach_scale(handle["x"])
    assert DATACUBE_READER.sniff(str(path), path.read_bytes()[:4096])
    if hdf5_engine() is None:
        with pytest.raises(ValueError, match="pip install h5netcdf"):
            list(DATACUBE_READER.read(str(path), **sar_plugin.option_values({})))
