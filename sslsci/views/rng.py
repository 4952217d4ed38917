"""Random numbers for transforms, every one drawn from the generator a view is handed.

Draws happen on the generator's device and are then moved to the tensor's, so one
seed gives the same views on any device and in any DataLoader worker.
"""

from __future__ import annotations

import torch

LIBRARY_SEED_LIMIT = 2**31 - 1


def rand(g: torch.Generator, *shape: int) -> torch.Tensor:
    """Uniform [0, 1) values of ``shape`` on the generator's device."""
    return torch.rand(shape, generator=g, device=g.device)


def randn(g: torch.Generator, *shape: int) -> torch.Tensor:
    """Standard normal values of ``shape`` on the generator's device."""
    return torch.randn(shape, generator=g, device=g.device)


def uniform(g: torch.Generator, low: float, high: float) -> float:
    """One float drawn uniformly from [low, high)."""
    return low + (high - low) * float(rand(g, 1))


def randint(g: torch.Generator, low: int, high: int) -> int:
    """One int drawn uniformly from [low, high)."""
    return int(torch.randint(low, high, (1,), generator=g, device=g.device).item())


def library_seed(g: torch.Generator) -> int:
    """A seed for a library with its own random state (MONAI, numpy), drawn from ``g``."""
    return randint(g, 0, LIBRARY_SEED_LIMIT)
