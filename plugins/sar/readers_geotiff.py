"""GeoTIFF and COG reader: a single- or multi-band raster, one record per tile.

Bands are matched to the declared polarisations by their descriptions or band tags
("VV", "Sigma0_VH_db"), a single band also by its file name (``..._VV.tif``); unnamed
bands are taken in the declared order. Windows are read with rasterio, one tile at a
time (``plugins.sar.tiling``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import rasterio
from rasterio.errors import RasterioError

from plugins.sar.file_kinds import TIFF_SUFFIXES, is_tiff
from plugins.sar.metadata import (
    acquisition_time,
    check_product_polarisations,
    orbit_text,
    parse_product,
    select_bands,
)
from plugins.sar.options import ReadOptions, TilingOptions
from plugins.sar.raster import open_raster, read_window
from plugins.sar.tiling import SceneMeta, read_tiles
from sslsci.plugins.contract import Record

SAR_DTYPES = (
    "float32",
    "float64",
    "int16",
    "uint16",
    "int32",
    "uint32",
    "complex64",
    "complex128",
    "complex_int16",
)
MAX_UNREFERENCED_BANDS = 4  # a plain TIFF with more bands is a photo or a stack, not SAR


def looks_like_sar(path: str) -> bool:
    """Georeferenced (map grid or GCPs), or a few bands of a SAR sample type."""
    try:
        with rasterio.open(path) as ds:
            if ds.crs is not None or ds.gcps[0]:
                return True
            return ds.count <= MAX_UNREFERENCED_BANDS and all(d in SAR_DTYPES for d in ds.dtypes)
    except RasterioError:
        return True  # a TIFF that GDAL cannot open: claim it, so read names the damage


class GeoTiffReader:
    """GeoTIFF/COG files (``.tif``, ``.tiff``), tiled."""

    name = "geotiff"
    suffixes = TIFF_SUFFIXES

    def sniff(self, path: str, head: bytes) -> bool:
        """A TIFF holding SAR-like bands; or a non-TIFF *named* .tif (a JPEG renamed), so
        that reading it reports what it really is instead of "no reader"."""
        file = Path(path)
        if file.is_dir():
            return False
        if is_tiff(head):
            return looks_like_sar(path)
        return file.suffix.lower() in TIFF_SUFFIXES

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        tiling, reading = TilingOptions.pick(options), ReadOptions.pick(options)
        with open_raster(path, tiling, reading) as (ds, header):
            positions, how = select_bands(path, header.band_polarisations, reading.polarisations)
            product = parse_product(Path(path).name)
            check_product_polarisations(path, [product], reading.polarisations)
            layout = ds.tags(ns="IMAGE_STRUCTURE").get("LAYOUT", "")
            meta = SceneMeta(
                source=path,
                scene=Path(path).stem,
                height=header.height,
                width=header.width,
                polarisations=reading.polarisations,
                crs=header.crs,
                crs_id=header.crs_id,
                transform=header.transform,
                nodata=header.nodata,
                scale=reading.scale if reading.scale != "auto" else header.scale,
                acquisition_time=acquisition_time(header.tags, [product]),
                orbit=orbit_text(header.tags, [product]),
                extra_attrs={
                    "format": "COG" if layout.upper() == "COG" else "GeoTIFF",
                    "polarisations_from": how,
                },
            )
            bands = [int(ds.indexes[p]) for p in positions]

            def window(w: tuple[int, int, int, int]) -> np.ndarray:
                return read_window(ds, header, bands, w)

            yield from read_tiles(meta, window, tiling, header.linear_units_m)
