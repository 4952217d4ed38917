"""The store's layout decision, in one place: chunk shape and codec per stored item.

Chosen by measurement (``benchmarks/bench_layout.py``: the same random windows with every
cache off, for 1-D, 2-D and 3-D items, on zarr v3 chunked (several shapes) and sharded,
blosc-lz4 / zstd / raw, HDF5 chunked and contiguous, and a memory-mapped ``.npy``). Raw
bytes read through a memory map won for every dimensionality, by 4x (1-D) to 20x (3-D)
over lz4 chunks, for 1.25-1.3x the disk of lz4 (float sensor data compresses poorly):
decoding, not reading, was the cost. So by default an item is stored raw, in one chunk
up to ``SINGLE_CHUNK_BYTES`` (a window is one slice of a memory map), and raw chunks of
``RAW_CHUNK_BYTES`` beyond that. Mapped pages live in the OS page cache, which drops
them under memory pressure: an archive larger than RAM is sampled without loading it.

An explicit codec (lz4, zstd: smaller archives, slower windows) keeps the compressed
chunk shapes measured by ``benchmarks/bench_ct_crops.py``; the store's decoded-chunk cache
(bounded in bytes) then serves repeat reads of those chunks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Bytes per compressed chunk. Volumes get larger chunks: a 96^3 crop from 32^3 float32
# chunks decodes up to 64 of them, and per-chunk overhead dominated (bench_ct_crops.py:
# 64^3 lz4 served random 96^3 crops ~1.5x faster than 32^3 at the same size on disk).
TARGET_CHUNK_BYTES = 512 * 1024
VOLUME_CHUNK_BYTES = 1024 * 1024
# Raw items up to this size are one chunk; larger ones are cut into raw chunks this big.
SINGLE_CHUNK_BYTES = 1024**3
RAW_CHUNK_BYTES = 16 * 1024**2
AUTO = "auto"


@dataclass(frozen=True)
class Layout:
    """How one item is written: its zarr chunk shape and codec name."""

    chunks: tuple[int, ...]
    codec: str


def choose_layout(
    shape: tuple[int, ...],
    dims: tuple[str, ...],
    window_dims: tuple[str, ...],
    itemsize: int,
    codec: str = AUTO,
) -> Layout:
    """The measured default for an item; a ``codec`` other than "auto" forces that codec."""
    if codec != AUTO:
        return Layout(choose_chunks(shape, dims, window_dims, itemsize), codec)
    if math.prod(shape) * itemsize <= SINGLE_CHUNK_BYTES:
        return Layout(tuple(shape), "none")
    return Layout(choose_chunks(shape, dims, window_dims, itemsize, RAW_CHUNK_BYTES), "none")


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
