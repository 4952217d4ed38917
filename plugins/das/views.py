"""The DAS views, one transform list per role, and their options.

``strong`` (two_views: SimCLR, BYOL, VICReg, Barlow Twins, DINO): a random (distance,
time) crop, then each augmentation of ``plugins.das.augment`` with its probability.
``light`` (masked: MAE, also with ``mask_unit: line``, jDAS's hidden channels): the crop
and the two flips only, which keep every sample of the wavefield for reconstruction.
The options are ``DasViewOptions``, checked with defaults filled in by the kit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugins.das.augment import (
    AddNoise,
    ChannelDropout,
    ChannelGain,
    DeadChannels,
    FibreFlip,
    FkMask,
    MixCoherent,
    PolarityFlip,
    TimeShift,
)
from plugins.das.spec import TARGET_RATE_HZ
from plugins.das.view_options import DasViewOptions  # noqa: F401  (re-exported)
from sslsci.plugins.contract import Transform
from sslsci.views import RandomApply, RandomCrop

MIX_BANK = 16  # earlier windows a MixCoherent keeps to mix in


def _maybe(transform: Transform, p: float) -> list[Transform]:
    return [RandomApply(transform, p=p)] if p > 0 else []


def _flips(o: Mapping[str, Any]) -> list[Transform]:
    return [*_maybe(PolarityFlip(), o["polarity_p"]), *_maybe(FibreFlip(), o["fibre_flip_p"])]


def crop(o: Mapping[str, Any]) -> RandomCrop:
    """Padded with 0 (the robust-scaled median) where a window is smaller."""
    return RandomCrop(tuple(o["crop_size"]), pad="constant", value=0.0)


def strong_view(o: Mapping[str, Any]) -> list[Transform]:
    """Crop, flips, time shift, channel gains, dropout, dead run, noise, f-k mask, mix."""
    low_snr, high_snr = o["noise_snr_db"]
    slow, fast = o["fk_velocity_mps"]
    fk = FkMask(
        min_mps=slow,
        max_mps=max(fast, slow * 1.0001),
        distance_step_m=o["distance_step_m"],
        time_step_s=1.0 / TARGET_RATE_HZ,
    )
    return [
        crop(o),
        *_flips(o),
        *_maybe(TimeShift(o["time_shift"]), o["time_shift_p"]),
        *_maybe(ChannelGain(o["channel_gain_sigma"]), o["channel_gain_p"]),
        *_maybe(ChannelDropout(o["dropout_fraction"]), o["dropout_p"]),
        *_maybe(DeadChannels(o["dead_run"]), o["dead_p"]),
        *_maybe(AddNoise(low_snr, high_snr), o["noise_p"]),
        *_maybe(fk, o["fk_p"]),
        *([MixCoherent(o["mix_ratio"], MIX_BANK, o["mix_p"])] if o["mix_ratio"] else []),
    ]


def light_view(o: Mapping[str, Any]) -> list[Transform]:
    """Crop and flips: the wavefield stays whole for masked reconstruction."""
    return [crop(o), *_flips(o)]


VIEWS = {"strong": strong_view, "light": light_view}
