"""Opening a GeoTIFF/COG with rasterio, with every check that needs only the header.

A file is refused before any pixel is read when it is not a TIFF at all (a JPEG named
``.tif``), when GDAL cannot open it, when its blocks reach past the end of the file
(truncated download; GDAL lists each block's offset and size in the TIFF metadata
domain), when its header declares implausible sizes, when it holds complex (SLC)
samples, or when it is not georeferenced and the entry requires it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import numpy as np
import rasterio
from rasterio.enums import Interleaving, MaskFlags
from rasterio.errors import RasterioError
from rasterio.windows import Window as RioWindow

from plugins.sar.file_kinds import require_tiff
from plugins.sar.metadata import SCALE_TAGS, first_tag, polarisation_in
from plugins.sar.options import ReadOptions, TilingOptions
from plugins.sar.scale import scale_from_text
from plugins.sar.tiling import IDENTITY, NODATA_FILL, Affine6, Window, check_scene_size

BLOCK_CHECK_LIMIT = 250_000  # blocks whose extent is checked one by one; beyond: a stride


@dataclass(frozen=True)
class RasterHeader:
    """What one opened raster says, before pixels."""

    path: str
    height: int
    width: int
    count: int
    crs: str | None
    crs_id: str | None
    transform: Affine6
    linear_units_m: bool
    nodata: float | None
    band_polarisations: tuple[str | None, ...]
    scale: str | None
    tags: dict[str, str]
    masked: bool  # an internal mask band marks nodata


def _crs_fields(ds) -> tuple[str | None, str | None, bool]:
    if ds.crs is None:
        return None, None, False
    epsg = ds.crs.to_epsg()
    units = (ds.crs.linear_units or "").lower()
    return ds.crs.to_wkt(), (f"EPSG:{epsg}" if epsg else None), units in ("metre", "meter", "m")


def _transform(ds) -> Affine6:
    t = ds.transform
    return (float(t.a), float(t.b), float(t.c), float(t.d), float(t.e), float(t.f))


def _check_complete(ds, path: str) -> None:
    """Every block's bytes must lie inside the file: a truncated download is caught here."""
    size = os.path.getsize(path)
    bands = [1] if ds.interleaving == Interleaving.pixel else list(ds.indexes)
    block_h, block_w = ds.block_shapes[0]
    rows, cols = math.ceil(ds.height / block_h), math.ceil(ds.width / block_w)
    total = rows * cols
    step = max(1, total // BLOCK_CHECK_LIMIT)
    missing = checked = 0
    for band in bands:
        for flat in [*range(0, total, step), total - 1]:
            row, col = divmod(flat, cols)
            offset = ds.get_tag_item(f"BLOCK_OFFSET_{col}_{row}", "TIFF", bidx=band)
            length = ds.get_tag_item(f"BLOCK_SIZE_{col}_{row}", "TIFF", bidx=band)
            if offset is None or length is None:
                return  # this GDAL does not list blocks; the reads will tell
            checked += 1
            if int(offset) + int(length) > size or (int(offset) == 0 and int(length) == 0):
                missing += 1
    if missing:
        raise ValueError(
            f"{path}: the GeoTIFF is truncated: {missing} of {checked} image blocks lie beyond "
            f"the end of the file ({size:,} bytes); download or copy it again"
        )


def _band_polarisations(ds) -> tuple[str | None, ...]:
    names = []
    for index, description in zip(ds.indexes, ds.descriptions, strict=True):
        tags = ds.tags(index)
        named = polarisation_in(description) or polarisation_in(
            first_tag(tags, ("POLARISATION", "POLARIZATION", "polarisation", "polarization"))
        )
        names.append(named)
    if len(names) == 1 and names[0] is None:
        names[0] = polarisation_in(os.path.basename(ds.name).rsplit(".", 1)[0].split("_")[-1])
    return tuple(names)


def _scale(ds, tags: dict[str, str]) -> str | None:
    for text in (first_tag(tags, SCALE_TAGS), *ds.units, *ds.descriptions):
        found = scale_from_text(text)
        if found is not None:
            return found
    return None


def _georeference_problem(ds, path: str, crs: str | None, transform: Affine6) -> str | None:
    if crs is not None and transform != IDENTITY:
        return None
    gcps, _ = ds.gcps
    what = (
        f"it has {len(gcps)} ground control points but no map grid (radar geometry)"
        if gcps
        else "it has no CRS and no geotransform"
    )
    return (
        f"{path}: the raster is not georeferenced ({what}), and the entry requires "
        "georeferenced rasters. Terrain-correct it (SNAP Terrain-Correction, or gdalwarp with "
        "the GCPs), or set require_georeferenced: false to tile it without map positions"
    )


@contextmanager
def open_raster(
    path: str, tiling: TilingOptions, reading: ReadOptions
) -> Iterator[tuple[rasterio.io.DatasetReader, RasterHeader]]:
    """The open dataset and its checked header; ValueError naming the file and the fix."""
    require_tiff(path)
    with ExitStack() as stack:
        # GDAL's default block cache is 5% of RAM: a tile is read once, so a small cache
        # keeps the reader's memory flat whatever the scene size.
        stack.enter_context(rasterio.Env(GDAL_CACHEMAX=tiling.gdal_cache_mb * 2**20))
        try:
            ds = stack.enter_context(rasterio.open(path))
        except RasterioError as exc:
            raise ValueError(
                f"{path}: GDAL cannot open the TIFF ({exc}); the file is truncated or corrupt. "
                "Download or copy it again"
            ) from None
        check_scene_size(path, ds.height, ds.width, ds.count, tiling)
        if any(np.dtype(d).kind == "c" for d in ds.dtypes):
            raise ValueError(
                f"{path}: the bands hold complex samples (SLC); take the intensity |s|^2 (and "
                "calibrate it) before ingesting, e.g. SNAP Calibration + Deburst"
            )
        _check_complete(ds, path)
        crs, crs_id, metres = _crs_fields(ds)
        transform = _transform(ds)
        if reading.require_georeferenced:
            problem = _georeference_problem(ds, path, crs, transform)
            if problem:
                raise ValueError(problem)
        tags = {str(k): str(v) for k, v in ds.tags().items()}
        nodata = ds.nodata if ds.nodata is not None else reading.nodata
        masked = nodata is None and any(
            MaskFlags.per_dataset in flags and MaskFlags.all_valid not in flags
            for flags in ds.mask_flag_enums
        )
        header = RasterHeader(
            path=path,
            height=ds.height,
            width=ds.width,
            count=ds.count,
            crs=crs,
            crs_id=crs_id,
            transform=transform,
            linear_units_m=metres,
            nodata=NODATA_FILL if masked else (None if nodata is None else float(nodata)),
            band_polarisations=_band_polarisations(ds),
            scale=_scale(ds, tags),
            tags=tags,
            masked=masked,
        )
        yield ds, header


def read_window(ds, header: RasterHeader, bands: list[int], window: Window) -> np.ndarray:
    """``[len(bands), h, w]`` float32 of one window; masked pixels set to NODATA_FILL."""
    y0, x0, h, w = window
    rio_window = RioWindow(x0, y0, w, h)
    try:
        values = ds.read(bands, window=rio_window, out_dtype="float32")
        if header.masked:
            mask = ds.read_masks(bands[0], window=rio_window) == 0
            values[:, mask] = np.float32(NODATA_FILL)
    except RasterioError as exc:
        raise ValueError(
            f"{header.path}: reading rows {y0}-{y0 + h - 1}, columns {x0}-{x0 + w - 1} failed "
            f"({exc}); the file is truncated or corrupt. Download or copy it again"
        ) from None
    return values
