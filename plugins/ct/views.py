"""The CT views, one transform list per role: what a method's view kind is made of.

Two strongly augmented random crops of the same window (as in 3-D SimCLR/BYOL work on
CT, e.g. Tang et al. 2022 for SwinUNETR pretraining: crops, flips, 90-degree rotations,
intensity changes, cut-out) for the ``two_views`` kind; one lightly augmented crop for
``masked``, whose method draws its own 3-D token masks. Options: ``CtViewOptions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugins.ct.augment import (
    coarse_dropout,
    flips,
    gaussian_noise,
    intensity,
    rotate90,
    small_affine,
)
from sslsci.plugins.contract import Transform
from sslsci.views import RandomCrop


def crop(size: tuple[int, int, int]) -> RandomCrop:
    """A random crop, padded with 0 where the window is smaller: views run on standardised
    windows, where 0 is the archive's mean intensity."""
    return RandomCrop(tuple(size), pad="constant", value=0.0)


def strong_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop, flips, 90-degree rotation, small affine, intensity, noise, coarse dropout."""
    size = options["crop_size"]
    return [
        crop(size),
        *flips(prob=0.5),
        rotate90(prob=0.5),
        small_affine(prob=0.3),
        *intensity(scale=0.1, shift=0.1, prob=0.8),
        gaussian_noise(std=0.02, prob=0.3),
        coarse_dropout(size, prob=0.3),
    ]


def light_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop, flips and a mild intensity change: the anatomy stays intact for MAE."""
    return [
        crop(options["crop_size"]),
        *flips(prob=0.5),
        *intensity(scale=0.05, shift=0.05, prob=0.5),
    ]


VIEWS = {"strong": strong_view, "light": light_view}
