"""Per-channel statistics: summed per item at ingest, combined over the training items."""

from __future__ import annotations

from typing import Any

import numpy as np
import xarray as xr


def item_statistics(array: xr.DataArray) -> dict[str, Any]:
    """Per-channel sum, sum of squares and count: archives combine them into mean/std."""
    values = np.asarray(array.values, dtype=np.float64)
    flat = values.reshape(values.shape[0], -1)
    return {
        "count": int(flat.shape[1]),
        "sum": flat.sum(axis=1).tolist(),
        "sumsq": np.square(flat).sum(axis=1).tolist(),
    }


def combine_statistics(stats: list[dict[str, Any]]) -> tuple[list[float], list[float]]:
    """Per-channel mean and std over many items (population std, floored)."""
    count = sum(s["count"] for s in stats)
    total = np.sum([s["sum"] for s in stats], axis=0)
    total_sq = np.sum([s["sumsq"] for s in stats], axis=0)
    mean = total / count
    var = np.maximum(total_sq / count - mean**2, 0.0)
    std = np.maximum(np.sqrt(var), 1e-6)
    return mean.tolist(), std.tolist()
