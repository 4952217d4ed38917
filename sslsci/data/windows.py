"""Cutting windows from stored items along the named window dims (zero-padded when short)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import torch

from sslsci.store import ArrayStore, ItemRow


def window_sizes(item: ItemRow, window: Mapping[str, int]) -> tuple[int, ...]:
    """The window's extent along every dim of an item (whole extent off the window dims)."""
    return tuple(window.get(dim, n) for dim, n in zip(item.dims, item.shape, strict=True))


def cut_window(
    store: ArrayStore, item: ItemRow, window: Mapping[str, int], starts: Sequence[int]
) -> np.ndarray:
    """Read a window starting at ``starts``; zero-pad where the item is shorter."""
    return cut_windows(store, item, window, [starts])[0]


def cut_windows(
    store: ArrayStore,
    item: ItemRow,
    window: Mapping[str, int],
    starts: Sequence[Sequence[int]],
) -> list[np.ndarray]:
    """Windows of one item from a single read (each chunk fetched once for all of them)."""
    sizes = window_sizes(item, window)
    indices = [
        tuple(
            slice(s, min(s + size, n)) for s, size, n in zip(first, sizes, item.shape, strict=True)
        )
        for first in starts
    ]
    return [_padded(values, sizes) for values in store.read_many(item.store_key, indices)]


def _padded(values: np.ndarray, sizes: tuple[int, ...]) -> np.ndarray:
    if values.shape == sizes:
        return values
    padded = np.zeros(sizes, dtype=values.dtype)
    padded[tuple(slice(0, n) for n in values.shape)] = values
    return padded


def random_starts(item: ItemRow, window: Mapping[str, int], g: torch.Generator) -> list[int]:
    sizes = window_sizes(item, window)
    return [
        int(torch.randint(0, n - size + 1, (1,), generator=g)) if n > size else 0
        for n, size in zip(item.shape, sizes, strict=True)
    ]
