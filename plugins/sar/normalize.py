"""Bring a SAR tile to the working scale: dB, clipped per polarisation, mapped onto
``scaled_range`` (default [0, 1]), float32.

1. the scale: declared (``scale: dB|linear``), else the metadata's, else detected from the
   values (``plugins.sar.scale``); linear intensity becomes 10 log10 (dB);
2. nodata pixels take the low end of their polarisation's clip range (the darkest value
   the working scale holds), so they carry no artificial edge into training;
3. each polarisation is clipped to its ``clip_db`` range and mapped linearly onto
   ``scaled_range``: working = low + (dB - lo) / (hi - lo) * (high - low).

Every step is recorded in ``attrs["preprocessing"]``, and ``attrs["db_range"]`` records
each channel's clip range, so the working values can be turned back into dB (``to_db``)
and a normalised tile is recognised: normalising it again returns it unchanged, or,
if other ranges are asked for, maps it back to dB and applies them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr

from plugins.sar import spec
from plugins.sar.options import NormalizeOptions, Pair, ReadOptions
from plugins.sar.scale import LINEAR, resolve_scale
from plugins.sar.scale import to_db as linear_to_db
from plugins.sar.tiling import nodata_mask
from plugins.sar.validate import DB_RANGE

SCALED_RANGE = "scaled_range"
PREPROCESSING = "preprocessing"


def channel_names(array: xr.DataArray) -> list[str]:
    if "channel" in array.coords:
        return [str(c) for c in array.coords["channel"].values]
    names = array.attrs.get(spec.POLARISATION_ATTR)
    if not names or len(names) != array.sizes["channel"]:
        raise ValueError(
            "the array's channels are not named by polarisation (no channel coord, no "
            f"{spec.POLARISATION_ATTR!r} attr); read it with a sar reader"
        )
    return [str(n) for n in names]


def _ranges(names: list[str], clip_db: dict[str, Pair]) -> dict[str, Pair]:
    missing = [n for n in names if n not in clip_db]
    if missing:
        raise ValueError(
            f"clip_db has no range for {missing}; add one, e.g. {{{missing[0]}: [-30, 5]}}"
        )
    return {n: (float(clip_db[n][0]), float(clip_db[n][1])) for n in names}


def to_db(values: np.ndarray, db_range: dict[str, Pair], scaled: Pair) -> np.ndarray:
    """Working-scale values ``[C, ...]`` back to dB (within each clip range)."""
    low, high = scaled
    out = np.empty_like(values, dtype=np.float32)
    for index, (lo, hi) in enumerate(db_range.values()):
        out[index] = lo + (values[index] - low) / (high - low) * (hi - lo)
    return out


def from_db(values: np.ndarray, db_range: dict[str, Pair], scaled: Pair) -> np.ndarray:
    """dB ``[C, ...]`` clipped per channel and mapped onto the working range."""
    low, high = scaled
    out = np.empty_like(values, dtype=np.float32)
    for index, (lo, hi) in enumerate(db_range.values()):
        clipped = np.clip(values[index], lo, hi)
        out[index] = low + (clipped - lo) / (hi - lo) * (high - low)
    return out


def _same(recorded: Any, wanted: dict[str, Pair]) -> bool:
    if not isinstance(recorded, dict) or list(recorded) != list(wanted):
        return False
    return all(
        np.allclose(np.asarray(recorded[k], dtype=float), np.asarray(v, dtype=float))
        for k, v in wanted.items()
    )


def _renormalise(array: xr.DataArray, ranges: dict[str, Pair], scaled: Pair) -> xr.DataArray:
    """A normalised tile under other ranges: back to dB, then the new clip and range."""
    old_ranges = {k: tuple(v) for k, v in array.attrs[DB_RANGE].items()}
    old_scaled = tuple(array.attrs[SCALED_RANGE])
    db = to_db(np.asarray(array.values, dtype=np.float32), old_ranges, old_scaled)
    steps = [
        *array.attrs.get(PREPROCESSING, []),
        {"step": "rescale", "from_db_range": old_ranges, "from_scaled_range": old_scaled},
    ]
    return _finish(array, from_db(db, ranges, scaled), ranges, scaled, steps)


def _finish(
    array: xr.DataArray,
    values: np.ndarray,
    ranges: dict[str, Pair],
    scaled: Pair,
    steps: list[dict[str, Any]],
) -> xr.DataArray:
    attrs = dict(array.attrs)
    attrs.update(
        {
            spec.SCALE: spec.WORKING_SCALE,
            spec.NODATA: None,
            DB_RANGE: {k: [float(v[0]), float(v[1])] for k, v in ranges.items()},
            SCALED_RANGE: [float(scaled[0]), float(scaled[1])],
            PREPROCESSING: steps,
        }
    )
    return xr.DataArray(
        values.astype(np.float32), dims=array.dims, coords=array.coords, attrs=attrs
    )


def normalize_array(array: xr.DataArray, **options: Any) -> xr.DataArray:
    """The tile on the working scale (see the module docstring); idempotent."""
    normal, reading = NormalizeOptions.pick(options), ReadOptions.pick(options)
    array = array.transpose(*spec.DIMS)
    names = channel_names(array)
    ranges = _ranges(names, normal.clip_db)
    scaled = (float(normal.scaled_range[0]), float(normal.scaled_range[1]))
    if DB_RANGE in array.attrs:
        same_scaled = np.allclose(array.attrs.get(SCALED_RANGE, (np.nan, np.nan)), scaled)
        if _same(array.attrs[DB_RANGE], ranges) and same_scaled:
            return array
        return _renormalise(array, ranges, scaled)
    values = np.asarray(array.values, dtype=np.float32)
    mask = nodata_mask(values, array.attrs.get(spec.NODATA))
    valid = values[:, ~mask]
    scale, how = resolve_scale(reading.scale, array.attrs.get(spec.SCALE), valid)
    steps: list[dict[str, Any]] = [{"step": "scale", "found": scale, "how": how}]
    if scale == LINEAR:
        values = linear_to_db(values)
        steps.append({"step": "to_dB", "formula": "10 * log10(max(intensity, 1e-10))"})
    if mask.any():
        for index, name in enumerate(names):
            values[index][mask] = ranges[name][0]
        steps.append(
            {
                "step": "fill_nodata",
                "pixels": int(mask.sum()),
                "value": "clip low of each polarisation",
            }
        )
    steps.append({"step": "clip", "db": {k: list(v) for k, v in ranges.items()}})
    steps.append(
        {"step": "map", "to": list(scaled), "formula": "low + (dB - lo) / (hi - lo) * (high - low)"}
    )
    return _finish(array, from_db(values, ranges, scaled), ranges, scaled, steps)
