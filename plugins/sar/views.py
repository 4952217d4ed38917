"""The SAR views, one transform list per role a method's view kind asks for.

A strong view (``two_views``: SimCLR, BYOL, VICReg, ...) crops, flips, rotates by 90
degrees, adds speckle of ``speckle_looks`` looks, shifts the intensity by up to
``shift_db`` dB and may blank one polarisation: the invariances a SAR encoder should
learn (speckle realisation, calibration offsets, orientation, a missing channel). A
light view (``masked``: MAE) only crops, flips and rotates: the method reconstructs it,
so its radiometry stays as measured. Options: ``SarViewOptions``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugins.sar.augment import (
    ChannelDropout,
    DecibelScale,
    RandomFlips,
    RandomRot90,
    ShiftDb,
    Speckle,
)
from sslsci.plugins.contract import Transform
from sslsci.views import RandomApply, RandomCrop


def decibel_scale(options: Mapping[str, Any]) -> DecibelScale:
    pols = options["polarisations"]
    return DecibelScale(
        tuple(float(options["window_db_mean"][p]) for p in pols),
        tuple(float(options["window_db_std"][p]) for p in pols),
    )


def geometry(options: Mapping[str, Any]) -> list[Transform]:
    """Crop (padded with 0, the standardised mean), flips, 90-degree rotation."""
    return [
        RandomCrop(tuple(options["crop_size"]), pad="constant", value=0.0),
        RandomFlips(p=0.5),
        RandomRot90(),
    ]


def strong_view(options: Mapping[str, Any]) -> list[Transform]:
    scale = decibel_scale(options)
    return [
        *geometry(options),
        RandomApply(Speckle(scale, looks=float(options["speckle_looks"])), p=options["speckle_p"]),
        RandomApply(ShiftDb(scale, max_db=float(options["shift_db"])), p=options["shift_p"]),
        RandomApply(ChannelDropout(), p=options["dropout_p"]),
    ]


def light_view(options: Mapping[str, Any]) -> list[Transform]:
    return geometry(options)


VIEWS = {"strong": strong_view, "light": light_view}
