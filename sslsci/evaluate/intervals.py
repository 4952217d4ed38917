"""Mean and 95% Student-t interval over seeds: how far a score moves when only the seed does."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

CONFIDENCE = 0.95


def mean_interval(values: Sequence[float], confidence: float = CONFIDENCE) -> dict[str, Any]:
    """``mean``, ``low``/``high`` of the t-interval, ``half_width``, ``std`` and ``n_seeds``.

    With one seed there is no spread to estimate: the interval is ``None``, not zero.
    """
    data = np.asarray([float(v) for v in values], dtype=np.float64)
    if data.size == 0:
        raise ValueError("no values to summarise; run at least one seed")
    mean = float(data.mean())
    result: dict[str, Any] = {
        "mean": mean,
        "n_seeds": int(data.size),
        "values": data.tolist(),
        "confidence": confidence,
    }
    if data.size < 2:
        return {**result, "std": None, "half_width": None, "low": None, "high": None}
    std = float(data.std(ddof=1))
    half = float(stats.t.ppf(0.5 + confidence / 2, df=data.size - 1) * std / np.sqrt(data.size))
    return {**result, "std": std, "half_width": half, "low": mean - half, "high": mean + half}
