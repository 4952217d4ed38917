"""Log-mel augmentations the log-mel backbones apply to their own input in training mode.

The data path carries waveforms (one input for every backbone), so augmentations that
live on the log-mel, SpecAugment's masks (Park et al. 2019) and BYOL-A's random resized
crop (Niizumi et al. 2021), run inside the backbone after ``LogMel``: only in training
mode, only in ``forward_features`` (never in the MAE token interface, whose targets must
be the clean log-mel), and only when the backbone config enables them
(``train_augment``, checked by ``LogMelAugmentConfig``). They draw from the module's own
generator (through ``sslsci.views.rng``), seeded by the config, so a run is repeatable;
a deep copy (the EMA target of BYOL/DINO) copies its state.
Only the valid frames of each clip are touched, so padding never leaks into a crop.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from pydantic import NonNegativeInt, PositiveFloat
from torch import nn

from sslsci.plugins import Options
from sslsci.plugins.options import parse_options
from sslsci.views.rng import randint, uniform


class LogMelAugmentConfig(Options):
    """How strongly to augment; ``0`` masks or ``resized_crop=False`` turn a part off."""

    freq_masks: NonNegativeInt = 2
    freq_width: NonNegativeInt = 8  # mel bands, of 64
    time_masks: NonNegativeInt = 2
    time_width: NonNegativeInt = 10  # frames of 10 ms
    resized_crop: bool = True
    crop_scale: tuple[PositiveFloat, PositiveFloat] = (0.6, 1.5)  # crop size / input, per axis
    virtual_scale: PositiveFloat = 1.5  # the time canvas the crop is drawn from (BYOL-A: 1.5)
    seed: int = 0

    @classmethod
    def from_option(cls, option: bool | Mapping[str, Any] | None) -> LogMelAugmentConfig | None:
        """``True`` -> defaults, a mapping -> those fields, ``False``/``None`` -> off."""
        if option is None or option is False:
            return None
        if option is True:
            return cls()
        if not isinstance(option, Mapping):
            raise ValueError(
                f"backbone option train_augment={option!r} must be true, false or a mapping of "
                f"{', '.join(cls.model_fields)}"
            )
        return parse_options(cls, option, "backbone option train_augment")  # type: ignore


def resized_crop(
    spec: torch.Tensor, config: LogMelAugmentConfig, g: torch.Generator
) -> torch.Tensor:
    """BYOL-A's random resized crop of one ``[1, F, T]`` log-mel: a crop drawn from a
    canvas ``virtual_scale`` times wider (the clip in its middle, zeros around), resized
    back to ``[F, T]``; stretches and shifts in time and frequency."""
    _, bands, frames = spec.shape
    canvas_frames = max(frames, round(frames * config.virtual_scale))
    canvas = spec.new_zeros(1, bands, canvas_frames)
    offset = (canvas_frames - frames) // 2
    canvas[..., offset : offset + frames] = spec
    low, high = config.crop_scale
    crop_bands = min(bands, max(1, round(bands * uniform(g, low, high))))
    crop_frames = min(canvas_frames, max(1, round(frames * uniform(g, low, high))))
    top = randint(g, 0, bands - crop_bands + 1)
    left = randint(g, 0, canvas_frames - crop_frames + 1)
    crop = canvas[..., top : top + crop_bands, left : left + crop_frames]
    return F.interpolate(crop.unsqueeze(0), size=(bands, frames), mode="bilinear").squeeze(0)


def mask_bands(spec: torch.Tensor, count: int, width: int, g: torch.Generator, dim: int) -> None:
    """Zero ``count`` random spans of up to ``width`` along ``dim`` of ``spec``, in place."""
    size = spec.shape[dim]
    for _ in range(count):
        span = min(randint(g, 0, width + 1), size)
        start = randint(g, 0, size - span + 1)
        spec.narrow(dim, start, span).zero_()


class LogMelAugment(nn.Module):
    """SpecAugment masks and the resized crop on ``[B, 1, F, T]`` log-mel, training only."""

    def __init__(self, config: LogMelAugmentConfig) -> None:
        super().__init__()
        self.config = config
        self.generator = torch.Generator().manual_seed(config.seed)

    def forward(self, spec: torch.Tensor, frames: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return spec
        out = spec.clone()
        for i, count in enumerate(frames.tolist()):
            clip = out[i, :, :, :count]
            if self.config.resized_crop:
                clip = resized_crop(clip, self.config, self.generator)
            else:
                clip = clip.clone()
            mask_bands(clip, self.config.freq_masks, self.config.freq_width, self.generator, 1)
            mask_bands(clip, self.config.time_masks, self.config.time_width, self.generator, 2)
            out[i, :, :, :count] = clip
        return out
