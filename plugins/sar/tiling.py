"""Scenes cut into tiles: every reader yields one record per tile, read by window.

A GRD scene (about 25,000 x 17,000 pixels, two bands) is never read whole: the grid of
``tile_size`` tiles is laid over it and each tile is read, checked and stored on its own,
so memory stays at one tile whatever the scene size. Edge tiles keep their smaller size.

Each tile carries a spatial ``block`` label so that ``splits: {fraction: ..., group_by:
block}`` deals whole blocks of ``block_tiles`` x ``block_tiles`` tiles to one split: a
probe is then not scored on near-duplicates of its training tiles. On georeferenced
data the block is keyed by ground position (CRS and the block cell holding the tile's
centre), so neighbouring patches of one archive, and acquisitions of the same ground on
other dates, share a block; otherwise by scene and tile position.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import xarray as xr

from plugins.sar import spec
from plugins.sar.options import TilingOptions
from sslsci.plugins.contract import Record

Window = tuple[int, int, int, int]  # (row offset, col offset, height, width) in pixels
Affine6 = tuple[float, float, float, float, float, float]  # rasterio order a, b, c, d, e, f
NODATA_FILL = -9999.0  # stands in for NaN nodata: the core refuses non-finite values
IDENTITY: Affine6 = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)


@dataclass(frozen=True)
class TileGrid:
    """The tiles of a ``height`` x ``width`` scene, row by row."""

    height: int
    width: int
    size: int

    @property
    def rows(self) -> int:
        return math.ceil(self.height / self.size)

    @property
    def cols(self) -> int:
        return math.ceil(self.width / self.size)

    def windows(self) -> Iterator[tuple[int, int, Window]]:
        for row in range(self.rows):
            for col in range(self.cols):
                y0, x0 = row * self.size, col * self.size
                h, w = min(self.size, self.height - y0), min(self.size, self.width - x0)
                yield row, col, (y0, x0, h, w)


@dataclass(frozen=True)
class SceneMeta:
    """What a reader knows about a scene before reading pixels."""

    source: str
    scene: str
    height: int
    width: int
    polarisations: tuple[str, ...]
    crs: str | None = None  # WKT
    crs_id: str | None = None  # "EPSG:32633" when known, for block labels
    transform: Affine6 = IDENTITY
    nodata: float | None = None
    scale: str | None = None
    acquisition_time: str | None = None
    orbit: str | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    extra_attrs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def georeferenced(self) -> bool:
        return self.crs is not None and tuple(self.transform) != IDENTITY


def window_transform(transform: Affine6, window: Window) -> Affine6:
    """The affine of a window's pixel grid (its upper-left pixel at the window's origin)."""
    a, b, c, d, e, f = transform
    y0, x0 = window[0], window[1]
    return (a, b, c + a * x0 + b * y0, d, e, f + d * x0 + e * y0)


def pixel_size_m(meta: SceneMeta, linear_units_m: bool) -> tuple[float, float] | None:
    """(y, x) pixel size in metres, None when the CRS is not in metres."""
    if not meta.georeferenced or not linear_units_m:
        return None
    a, b, _, d, e, _ = meta.transform
    return (float(math.hypot(b, e)), float(math.hypot(a, d)))


def block_label(meta: SceneMeta, row: int, col: int, window: Window, options: TilingOptions) -> str:
    """The spatial block holding the tile (see the module docstring)."""
    tiles = options.block_tiles
    if not meta.georeferenced:
        return f"{meta.scene}:{row // tiles}:{col // tiles}"
    a, b, c, d, e, f = meta.transform
    y_mid, x_mid = window[0] + window[2] / 2.0, window[1] + window[3] / 2.0
    east, north = c + a * x_mid + b * y_mid, f + d * x_mid + e * y_mid
    edge = tiles * options.tile_size * math.hypot(a, d)
    key = meta.crs_id or "crs-" + hashlib.sha256(str(meta.crs).encode()).hexdigest()[:10]
    return f"{key}:{math.floor(east / edge)}:{math.floor(north / edge)}"


def nodata_mask(values: np.ndarray, nodata: float | None) -> np.ndarray:
    """Pixels ``[y, x]`` where any channel holds the nodata value."""
    if nodata is None:
        return np.zeros(values.shape[1:], dtype=bool)
    if math.isnan(nodata):
        return np.isnan(values).any(axis=0)
    return (values == np.float32(nodata)).any(axis=0)


def tile_array(
    values: np.ndarray,
    meta: SceneMeta,
    row: int,
    col: int,
    window: Window,
    fraction: float,
    rows_cols: tuple[int, int],
    linear_units_m: bool,
) -> xr.DataArray:
    """One tile as the spec's ``(channel, y, x)`` DataArray with the spec's attrs."""
    attrs: dict[str, Any] = {
        spec.SOURCE: meta.source,
        spec.CRS: meta.crs,
        spec.TRANSFORM: list(window_transform(meta.transform, window)),
        spec.PIXEL_SIZE: pixel_size_m(meta, linear_units_m),
        spec.NODATA: meta.nodata,
        spec.POLARISATION_ATTR: list(meta.polarisations),
        spec.SCALE: meta.scale,
        spec.ACQUISITION_TIME: meta.acquisition_time,
        spec.ORBIT: meta.orbit,
        spec.TILE: [row, col],
        spec.NODATA_FRACTION: fraction,
        "scene": meta.scene,
        "tile_grid": list(rows_cols),
        "window": list(window),
        **dict(meta.extra_attrs),
    }
    if attrs[spec.PIXEL_SIZE] is not None:
        attrs[spec.PIXEL_SIZE] = list(attrs[spec.PIXEL_SIZE])
    return xr.DataArray(
        values, dims=spec.DIMS, coords={"channel": list(meta.polarisations)}, attrs=attrs
    )


def read_tiles(
    meta: SceneMeta,
    read_window: Callable[[Window], np.ndarray],
    options: TilingOptions,
    linear_units_m: bool = True,
    item_prefix: str = "",
) -> Iterator[Record]:
    """One record per tile of the scene, each read by ``read_window`` alone.

    NaN nodata becomes ``NODATA_FILL`` (the core refuses non-finite values; NaN that is
    not nodata stays, for validate to locate). A scene whose every pixel is nodata raises
    a ValueError once its last tile is read.
    """
    grid = TileGrid(meta.height, meta.width, options.tile_size)
    filled = meta.nodata is not None and math.isnan(meta.nodata)
    stored = replace(meta, nodata=NODATA_FILL) if filled else meta
    valid_pixels = 0
    for row, col, window in grid.windows():
        values = np.asarray(read_window(window), dtype=np.float32)
        mask = nodata_mask(values, meta.nodata)
        if filled:
            values = np.where(np.isnan(values), np.float32(NODATA_FILL), values)
        fraction = float(mask.mean()) if mask.size else 1.0
        valid_pixels += int(mask.size - np.count_nonzero(mask))
        array = tile_array(
            values, stored, row, col, window, fraction, (grid.rows, grid.cols), linear_units_m
        )
        labels = {
            **dict(meta.labels),
            "scene": meta.scene,
            "tile": f"{row}_{col}",
            "block": block_label(meta, row, col, window, options),
        }
        yield Record(array=array, item=f"{item_prefix}tile_{row}_{col}", labels=labels)
    if valid_pixels == 0:
        raise ValueError(
            f"{meta.source}: every pixel of the {meta.height}x{meta.width} scene is nodata "
            f"({meta.nodata}); the scene holds no data. Check the file, or the nodata "
            "option if the metadata names the wrong value"
        )


def check_scene_size(
    where: str, height: int, width: int, bands: int, options: TilingOptions
) -> None:
    """Header sizes bounded before anything is allocated."""
    if height < 1 or width < 1 or bands < 1:
        raise ValueError(
            f"{where}: the header declares {bands} band(s) of {height}x{width} "
            "pixels; the file is empty or corrupt"
        )
    if height * width > options.max_scene_pixels:
        raise ValueError(
            f"{where}: the header declares {height}x{width} = {height * width:,} pixels, above "
            f"max_scene_pixels {options.max_scene_pixels:,}; the header is corrupt, or raise "
            "max_scene_pixels"
        )
    if bands > options.max_bands:
        raise ValueError(
            f"{where}: the header declares {bands} bands, above max_bands {options.max_bands}; "
            "a SAR raster holds one band per polarisation. Raise max_bands if this is right"
        )
