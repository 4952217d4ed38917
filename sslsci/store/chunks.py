"""Chunk shapes of stored items, chosen so random windows decode few, large chunks."""

from __future__ import annotations

import math

# Bytes per chunk. Volumes get larger chunks: a 96^3 crop from 32^3 float32 chunks
# decodes up to 64 of them, and per-chunk overhead dominated (benchmarks/bench_ct_crops.py:
# 64^3 lz4 served random 96^3 crops ~1.5x faster than 32^3 at the same size on disk).
TARGET_CHUNK_BYTES = 512 * 1024
VOLUME_CHUNK_BYTES = 1024 * 1024


def choose_chunks(
    shape: tuple[int, ...],
    dims: tuple[str, ...],
    window_dims: tuple[str, ...],
    itemsize: int,
    target_bytes: int | None = None,
) -> tuple[int, ...]:
    """Chunk whole along non-window dims, and power-of-two cubes of ~target_bytes along
    window dims (``VOLUME_CHUNK_BYTES`` for 3+ window dims, else ``TARGET_CHUNK_BYTES``)."""
    if target_bytes is None:
        target_bytes = VOLUME_CHUNK_BYTES if len(window_dims) >= 3 else TARGET_CHUNK_BYTES
    other = math.prod(n for n, d in zip(shape, dims, strict=True) if d not in window_dims)
    per_dim_budget = max(1.0, target_bytes / max(1, other * itemsize))
    # The epsilon keeps exact powers (262144 ** (1/3) = 63.999...) from rounding down.
    exponent = math.log2(per_dim_budget ** (1 / max(1, len(window_dims)))) + 1e-9
    side = max(16, 2 ** int(exponent))
    return tuple(min(n, side) if d in window_dims else n for n, d in zip(shape, dims, strict=True))
