"""Augmentations for one ``[channel, time]`` window; all randomness from the generator.

Each transform is a small frozen dataclass called as ``t(x, generator)`` (picklable, so
data-loader workers can hold them), drawing through ``sslsci.views.rng`` so a seed gives
the same views on any device; crops and ``RandomApply`` are the core's (``sslsci.views``).
References: Um et al. 2017 (scaling, jitter, time warp, permutation, rotation for
wearables), Saeed et al. 2019 and Yuan et al. 2024 (reversal, permutation, warping).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from sslsci.views.rng import rand, randint, randn

DEFAULT_TRIPLES: tuple[tuple[int, int, int], ...] = ((0, 1, 2), (3, 4, 5))


def rotation_matrix(axis: torch.Tensor, angle: float) -> torch.Tensor:
    """Rodrigues' formula: rotation by ``angle`` (radians) about the unit ``axis``."""
    x, y, z = axis.tolist()
    k = torch.tensor([[0.0, -z, y], [z, 0.0, -x], [-y, x, 0.0]], dtype=torch.float64)
    eye = torch.eye(3, dtype=torch.float64)
    return eye + math.sin(angle) * k + (1.0 - math.cos(angle)) * (k @ k)


@dataclass(frozen=True)
class Rotate3D:
    """One random 3-D rotation applied to every sensor triple (acc and gyro turn together),
    as if the device sat in another orientation. Triples beyond the tensor are skipped."""

    triples: tuple[tuple[int, int, int], ...] = DEFAULT_TRIPLES
    max_degrees: float = 180.0

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        axis = randn(g, 3).double()
        axis = axis / axis.norm().clamp_min(1e-12)
        angle = math.radians(self.max_degrees) * (2.0 * float(rand(g, 1)) - 1.0)
        rotation = rotation_matrix(axis.cpu(), angle).to(x.device, x.dtype)
        out = x.clone()
        for triple in self.triples:
            if max(triple) < x.shape[0]:
                rows = list(triple)
                out[rows] = rotation @ x[rows]
        return out


@dataclass(frozen=True)
class Scale:
    """Multiply each channel by a factor drawn from N(1, sigma²)."""

    sigma: float = 0.1

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        factors = 1.0 + self.sigma * randn(g, x.shape[0], 1)
        return x * factors.to(x.device, x.dtype)


@dataclass(frozen=True)
class Jitter:
    """Add white Gaussian noise of standard deviation ``sigma`` (g or rad/s)."""

    sigma: float = 0.02

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        return x + self.sigma * randn(g, *x.shape).to(x.device, x.dtype)


def _sample_along_time(x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """Linear interpolation of ``x [C, T]`` at fractional sample ``positions [T']``."""
    positions = positions.clamp(0, x.shape[1] - 1)
    lo = positions.floor().long().clamp(max=x.shape[1] - 1)
    hi = (lo + 1).clamp(max=x.shape[1] - 1)
    frac = (positions - lo).to(x.dtype)
    return x[:, lo] * (1 - frac) + x[:, hi] * frac


@dataclass(frozen=True)
class TimeWarp:
    """Smoothly speed up and slow down time: a speed curve through ``knots`` random values
    from N(1, sigma²) is integrated into new sample positions; the length is kept."""

    sigma: float = 0.2
    knots: int = 4

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        length = x.shape[1]
        if length < 2:
            return x
        speeds = (1.0 + self.sigma * randn(g, self.knots + 2)).clamp_min(0.1).cpu()
        curve = F.interpolate(
            speeds.view(1, 1, -1), size=length, mode="linear", align_corners=True
        ).view(-1)
        warped = torch.cumsum(curve, 0) - curve[0]
        warped = warped / warped[-1] * (length - 1)
        return _sample_along_time(x, warped.to(x.device))


@dataclass(frozen=True)
class Permute:
    """Cut the window at random points into 2..``max_segments`` pieces and shuffle them."""

    max_segments: int = 5

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        length = x.shape[1]
        pieces = min(randint(g, 2, self.max_segments + 1), length)
        if pieces < 2:
            return x
        cuts = (torch.randperm(length - 1, generator=g, device=g.device)[: pieces - 1] + 1).cpu()
        bounds = [0, *sorted(cuts.tolist()), length]
        segments = [x[:, a:b] for a, b in itertools.pairwise(bounds)]
        order = torch.randperm(pieces, generator=g, device=g.device).tolist()
        return torch.cat([segments[i] for i in order], dim=1)


@dataclass(frozen=True)
class Reverse:
    """Play the window backwards (the arrow of time flips)."""

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        return x.flip(1)


@dataclass(frozen=True)
class ChannelDropout:
    """Zero each channel with probability ``p``, always keeping at least one."""

    p: float = 0.1

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        drop = rand(g, x.shape[0]) < self.p
        if bool(drop.all()):
            drop[randint(g, 0, x.shape[0])] = False
        keep = (~drop).to(x.device, x.dtype).unsqueeze(1)
        return x * keep


def triples_for(channels: Sequence[str] | None) -> tuple[tuple[int, int, int], ...]:
    """Index triples of the acc and gyro axes given channel names (default: spec order)."""
    if channels is None:
        return DEFAULT_TRIPLES
    names = list(channels)
    triples = []
    for prefix in ("acc", "gyr"):
        axes = [f"{prefix}_{a}" for a in "xyz"]
        if all(a in names for a in axes):
            i, j, k = (names.index(a) for a in axes)
            triples.append((i, j, k))
    return tuple(triples)
