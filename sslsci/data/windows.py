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
    sizes = window_sizes(item, window)
    index = tuple(
        slice(s, min(s + size, n)) for s, size, n in zip(starts, sizes, item.shape, strict=True)
    )
    values = store.read(item.store_key, index)
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
