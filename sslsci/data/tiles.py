"""Where the tiles of one item lie: the single definition of "the embedding of an item".

An item's embedding is the mean of the backbone's pooled embedding over its tiles:

- tiles are the model's window, laid without overlap along **every** window dim from the
  item's start; when a dim's length is not a multiple of the window, one last tile ends
  exactly at the item's end (overlapping its neighbour), so no sample is left out;
- a dim shorter than its window gets one tile, zero-padded at the end **after**
  standardisation (so the padding is the training mean), and backbones that take
  ``lengths=`` are told each tile's valid extent along the last dim;
- when the tiles number more than ``max_tiles``, ``max_tiles`` of them are used, evenly
  spaced in row-major tile order (``numpy.linspace`` over the tile index, rounded).

Evaluation (``LabelledWindows``), export (recorded in the bundle's
``preprocessing.embedding``) and ``PretrainedModel.embed`` all call these functions.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

DEFAULT_MAX_TILES = 16


def axis_starts(length: int, size: int) -> list[int]:
    """Non-overlapping starts of windows of ``size`` covering ``range(length)``; the last
    window ends at ``length`` (``[0]`` when the length is shorter than the window)."""
    if length <= size:
        return [0]
    starts = list(range(0, length - size + 1, size))
    if starts[-1] + size < length:
        starts.append(length - size)
    return starts


def tile_starts(
    shape: Sequence[int], sizes: Sequence[int], max_tiles: int = DEFAULT_MAX_TILES
) -> list[tuple[int, ...]]:
    """Start index of every tile along every axis (0 where the window spans the axis).

    ``sizes`` gives the window along each axis, the whole length off the window dims.
    """
    if max_tiles < 1:
        raise ValueError(f"max_tiles must be >= 1, got {max_tiles}")
    grid = list(itertools.product(*(axis_starts(n, s) for n, s in zip(shape, sizes, strict=True))))
    if len(grid) <= max_tiles:
        return grid
    chosen = np.linspace(0, len(grid) - 1, max_tiles).round().astype(int)
    return [grid[k] for k in chosen]


def tile_slices(
    shape: Sequence[int], sizes: Sequence[int], starts: Sequence[int]
) -> tuple[slice, ...]:
    """The part of the item a tile covers (shorter than the window where the item ends)."""
    return tuple(
        slice(s, min(s + size, n)) for s, size, n in zip(starts, sizes, shape, strict=True)
    )


def pad_tile(values: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    """Zero-pad ``values`` at the end of every axis up to ``sizes``."""
    if tuple(values.shape) == tuple(sizes):
        return values
    padded = np.zeros(tuple(sizes), dtype=values.dtype)
    padded[tuple(slice(0, n) for n in values.shape)] = values
    return padded


def valid_last(shape: Sequence[int], sizes: Sequence[int], starts: Sequence[int]) -> int:
    """Samples of the tile along the last axis before any padding."""
    return min(sizes[-1], shape[-1] - starts[-1])


def window_extent(dims: Sequence[str], shape: Sequence[int], window: dict[str, int]) -> list[int]:
    """The window's size along every axis of an item with ``dims`` (whole axis off-window)."""
    return [window.get(dim, n) for dim, n in zip(dims, shape, strict=True)]
