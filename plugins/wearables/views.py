"""The wearables views, one transform list per role (the core picks roles per method).

Strong views (two-view methods) lean on rotation and scaling, which matter most for
wearables (Tang et al. 2020); the light view keeps the signal recognisable for masked
reconstruction; the pretext view only changes orientation, because the multitask
method (Yuan et al. 2024) adds its own arrow-of-time, permutation and warp targets.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugins.wearables.augment import (
    ChannelDropout,
    Jitter,
    Permute,
    Rotate3D,
    Scale,
    TimeWarp,
    triples_for,
)
from sslsci.plugins import Transform
from sslsci.views import RandomApply, RandomCrop


def _crop(options: Mapping[str, Any]) -> list[Transform]:
    """A random ``crop`` of the window (edge-padded when short), or none."""
    crop = options["crop"]
    return [] if crop is None else [RandomCrop((crop,), pad="replicate")]


def _rotation(options: Mapping[str, Any]) -> Rotate3D:
    return Rotate3D(
        triples=triples_for(options["channels"]),
        max_degrees=float(options["max_rotation_degrees"]),
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
    """Crop, mild scaling and a little noise."""
    return [*_crop(options), RandomApply(Scale(sigma=0.05), p=0.5), Jitter(sigma=0.01)]


def pretext_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop and an orientation change only; the method adds its own pretext transforms."""
    return [*_crop(options), RandomApply(_rotation(options), p=0.5)]


VIEWS = {"strong": strong_view, "light": light_view, "pretext": pretext_view}
