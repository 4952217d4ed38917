"""Cutting N-D inputs into non-overlapping patches and putting them back.

A patch's values are laid out patch-position first, channel last, as MAE's
``patchify`` does for images; tokens follow the row-major order of the patch grid,
the order in which ``ConvNd(..., stride=patch).flatten(2)`` emits them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from torch import Tensor


def grid_shape(spatial_shape: Sequence[int], patch_size: Sequence[int]) -> tuple[int, ...]:
    """Patches per axis; raise a ValueError naming the shape and the patch if they don't fit."""
    spatial, patch = tuple(int(s) for s in spatial_shape), tuple(patch_size)
    if len(spatial) != len(patch):
        raise ValueError(
            f"input has spatial shape {spatial} ({len(spatial)} dims), but patch_size {patch} "
            f"has {len(patch)}; pass tensors shaped [batch, channel, *spatial] with "
            f"{len(patch)} spatial dims."
        )
    if any(s < p or s % p for s, p in zip(spatial, patch, strict=True)):
        fitted = tuple(max(p, s - s % p) for s, p in zip(spatial, patch, strict=True))
        raise ValueError(
            f"input spatial shape {spatial} is not a multiple of patch_size {patch}; crop or "
            f"pad every spatial dim to a multiple of its patch (e.g. to {fitted})."
        )
    return tuple(s // p for s, p in zip(spatial, patch, strict=True))


def patchify(x: Tensor, patch_size: Sequence[int]) -> Tensor:
    """[B, C, *spatial] -> [B, N, prod(patch) * C] in grid order."""
    batch, channels = x.shape[:2]
    grid = grid_shape(x.shape[2:], patch_size)
    axes = len(grid)
    split: list[int] = []
    for cells, patch in zip(grid, patch_size, strict=True):
        split += [cells, patch]
    x = x.reshape(batch, channels, *split)
    grid_axes = [2 + 2 * i for i in range(axes)]
    patch_axes = [3 + 2 * i for i in range(axes)]
    x = x.permute(0, *grid_axes, *patch_axes, 1)
    return x.reshape(batch, math.prod(grid), math.prod(patch_size) * channels)


def unpatchify(
    patches: Tensor, grid: Sequence[int], patch_size: Sequence[int], channels: int
) -> Tensor:
    """Inverse of ``patchify``: [B, N, prod(patch) * C] -> [B, C, *spatial]."""
    batch, axes = patches.shape[0], len(grid)
    expected = (math.prod(grid), math.prod(patch_size) * channels)
    if tuple(patches.shape[1:]) != expected:
        raise ValueError(
            f"unpatchify expects patches of shape [batch, {expected[0]}, {expected[1]}] for grid "
            f"{tuple(grid)}, patch {tuple(patch_size)} and {channels} channels, got "
            f"{tuple(patches.shape)}."
        )
    x = patches.reshape(batch, *grid, *patch_size, channels)
    order = [0, 2 * axes + 1]
    for i in range(axes):
        order += [1 + i, 1 + axes + i]
    x = x.permute(*order)
    return x.reshape(batch, channels, *(g * p for g, p in zip(grid, patch_size, strict=True)))
