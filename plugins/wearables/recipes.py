"""Augmentation recipes per SSL method: one list of transforms per view.

Contrastive and self-distillation methods get two strongly augmented views (rotation
and scaling matter most for wearables, Tang et al. 2020); MAE sees one lightly
augmented view; the multitask method (Yuan et al. 2024) makes its own arrow-of-time,
permutation and time-warp targets on the batch, so it gets one view.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugins.wearables.augment import (
    ChannelDropout,
    Jitter,
    Permute,
    RandomApply,
    RandomCrop,
    Rotate3D,
    Scale,
    TimeWarp,
    triples_for,
)
from sslsci.plugins.contract import Transform

TWO_STRONG_VIEWS = ("simclr", "byol", "vicreg", "barlow_twins", "dino")
KNOWN_METHODS = (*TWO_STRONG_VIEWS, "mae", "multitask")


def _crop(options: Mapping[str, Any]) -> list[Transform]:
    crop = options.get("crop")
    if crop is None:
        return []
    if isinstance(crop, bool) or not isinstance(crop, int) or crop < 1:
        raise ValueError(f"option crop={crop!r} must be a positive number of samples, e.g. 300")
    return [RandomCrop(crop)]


def _rotation(options: Mapping[str, Any]) -> Rotate3D:
    return Rotate3D(
        triples=triples_for(options.get("channels")),
        max_degrees=float(options.get("max_rotation_degrees", 180.0)),
    )


def strong_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop, rotation, scaling, time warp, permutation, channel dropout, jitter."""
    return [
        *_crop(options),
        RandomApply(_rotation(options), p=0.8),
        RandomApply(Scale(sigma=0.1), p=0.8),
        RandomApply(TimeWarp(sigma=0.2, knots=4), p=0.5),
        RandomApply(Permute(max_segments=4), p=0.3),
        RandomApply(ChannelDropout(p=0.15), p=0.2),
        Jitter(sigma=0.02),
    ]


def light_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop, mild scaling and a little noise: the signal stays recognisable for MAE."""
    return [*_crop(options), RandomApply(Scale(sigma=0.05), p=0.5), Jitter(sigma=0.01)]


def multitask_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop and orientation change only; the method adds its own pretext transforms."""
    return [*_crop(options), RandomApply(_rotation(options), p=0.5)]


def views_for(method: str, **options: Any) -> list[list[Transform]]:
    """The views a method needs, as lists of transforms; unknown options are ignored."""
    key = method.lower()
    if key in TWO_STRONG_VIEWS:
        return [strong_view(options), strong_view(options)]
    if key == "mae":
        return [light_view(options)]
    if key == "multitask":
        return [multitask_view(options)]
    raise ValueError(
        f"wearables has no augmentation recipe for method {method!r}; known methods: "
        f"{', '.join(KNOWN_METHODS)}"
    )
