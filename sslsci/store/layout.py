"""The store's layout decision, in one place: chunk shape and codec per stored item.

Chosen by measurement (``benchmarks/bench_layout.py``: random windows with every cache
off, per dimensionality, on zarr v3 chunked and sharded, blosc-lz4 / zstd / raw, HDF5
and a memory-mapped raw file). Small items are stored raw in one chunk and read through
a memory map: no decode, and the OS page cache (not this process) holds them, so an
archive larger than RAM still works. Larger items are cut into chunks along the window
dims and compressed, and a decoded-chunk cache of bounded bytes serves repeat reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# Bytes per chunk. Volumes get larger chunks: a 96^3 crop from 32^3 float32 chunks
# decodes up to 64 of them, and per-chunk overhead dominated (benchmarks/bench_ct_crops.py:
# 64^3 lz4 served random 96^3 crops ~1.5x faster than 32^3 at the same size on disk).
TARGET_CHUNK_BYTES = 512 * 1024
VOLUME_CHUNK_BYTES = 1024 * 1024
# Items up to this size are one raw, memory-mapped chunk (see the module docstring).
SMALL_ITEM_BYTES = 4 * 1024 * 1024
# Codec of chunked (larger) items, per number of window dims, from bench_layout.py.
CHUNKED_CODEC = {1: "lz4", 2: "lz4", 3: "lz4"}


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
    codec: str = "auto",
) -> Layout:
    """The measured default for an item (``codec`` other than "auto" forces the codec)."""
    nbytes = math.prod(shape) * itemsize
    if codec == "auto" and nbytes <= SMALL_ITEM_BYTES:
        return Layout(tuple(shape), "none")
    chunks = choose_chunks(shape, dims, window_dims, itemsize)
    if codec == "auto":
        codec = CHUNKED_CODEC[min(3, max(1, len(window_dims)))]
    return Layout(chunks, codec)


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
