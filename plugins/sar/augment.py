"""Seeded SAR augmentations of one standardised ``[C, y, x]`` window.

Every random number comes from the generator a view is handed (``sslsci.views.rng``);
Gamma draws go through numpy seeded by ``rng.library_seed(g)``, so one seed gives the
same views in any process. Views see standardised windows; ``DecibelScale`` maps them
to dB and back, so speckle and intensity shifts are drawn in physical units:

- speckle is multiplicative in LINEAR intensity: the window goes to dB, then to linear,
  is multiplied by Gamma(L, 1/L) noise (mean 1, variance 1/L: fully developed speckle of
  L looks), and comes back to dB and to standardised units;
- an intensity shift adds one dB offset to all channels (calibration or incidence
  differences between acquisitions);
- channel dropout blanks one polarisation (to 0, the standardised mean);
- flips and 90-degree rotations move the ground, not the radiometry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from sslsci.views.rng import library_seed, randint, uniform


@dataclass(frozen=True)
class DecibelScale:
    """dB = mean_db + std_db * x per channel, for standardised windows ``x``."""

    mean_db: tuple[float, ...]
    std_db: tuple[float, ...]

    def _shaped(self, values: tuple[float, ...], x: torch.Tensor) -> torch.Tensor:
        if len(values) != x.shape[0]:
            raise ValueError(
                f"the window has {x.shape[0]} channels but the views' polarisations name "
                f"{len(values)}; set views.polarisations to the catalog's polarisations"
            )
        return torch.tensor(values, dtype=x.dtype, device=x.device).reshape(-1, *[1] * (x.ndim - 1))

    def to_db(self, x: torch.Tensor) -> torch.Tensor:
        return self._shaped(self.mean_db, x) + self._shaped(self.std_db, x) * x

    def from_db(self, db: torch.Tensor) -> torch.Tensor:
        return (db - self._shaped(self.mean_db, db)) / self._shaped(self.std_db, db)


def gamma_noise(g: torch.Generator, looks: float, shape: tuple[int, ...]) -> np.ndarray:
    """Gamma(shape=looks, scale=1/looks) samples (mean 1, variance 1/looks), seeded by g."""
    rng = np.random.default_rng(library_seed(g))
    return rng.gamma(looks, 1.0 / looks, size=shape)


def speckle_db(db: torch.Tensor, looks: float, g: torch.Generator) -> torch.Tensor:
    """Multiplicative L-look speckle on a dB window, drawn in the linear domain."""
    linear = torch.pow(10.0, db.double() / 10.0)
    noise = torch.from_numpy(gamma_noise(g, looks, tuple(db.shape))).to(linear.device)
    return (10.0 * torch.log10(linear * noise)).to(db.dtype)


@dataclass(frozen=True)
class Speckle:
    """Add L-look speckle to a standardised window (via dB and linear intensity)."""

    scale: DecibelScale
    looks: float = 5.0

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        return self.scale.from_db(speckle_db(self.scale.to_db(x), self.looks, g))


@dataclass(frozen=True)
class ShiftDb:
    """Add one offset drawn from U(-max_db, max_db) dB to every channel."""

    scale: DecibelScale
    max_db: float = 2.0

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        shift = uniform(g, -self.max_db, self.max_db)
        return self.scale.from_db(self.scale.to_db(x) + shift)


@dataclass(frozen=True)
class ChannelDropout:
    """Blank one polarisation channel, drawn uniformly; a one-channel window is kept."""

    value: float = 0.0

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        if x.shape[0] < 2:
            return x
        out = x.clone()
        out[randint(g, 0, x.shape[0])] = self.value
        return out


@dataclass(frozen=True)
class RandomFlips:
    """Mirror along y and along x, each with probability ``p``."""

    p: float = 0.5

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        dims = [d for d in (-2, -1) if uniform(g, 0.0, 1.0) < self.p]
        return torch.flip(x, dims) if dims else x


@dataclass(frozen=True)
class RandomRot90:
    """Rotate by k x 90 degrees, k uniform; a non-square window turns by 0 or 180 only,
    so every view keeps its shape."""

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        square = x.shape[-1] == x.shape[-2]
        k = randint(g, 0, 4) if square else 2 * randint(g, 0, 2)
        return torch.rot90(x, k, dims=(-2, -1)) if k else x
