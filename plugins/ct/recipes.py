"""Augmentation recipes per SSL method: one list of transforms per view.

Contrastive and self-distillation methods get two strongly augmented random crops
of the same window (as in 3-D SimCLR/BYOL work on CT, e.g. Tang et al. 2022 for
SwinUNETR pretraining: crops, flips, 90-degree rotations, intensity changes,
cut-out); MAE gets one lightly augmented crop, and the method draws its own 3-D
token masks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugins.ct.augment import (
    DEFAULT_CROP,
    coarse_dropout,
    crop_size_option,
    flips,
    gaussian_noise,
    intensity,
    random_crop,
    rotate90,
    small_affine,
)
from sslsci.plugins.contract import Transform

TWO_STRONG_VIEWS = ("simclr", "byol", "vicreg", "barlow_twins", "dino")
KNOWN_METHODS = (*TWO_STRONG_VIEWS, "mae")


def strong_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop, flips, 90-degree rotation, small affine, intensity, noise, coarse dropout."""
    crop = crop_size_option(options.get("crop_size", DEFAULT_CROP))
    return [
        *random_crop(crop),
        *flips(prob=0.5),
        rotate90(prob=0.5),
        small_affine(prob=0.3),
        *intensity(scale=0.1, shift=0.1, prob=0.8),
        gaussian_noise(std=0.02, prob=0.3),
        coarse_dropout(crop, prob=0.3),
    ]


def light_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop, flips and a mild intensity change: the anatomy stays intact for MAE."""
    crop = crop_size_option(options.get("crop_size", DEFAULT_CROP))
    return [*random_crop(crop), *flips(prob=0.5), *intensity(scale=0.05, shift=0.05, prob=0.5)]


def views_for(method: str, **options: Any) -> list[list[Transform]]:
    """The views a method needs; option ``crop_size`` (voxels), others ignored."""
    key = method.lower()
    if key in TWO_STRONG_VIEWS:
        return [strong_view(options), strong_view(options)]
    if key == "mae":
        return [light_view(options)]
    raise ValueError(
        f"ct has no augmentation recipe for method {method!r}; known methods: "
        f"{', '.join(KNOWN_METHODS)}"
    )
