"""Shared by the SAR plugin tests: the real BigEarthNet-S1 patches (skipped when absent),
small seeded GeoTIFFs, and the plugin declared locally from the plugin-local modules."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.crs import CRS
from rasterio.transform import from_origin

from sslsci.plugins.kit import Plugin

REAL_SAR = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "sar" / "bigearthnet-s1"
SMALL_BACKBONES = {
    "transformer": {"embed_dim": 32, "depth": 1, "num_heads": 2},
    "resnet18": {"widen_factor": 0.25},
    "resnet50": {"widen_factor": 0.25},
}


def real_patches() -> list[Path]:
    """The four real patch folders, or skip when the shared data is absent."""
    folders = sorted(p for p in REAL_SAR.glob("S1*") if p.is_dir()) if REAL_SAR.is_dir() else []
    if not folders:
        pytest.skip(f"real sample data {REAL_SAR} is absent")
    return folders


def write_tif(
    path: Path,
    bands: np.ndarray,
    *,
    crs: int | None = 32633,
    nodata: float | None = None,
    descriptions: tuple[str, ...] | None = None,
    origin: tuple[float, float] = (400_000.0, 5e6),
    tile: int | None = None,
) -> Path:
    """A float32 GeoTIFF of ``bands`` [count, h, w] (georeferenced unless crs is None)."""
    count, height, width = bands.shape
    profile: dict = {
        "driver": "GTiff",
        "height": height,
        "width": width,
        "count": count,
        "dtype": "float32",
        "nodata": nodata,
    }
    if crs is not None:
        profile.update(crs=CRS.from_epsg(crs), transform=from_origin(*origin, 10.0, 10.0))
    if tile:
        profile.update(tiled=True, blockxsize=tile, blockysize=tile)
    with rasterio.open(path, "w", **profile) as ds:
        ds.write(bands.astype(np.float32))
        for index, name in enumerate(descriptions or (), start=1):
            ds.set_band_description(index, name)
    return path


def db_bands(seed: int, shape: tuple[int, int], count: int = 2) -> np.ndarray:
    """Plausible dB values: VV around -12, VH around -19, with spread."""
    rng = np.random.default_rng(seed)
    means = np.array([-12.0, -19.0, -12.0, -19.0])[:count, None, None]
    return (means + rng.normal(0.0, 3.0, size=(count, *shape))).astype(np.float32)


def local_plugin() -> Plugin:
    """The registered sar plugin (``plugins/sar/plugin.py``)."""
    from plugins.sar import plugin

    return plugin


@pytest.fixture(scope="session")
def sar_plugin() -> Plugin:
    return local_plugin()
