"""Fixed sine-cosine position embeddings for token grids of any size and dimension.

Vaswani et al. 2017 (1D) as extended to 2D by MAE (He et al. 2022, official
``get_2d_sincos_pos_embed``): the embedding width is split evenly between the grid
axes and each part encodes its axis' integer coordinate with sines and cosines.
Because the code depends only on the coordinate, a token keeps its embedding when
the grid grows, so inputs of any size (a multiple of the patch) can be embedded.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor


def sincos_1d(positions: Tensor, dim: int, temperature: float = 10000.0) -> Tensor:
    """Positions [N] -> [N, dim] as ``[sin(p * w_k), cos(p * w_k)]``, ``w_k = T^(-2k/dim)``."""
    if dim % 2:
        raise ValueError(f"sincos_1d needs an even dim, got {dim}.")
    omega = torch.arange(dim // 2, dtype=torch.float64, device=positions.device) / (dim / 2.0)
    omega = 1.0 / temperature**omega
    angles = positions.to(torch.float64)[:, None] * omega[None, :]
    return torch.cat([torch.sin(angles), torch.cos(angles)], dim=1)


def sincos_position_embedding(
    grid: Sequence[int], dim: int, device: torch.device | str | None = None
) -> Tensor:
    """Embedding [1, prod(grid), dim] of a row-major token grid (the order of ``flatten``).

    Each of the ``n`` axes gets ``2 * (dim // (2 n))`` channels; leftover channels
    (when ``dim`` is not a multiple of ``2 n``) are zero.
    """
    axes = len(grid)
    per_axis = 2 * (dim // (2 * axes))
    if axes == 0 or per_axis == 0:
        raise ValueError(
            f"sincos position embedding of width {dim} cannot encode a {axes}-D grid; "
            f"use an embedding width of at least {2 * max(axes, 1)}."
        )
    coords = torch.meshgrid(*[torch.arange(size, device=device) for size in grid], indexing="ij")
    parts = [sincos_1d(axis.reshape(-1), per_axis) for axis in coords]
    embedding = torch.cat(parts, dim=1)
    padding = dim - embedding.shape[1]
    if padding:
        embedding = torch.nn.functional.pad(embedding, (0, padding))
    return embedding.to(torch.float32)[None]
