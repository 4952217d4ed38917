"""Hostile SAR sources: the bad GeoTIFFs and band folders of the SAR bad-input tests, in
one archive, with the reasons those tests expect."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import rasterio.shutil
from PIL import Image

from tests.ingest.hostile.odd_entries import write_odd_entries
from tests.plugins.sar.conftest import db_bands, write_tif

MODALITY = "sar"
OPTIONS: dict = {}
INCLUDE = ["*"]
PATCH = "S1A_IW_GRDH_1SDV_20200101T000000_XXXX_1_{}"


def _folder(root: Path, index: int, vv: np.ndarray, vh: np.ndarray, crs=(32633, 32633)) -> str:
    folder = root / PATCH.format(index)
    folder.mkdir()
    write_tif(folder / f"{folder.name}_VV.tif", vv[None], crs=crs[0])
    if vh is not None:
        write_tif(folder / f"{folder.name}_VH.tif", vh[None], crs=crs[1])
    return folder.name


def _files(folder: Path, seed: int) -> dict[str, str]:
    tiled = write_tif(folder / "tiled.tmp", db_bands(seed, (384, 384)), tile=128)
    rasterio.shutil.copy(tiled, folder / "cog.tmp", driver="COG", BLOCKSIZE=128)
    data = (folder / "cog.tmp").read_bytes()
    for name in ("tiled.tmp", "cog.tmp"):
        (folder / name).unlink()
    (folder / "cut.tif").write_bytes(data[: len(data) * 2 // 3])
    (folder / "header_lost.tif").write_bytes(data[:16])
    write_tif(folder / "plain.tif", db_bands(seed, (40, 40)), crs=None)
    write_tif(folder / "nodata.tif", np.full((2, 80, 80), -9999.0), nodata=-9999.0)
    write_tif(folder / "one.tif", db_bands(seed, (30, 30), 1))
    write_tif(folder / "three.tif", db_bands(seed, (30, 30), 3))
    write_tif(folder / "hh.tif", db_bands(seed, (30, 30)), descriptions=("HH", "HV"))
    buffer = io.BytesIO()
    Image.fromarray(np.zeros((16, 16, 3), dtype=np.uint8)).save(buffer, format="JPEG")
    (folder / "photo.tif").write_bytes(buffer.getvalue())
    rng = np.random.default_rng(seed)
    write_tif(folder / "dn.tif", rng.uniform(50, 400, size=(2, 32, 32)))
    return {
        "cut.tif": "the geotiff is truncated",
        "header_lost.tif": "gdal cannot open the tiff",
        "plain.tif": "the raster is not georeferenced",
        "nodata.tif": "every pixel of the 80x80 scene is nodata",
        "one.tif": "the file has 1 band(s) but polarisations declares 2",
        "three.tif": "has 3 band",
        "hh.tif": "declares vv, vh, but the bands are hh, hv",
        "photo.tif": "the file is a jpeg image, not a geotiff",
        "dn.tif": "look like uncalibrated digital numbers",
    }


def _folders(folder: Path, seed: int) -> dict[str, str | None]:
    good = db_bands(seed, (40, 40))
    mixed = db_bands(seed + 1, (50, 50))
    return {
        _folder(folder, 1, good[0], good[1]): None,
        _folder(folder, 2, db_bands(seed, (120, 120), 1)[0], good[1]): "but vh is 40x40",
        _folder(folder, 3, mixed[0], mixed[1], crs=(32633, 32632)): "different crss",
        _folder(folder, 4, good[0], None): "no vh band file",
    }


def write_corpus(folder: Path, seed: int) -> dict[str, str | None]:
    """Write the SAR corpus into ``folder``; {source name: expected reason or None}."""
    folder.mkdir(parents=True, exist_ok=True)
    write_tif(folder / "good.tif", db_bands(seed, (64, 64)))
    expected: dict[str, str | None] = {"good.tif": None}
    expected.update(_files(folder, seed))
    expected.update(_folders(folder, seed))
    expected.update(write_odd_entries(folder, ".tif"))
    return expected
