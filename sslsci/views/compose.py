"""Combinators every plugin's views use: apply in order, apply with a probability."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import torch

from sslsci.views.rng import uniform

if TYPE_CHECKING:
    from sslsci.plugins.contract import Transform


@dataclass(frozen=True)
class Compose:
    """Apply ``transforms`` in order, each drawing from the same generator."""

    transforms: Sequence[Transform]

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        for transform in self.transforms:
            x = transform(x, g)
        return x


@dataclass(frozen=True)
class RandomApply:
    """Apply ``transform`` with probability ``p`` (one uniform draw decides)."""

    transform: Transform
    p: float = 0.5

    def __post_init__(self) -> None:
        if not 0.0 <= self.p <= 1.0:
            raise ValueError(f"RandomApply p={self.p} must lie in [0, 1]")

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        return self.transform(x, g) if uniform(g, 0.0, 1.0) < self.p else x
