"""SAR checks beyond the core's generic ones; each problem is one sentence with the fix.

A tile is refused (the ingest skips it and records the reason) when its channels are not
the declared polarisations, when it holds NaN or infinite values (their runs located),
when more of it is nodata than ``max_nodata_fraction``, when its backscatter is
implausible for its scale (declared, stated by the metadata, or detected), or when its
bands came from rasters in different CRSs. Normalised tiles (``attrs["db_range"]``) must
lie in the working range.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import xarray as xr

from plugins.sar import spec
from plugins.sar.options import NormalizeOptions, ReadOptions, ValidateOptions
from plugins.sar.scale import DB, ScaleError, resolve_scale
from plugins.sar.tiling import nodata_mask

DB_RANGE = "db_range"  # set by normalize: {polarisation: [low, high] dB} of the working scale
RUNS_SHOWN = 3
SCALED_TOLERANCE = 1e-4


def mixed_crs_problem(crs_by_band: Mapping[str, str | None]) -> str | None:
    """One sentence when the bands of one item are not all in one CRS."""
    distinct = {crs for crs in crs_by_band.values()}
    if len(distinct) <= 1:
        return None
    described = ", ".join(f"{band}: {_crs_name(crs)}" for band, crs in crs_by_band.items())
    return (
        f"the bands of one item are in different CRSs ({described}); reproject them onto one "
        "grid (gdalwarp -t_srs) before ingesting"
    )


def _crs_name(crs: str | None) -> str:
    if crs is None:
        return "none"
    try:
        from pyproj import CRS

        parsed = CRS.from_wkt(crs)
        epsg = parsed.to_epsg()
        return f"EPSG:{epsg}" if epsg else parsed.name
    except Exception:  # an unparsable WKT is still named by its start
        return crs[:40]


def _where(array: xr.DataArray) -> str:
    tile = array.attrs.get(spec.TILE)
    scene = array.attrs.get("scene") or array.attrs.get(spec.SOURCE) or "the scene"
    return f"tile {tuple(tile)} of {scene}" if tile is not None else str(scene)


def _channels(array: xr.DataArray) -> list[str]:
    if "channel" in array.coords:
        return [str(c) for c in array.coords["channel"].values]
    return [str(p) for p in array.attrs.get(spec.POLARISATION_ATTR) or []]


def polarisation_problems(array: xr.DataArray, declared: tuple[str, ...]) -> list[str]:
    present = _channels(array)
    if present == list(declared):
        return []
    return [
        f"{_where(array)} has channels {present or 'unnamed'}, but polarisations declares "
        f"{list(declared)}; set polarisations to what the files hold"
    ]


def nonfinite_runs(values: np.ndarray, channels: list[str]) -> list[str]:
    """Where the NaN/inf values are: the first runs along rows, per channel."""
    bad = ~np.isfinite(values)
    runs: list[str] = []
    for index, plane in enumerate(bad):
        rows = np.flatnonzero(plane.any(axis=1))
        for row in rows:
            cols = np.flatnonzero(plane[row])
            breaks = np.flatnonzero(np.diff(cols) > 1)
            starts = np.concatenate([[cols[0]], cols[breaks + 1]])
            ends = np.concatenate([cols[breaks], [cols[-1]]])
            name = channels[index] if index < len(channels) else str(index)
            for start, end in zip(starts, ends, strict=True):
                runs.append(f"{name} row {row} cols {start}-{end}")
                if len(runs) >= RUNS_SHOWN:
                    return runs
    return runs


def finite_problems(array: xr.DataArray, values: np.ndarray) -> list[str]:
    count = int(np.count_nonzero(~np.isfinite(values)))
    if not count:
        return []
    runs = "; ".join(nonfinite_runs(values, _channels(array)))
    return [
        f"{_where(array)} holds {count} NaN or infinite values (first runs: {runs}) that are "
        "not nodata; mask them as nodata in the source (set its nodata value) or repair it"
    ]


def nodata_problems(array: xr.DataArray, limit: float) -> list[str]:
    fraction = array.attrs.get(spec.NODATA_FRACTION)
    if fraction is None or float(fraction) <= limit:
        return []
    return [
        f"{_where(array)} is {float(fraction):.0%} nodata, above max_nodata_fraction "
        f"{limit:g}; the tile is skipped (raise max_nodata_fraction to keep swath-edge tiles)"
    ]


def range_problems(
    array: xr.DataArray, values: np.ndarray, reading: ReadOptions, limits: ValidateOptions
) -> list[str]:
    """Backscatter plausible for the scale (declared > metadata > detected)."""
    valid = values[:, ~nodata_mask(values, array.attrs.get(spec.NODATA))]
    valid = valid[np.isfinite(valid)]
    if valid.size == 0:
        return []
    try:
        scale, how = resolve_scale(reading.scale, array.attrs.get(spec.SCALE), valid)
    except ScaleError as exc:
        return [f"{_where(array)}: {exc}"]
    low, high = limits.plausible_db
    if scale == DB:
        outside = int(np.count_nonzero((valid < low) | (valid > high)))
        if outside:
            return [
                f"{_where(array)}: {outside} values lie outside the plausible {low:g} to "
                f"{high:g} dB (min {valid.min():.4g}, max {valid.max():.4g}; scale {how} as dB); "
                "if the file is linear intensity set scale: linear, else set the nodata value "
                "or widen plausible_db"
            ]
        return []
    negative = int(np.count_nonzero(valid < 0))
    too_high = int(np.count_nonzero(valid > 10 ** (high / 10.0)))
    if negative or too_high:
        return [
            f"{_where(array)}: as linear intensity ({how}) it has {negative} negative values "
            f"and {too_high} above {10 ** (high / 10.0):.4g} ({high:g} dB); if the file is in "
            "dB set scale: dB, else check its calibration"
        ]
    return []


def scaled_problems(array: xr.DataArray, values: np.ndarray, normal: NormalizeOptions) -> list[str]:
    """A normalised tile's values lie in the working range."""
    low, high = normal.scaled_range
    finite = values[np.isfinite(values)]
    outside = finite.size and (
        finite.min() < low - SCALED_TOLERANCE or finite.max() > high + SCALED_TOLERANCE
    )
    if outside:
        return [
            f"{_where(array)} is marked normalised but spans {finite.min():.4g} to "
            f"{finite.max():.4g}, outside the working range [{low:g}, {high:g}]; normalise it "
            "from the source again"
        ]
    return []


def validate_array(array: xr.DataArray, **options: Any) -> list[str]:
    """Problems of one SAR tile; empty means it may be stored."""
    reading, limits = ReadOptions.pick(options), ValidateOptions.pick(options)
    problems = polarisation_problems(array, reading.polarisations)
    band_crs = array.attrs.get("band_crs")
    if isinstance(band_crs, Mapping):
        crs = mixed_crs_problem(band_crs)
        if crs:
            problems.append(f"{_where(array)}: {crs}")
    problems += nodata_problems(array, limits.max_nodata_fraction)
    values = np.asarray(array.values)
    problems += finite_problems(array, values)
    if problems:
        return problems
    if DB_RANGE in array.attrs:
        return scaled_problems(array, values, NormalizeOptions.pick(options))
    return range_problems(array, values, reading, limits)
