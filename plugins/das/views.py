"""The DAS views, one transform list per role, and their options.

``strong`` (two_views: SimCLR, BYOL, VICReg, Barlow Twins, DINO): a random (distance,
time) crop, then each augmentation of ``plugins.das.augment`` with its probability.
``light`` (masked: MAE, also with ``mask_unit: line``, jDAS's hidden channels): the crop
and the two flips only, which keep every sample of the wavefield for reconstruction.
The options are ``DasViewOptions``, checked with defaults filled in by the kit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

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
from sslsci.plugins.contract import Transform
from sslsci.plugins.options import Options
from sslsci.views import RandomApply, RandomCrop

MIX_BANK = 16  # earlier windows a MixCoherent keeps to mix in


def _crop_size(value: Any) -> tuple[int, int]:
    """One positive int (both dims) or [distance, time] samples."""
    sizes = [value, value] if isinstance(value, int) else value
    if (
        not isinstance(sizes, list | tuple)
        or len(sizes) != 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)
    ):
        raise ValueError("must be a positive int or [distance, time] samples, e.g. [64, 256]")
    return sizes[0], sizes[1]


def _range(value: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError("must be [low, high], e.g. [5, 30]") from None
    if not low <= high:
        raise ValueError(f"must be [low, high] with low <= high, got [{low:g}, {high:g}]")
    return low, high


CropSize = Annotated[tuple[int, int], BeforeValidator(_crop_size)]
Range = Annotated[tuple[float, float], BeforeValidator(_range)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class DasViewOptions(Options):
    """A pipeline's ``views:`` for das: the crop, and each augmentation's strength and
    probability (0 turns one off)."""

    crop_size: CropSize = Field((64, 256), description="[distance, time] samples of a view")
    distance_step_m: float = Field(
        10.0, gt=0, description="channel spacing of the stored windows, for f-k velocities"
    )
    polarity_p: Probability = Field(0.5, description="probability of negating the window")
    fibre_flip_p: Probability = Field(0.5, description="probability of reversing distance")
    time_shift: float = Field(0.1, ge=0, le=0.5, description="largest shift, share of window")
    time_shift_p: Probability = 0.3
    channel_gain_sigma: float = Field(0.3, ge=0, description="log-std of per-channel gains")
    channel_gain_p: Probability = 0.5
    dropout_fraction: float = Field(0.1, gt=0, le=1, description="most channels zeroed")
    dropout_p: Probability = 0.3
    dead_run: int = Field(4, ge=1, description="longest run of dead neighbouring channels")
    dead_p: Probability = 0.2
    noise_snr_db: Range = Field((5.0, 30.0), description="[low, high] SNR of added noise")
    noise_p: Probability = 0.5
    fk_velocity_mps: Range = Field(
        (10.0, 5000.0), description="[low, high] m/s where a masked velocity band starts"
    )
    fk_p: Probability = 0.3
    mix_ratio: float = Field(0.5, ge=0, le=1, description="largest share of coherent noise")
    mix_p: Probability = 0.3

    @model_validator(mode="after")
    def _positive_velocities(self) -> DasViewOptions:
        if self.fk_velocity_mps[0] <= 0:
            raise ValueError(f"fk_velocity_mps {list(self.fk_velocity_mps)} must be above 0 m/s")
        return self


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
    fk = FkMask(min_mps=slow, max_mps=max(fast, slow * 1.0001),
                distance_step_m=o["distance_step_m"], time_step_s=1.0 / TARGET_RATE_HZ)
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
