"""Augmentation recipes per SSL method: one list of waveform transforms per view.

Two-view methods get BYOL-A's ingredients (background mixing, crop) and the speech
ones of wav2vec-era recipes (gain, speed perturbation, shift, noise at an SNR, time
and frequency masks); MAE sees one lightly changed view. SpecAugment masks and the
random resized crop *of the log-mel* run inside the log-mel backbones when their config
sets ``train_augment`` (see ``logmel_augment``), because the data path carries
waveforms.

Options: ``crop`` (samples per view, e.g. 16000 for 1 s; default: no crop, the window
size the pipeline cuts), ``mix_ratio`` (0 turns background mixing off), ``noise_snr_db``
([low, high]), ``speed`` ([low, high]).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from plugins.speech.augment import (
    AddNoise,
    FrequencyMask,
    Gain,
    MixBackground,
    RandomApply,
    RandomCrop,
    SpeedPerturb,
    TimeMask,
    TimeShift,
)
from sslsci.plugins.contract import Transform

TWO_VIEW_METHODS = ("simclr", "byol", "vicreg", "barlow_twins", "dino")
KNOWN_METHODS = (*TWO_VIEW_METHODS, "mae")


def _crop(options: Mapping[str, Any]) -> list[Transform]:
    crop = options.get("crop")
    if crop is None:
        return []
    if isinstance(crop, bool) or not isinstance(crop, int) or crop < 1:
        raise ValueError(f"option crop={crop!r} must be a positive number of samples, e.g. 16000")
    return [RandomCrop(crop)]


def _pair(
    options: Mapping[str, Any], key: str, default: tuple[float, float]
) -> tuple[float, float]:
    value = options.get(key, default)
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        low, high = float("nan"), float("nan")
    if not low <= high:
        raise ValueError(f"option {key}={value!r} must be [low, high] with low <= high")
    return low, high


def _mix(options: Mapping[str, Any]) -> list[Transform]:
    ratio = float(options.get("mix_ratio", 0.4))
    return [MixBackground(ratio=ratio, size=16)] if ratio > 0 else []


def strong_view(options: Mapping[str, Any]) -> list[Transform]:
    """Crop, background mix, gain, speed, shift, noise, time and frequency masks."""
    low_snr, high_snr = _pair(options, "noise_snr_db", (5.0, 30.0))
    slow, fast = _pair(options, "speed", (0.9, 1.1))
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


def views_for(method: str, **options: Any) -> list[list[Transform]]:
    """The views a method needs, as lists of transforms; unknown options are ignored."""
    key = method.lower()
    if key in TWO_VIEW_METHODS:
        return [strong_view(options), strong_view(options)]
    if key == "mae":
        return [light_view(options)]
    raise ValueError(
        f"speech has no augmentation recipe for method {method!r}; known methods: "
        f"{', '.join(KNOWN_METHODS)}"
    )
