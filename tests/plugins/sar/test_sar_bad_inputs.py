"""Bad input: each case is refused with a ValueError naming the file, the problem and the
fix (or, for a tile, a validate problem that the ingest records as the skip reason)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import numpy as np
import pytest
import rasterio
import rasterio.shutil
from PIL import Image

from plugins.sar.readers import BAND_FOLDER_READER, DATACUBE_READER, GEOTIFF_READER
from sslsci.plugins.reader_choice import pick_reader

from .conftest import db_bands, write_tif


def _read(reader, path: Path, plugin, **options):
    return list(reader.read(str(path), **plugin.option_values(options)))


def _folder(tmp_path: Path, vv: np.ndarray, vh: np.ndarray, crs=(32633, 32633)) -> Path:
    folder = tmp_path / "S1A_IW_GRDH_1SDV_20200101T000000_XXXX_1_1"
    folder.mkdir()
    write_tif(folder / f"{folder.name}_VV.tif", vv[None], crs=crs[0])
    write_tif(folder / f"{folder.name}_VH.tif", vh[None], crs=crs[1])
    return folder


def test_truncated_geotiff(tmp_path: Path, sar_plugin) -> None:
    tiled = write_tif(tmp_path / "whole.tif", db_bands(0, (384, 384)), tile=128)
    cog = tmp_path / "cog.tif"
    rasterio.shutil.copy(tiled, cog, driver="COG", BLOCKSIZE=128)  # header first, blocks after
    data = cog.read_bytes()
    cut = tmp_path / "cut.tif"
    cut.write_bytes(data[: len(data) * 2 // 3])
    assert GEOTIFF_READER.sniff(str(cut), data[:4096])
    with pytest.raises(
        ValueError,
        match=r"cut\.tif: the GeoTIFF is truncated: \d+ of \d+ "
        r"image blocks lie beyond the end.*download",
    ):
        _read(GEOTIFF_READER, cut, sar_plugin)
    header_lost = tmp_path / "header_lost.tif"
    header_lost.write_bytes(data[:16])  # the first directory is cut off
    with pytest.raises(ValueError, match=r"header_lost\.tif: GDAL cannot open the TIFF.*truncated"):
        _read(GEOTIFF_READER, header_lost, sar_plugin)


def test_tiff_not_georeferenced_when_required(tmp_path: Path, sar_plugin) -> None:
    path = write_tif(tmp_path / "plain.tif", db_bands(1, (40, 40)), crs=None)
    assert pick_reader(sar_plugin, str(path), None).name == GEOTIFF_READER.name
    with pytest.raises(
        ValueError,
        match=r"plain.tif: the raster is not georeferenced \(it has "
        r"no CRS and no geotransform\).*require_georeferenced",
    ):
        _read(GEOTIFF_READER, path, sar_plugin)
    (record,) = _read(GEOTIFF_READER, path, sar_plugin, require_georeferenced=False)
    assert record.array.attrs["crs"] is None and record.labels["block"] == "plain:0:0"


def test_vv_and_vh_of_different_sizes(tmp_path: Path, sar_plugin) -> None:
    folder = _folder(tmp_path, db_bands(2, (120, 120), 1)[0], db_bands(3, (60, 60), 1)[0])
    assert BAND_FOLDER_READER.sniff(str(folder), b"")
    with pytest.raises(
        ValueError,
        match=r"VV is 120x120 pixels .* but VH is 60x60 .*share one "
        r"grid\. Resample",
    ):
        _read(BAND_FOLDER_READER, folder, sar_plugin)


def test_mixed_crs_within_one_item(tmp_path: Path, sar_plugin) -> None:
    bands = db_bands(4, (50, 50))
    folder = _folder(tmp_path, bands[0], bands[1], crs=(32633, 32632))
    with pytest.raises(ValueError, match=r"different CRSs \(VV: EPSG:32633, VH: EPSG:32632\)"):
        _read(BAND_FOLDER_READER, folder, sar_plugin)


def test_all_nodata_scene(tmp_path: Path, sar_plugin) -> None:
    path = write_tif(tmp_path / "empty.tif", np.full((2, 80, 80), -9999.0), nodata=-9999.0)
    with pytest.raises(
        ValueError,
        match=r"empty.tif: every pixel of the 80x80 scene is nodata "
        r"\(-9999.0\)",
    ):
        _read(GEOTIFF_READER, path, sar_plugin, tile_size=32)
    nan_nodata = write_tif(tmp_path / "nan.tif", np.full((2, 20, 20), np.nan), nodata=np.nan)
    with pytest.raises(ValueError, match="every pixel"):
        _read(GEOTIFF_READER, nan_nodata, sar_plugin)


def test_nan_tile_is_located(tmp_path: Path, sar_plugin) -> None:
    bands = db_bands(5, (64, 64))
    bands[1, 40, 10:25] = np.nan  # a run of NaN in VH, not declared nodata
    path = write_tif(tmp_path / "holes.tif", bands)
    records = _read(GEOTIFF_READER, path, sar_plugin, tile_size=32)
    problems = {r.item: sar_plugin.validate(r.array, tile_size=32) for r in records}
    assert problems["tile_0_0"] == problems["tile_0_1"] == problems["tile_1_1"] == []
    (problem,) = problems["tile_1_0"]
    assert "holds 15 NaN or infinite values (first runs: VH row 8 cols 10-24)" in problem
    assert "tile (1, 0) of holes" in problem and "nodata" in problem


def test_wrong_polarisation_count(tmp_path: Path, sar_plugin) -> None:
    path = write_tif(tmp_path / "one.tif", db_bands(6, (30, 30), 1))
    with pytest.raises(
        ValueError,
        match=r"one.tif: the file has 1 band\(s\) but polarisations "
        r"declares 2 \(VV, VH\); set polarisations",
    ):
        _read(GEOTIFF_READER, path, sar_plugin)
    three = write_tif(tmp_path / "three.tif", db_bands(6, (30, 30), 3))
    with pytest.raises(ValueError, match="has 3 band"):
        _read(GEOTIFF_READER, three, sar_plugin)
    only_vv = tmp_path / "only_vv"
    only_vv.mkdir()
    write_tif(only_vv / "p_VV.tif", db_bands(6, (30, 30), 1))
    with pytest.raises(ValueError, match=r"no VH band file \(<patch>_VH.tif\)"):
        _read(BAND_FOLDER_READER, only_vv, sar_plugin)


def test_named_bands_must_be_the_declared_ones(tmp_path: Path, sar_plugin) -> None:
    path = write_tif(tmp_path / "hh.tif", db_bands(7, (30, 30)), descriptions=("HH", "HV"))
    with pytest.raises(ValueError, match=r"declares VV, VH, but the bands are HH, HV"):
        _read(GEOTIFF_READER, path, sar_plugin)
    swapped = write_tif(tmp_path / "swap.tif", db_bands(7, (30, 30)), descriptions=("VH", "VV"))
    (record,) = _read(GEOTIFF_READER, swapped, sar_plugin)
    with rasterio.open(swapped) as ds:
        np.testing.assert_array_equal(record.array.values, ds.read()[::-1])


def test_jpeg_named_tif(tmp_path: Path, sar_plugin) -> None:
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((16, 16, 3), dtype=np.uint8)).save(buffer, format="JPEG")
    path = tmp_path / "photo_VV.tif"
    path.write_bytes(buffer.getvalue())
    assert pick_reader(sar_plugin, str(path), None).name == GEOTIFF_READER.name
    with pytest.raises(ValueError, match=r"photo_VV.tif: the file is a JPEG image, not a GeoTIFF"):
        _read(GEOTIFF_READER, path, sar_plugin)
    folder = tmp_path / "patch"
    folder.mkdir()
    shutil.copy(path, folder / "patch_VV.tif")
    write_tif(folder / "patch_VH.tif", db_bands(8, (16, 16), 1))
    with pytest.raises(ValueError, match=r"patch_VV\.tif: the file is a JPEG image"):
        _read(BAND_FOLDER_READER, folder, sar_plugin)


def test_header_sizes_are_bounded_before_reading(tmp_path: Path, sar_plugin) -> None:
    path = write_tif(tmp_path / "big.tif", db_bands(9, (64, 64)))
    with pytest.raises(ValueError, match=r"declares 64x64 = 4,096 pixels, above max_scene_pixels"):
        _read(GEOTIFF_READER, path, sar_plugin, max_scene_pixels=1000)
    labels = tmp_path / "S1A_IW_GRDH_1SDV_20200101T000000_XXXX_1_1"
    bands = db_bands(9, (20, 20))
    folder = _folder(tmp_path, bands[0], bands[1])
    assert folder == labels
    (folder / f"{folder.name}_labels_metadata.json").write_text('{"labels": ["x"]}' + " " * 2000)
    with pytest.raises(ValueError, match="above max_label_bytes 1,000"):
        _read(BAND_FOLDER_READER, folder, sar_plugin, max_label_bytes=1000)


def test_uncalibrated_digital_numbers(tmp_path: Path, sar_plugin) -> None:
    rng = np.random.default_rng(10)
    path = write_tif(tmp_path / "dn.tif", rng.uniform(50, 400, size=(2, 32, 32)))
    (record,) = _read(GEOTIFF_READER, path, sar_plugin)
    (problem,) = sar_plugin.validate(record.array)
    assert "look like uncalibrated digital numbers" in problem and "declare scale" in problem


def test_datacube_without_the_declared_polarisations(tmp_path: Path, sar_plugin) -> None:
    import xarray as xr

    cube = xr.Dataset(
        {"HH": (("y", "x"), db_bands(11, (20, 20), 1)[0])},
        coords={"y": 5e6 - 10.0 * np.arange(20), "x": 4e5 + 10.0 * np.arange(20)},
    ).rio.write_crs("EPSG:32633")
    path = tmp_path / "hh.nc"
    cube.to_netcdf(path, engine="scipy")
    with pytest.raises(ValueError, match=r"declares VV, VH, but the raster variables name HH"):
        _read(DATACUBE_READER, path, sar_plugin)
