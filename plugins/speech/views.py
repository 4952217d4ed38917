"""The speech views: one list of waveform transforms per role a method's view kind asks for.

A strong view ("two_views": SimCLR, BYOL, VICReg, Barlow Twins, DINO) takes BYOL-A's
ingredients (background mixing, crop) and those of wav2vec-era recipes (gain, speed
perturbation, shift, noise at an SNR, time and frequency masks); a light view (MAE,
"masked") is only cropped and a little louder or quieter, as it is reconstructed.
SpecAugment masks and the random resized crop *of the log-mel* run inside the log-mel
backbones when their config sets ``train_augment`` (see ``logmel_augment``), because the
data path carries waveforms. The options are ``options.ViewOptions``, checked and with
defaults filled in by the kit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugins.speech.augment import (
    AddNoise,
    FrequencyMask,
    Gain,
    MixBackground,
    SpeedPerturb,
    TimeMask,
    TimeShift,
)
from sslsci.plugins import Transform
from sslsci.views import RandomApply, RandomCrop

MIX_RESERVOIR = 16  # earlier clips a MixBackground keeps to mix in


def _crop(options: Mapping[str, Any]) -> list[Transform]:
    crop = options["crop"]
    return [] if crop is None else [RandomCrop((crop,), pad="constant", value=0.0)]  # silence


def _mix(options: Mapping[str, Any]) -> list[Transform]:
    ratio = options["mix_ratio"]
    return [MixBackground(ratio=ratio, size=MIX_RESERVOIR)] if ratio > 0 else []


def strong_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop, background mix, gain, speed, shift, noise, time and frequency masks."""
    low_snr, high_snr = options["noise_snr_db"]
    slow, fast = options["speed"]
    return [
        *_crop(options),
        *_mix(options),
        Gain(min_db=-6.0, max_db=6.0),
        RandomApply(SpeedPerturb(min_factor=slow, max_factor=fast), p=0.5),
        RandomApply(TimeShift(max_fraction=0.1), p=0.5),
        RandomApply(AddNoise(min_snr_db=low_snr, max_snr_db=high_snr), p=0.5),
        RandomApply(TimeMask(max_fraction=0.1, count=2), p=0.5),
        RandomApply(FrequencyMask(max_fraction=0.1, count=2), p=0.5),
    ]


def light_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop and a mild gain: MAE reconstructs the clip, so it stays intact."""
    return [*_crop(options), Gain(min_db=-3.0, max_db=3.0)]


VIEWS = {"strong": strong_view, "light": light_view}
