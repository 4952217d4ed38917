"""MONAI dictionary transforms as seeded sslsci transforms for one ``[C, X, Y, Z]`` window.

Each ``MonaiStep`` wraps one MONAI dictionary transform on the key ``"image"``. On
every call it draws a seed from the torch.Generator it is handed
(``sslsci.views.rng.library_seed``) and passes it to MONAI's ``set_random_state``, so a
generator seed fixes every view, in any process. Dictionary transforms share one
random draw across keys, so the same steps can move an image and its label map
together. The crop is the core's ``sslsci.views.RandomCrop``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from monai.transforms import (
    MapTransform,
    RandAffined,
    RandCoarseDropoutd,
    RandFlipd,
    RandGaussianNoised,
    Randomizable,
    RandRotate90d,
    RandScaleIntensityd,
    RandShiftIntensityd,
)

from sslsci.views.rng import library_seed

KEY = "image"


@dataclass(frozen=True)
class MonaiStep:
    """One MONAI dictionary transform, seeded from the generator on each call."""

    transform: MapTransform

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        if isinstance(self.transform, Randomizable):
            self.transform.set_random_state(seed=library_seed(g))
        out = self.transform({KEY: x})[KEY]
        out = out.as_tensor() if hasattr(out, "as_tensor") else torch.as_tensor(out)
        return out.to(device=x.device, dtype=x.dtype)


def flips(prob: float = 0.5) -> list[MonaiStep]:
    """Mirror each axis independently."""
    return [MonaiStep(RandFlipd(KEY, prob=prob, spatial_axis=axis)) for axis in range(3)]


def rotate90(prob: float = 0.5) -> MonaiStep:
    """A multiple of 90 degrees in the axial (x, y) plane."""
    return MonaiStep(RandRotate90d(KEY, prob=prob, max_k=3, spatial_axes=(0, 1)))


def small_affine(prob: float = 0.3, degrees: float = 15.0, scale: float = 0.1) -> MonaiStep:
    """Small rotation about each axis and isotropic-ish scaling, edges replicated."""
    radians = degrees * torch.pi / 180.0
    return MonaiStep(
        RandAffined(
            KEY,
            prob=prob,
            rotate_range=(radians, radians, radians),
            scale_range=(scale, scale, scale),
            mode="bilinear",
            padding_mode="border",
        )
    )


def intensity(scale: float, shift: float, prob: float) -> list[MonaiStep]:
    """Multiply by 1 + U(-scale, scale) and add U(-shift, shift) (window-scaled units)."""
    return [
        MonaiStep(RandScaleIntensityd(KEY, factors=scale, prob=prob)),
        MonaiStep(RandShiftIntensityd(KEY, offsets=shift, prob=prob)),
    ]


def gaussian_noise(std: float = 0.02, prob: float = 0.3) -> MonaiStep:
    return MonaiStep(RandGaussianNoised(KEY, prob=prob, mean=0.0, std=std))


def coarse_dropout(crop: Sequence[int], prob: float = 0.3, holes: int = 4) -> MonaiStep:
    """Blank ``holes`` boxes of 1/8 to 1/4 of the crop (filled with 0, the standardised mean)."""
    smallest = tuple(max(1, c // 8) for c in crop)
    largest = tuple(max(1, c // 4) for c in crop)
    return MonaiStep(
        RandCoarseDropoutd(
            KEY,
            holes=holes,
            spatial_size=smallest,
            max_spatial_size=largest,
            fill_value=0.0,
            prob=prob,
        )
    )
