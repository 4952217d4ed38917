"""Waveform augmentations for one ``[channel, time]`` clip; randomness from the generator.

Each transform is called as ``t(x, generator)`` and draws every random number from the
generator through ``sslsci.views.rng`` (on the generator's device, then moved to the
tensor's), so a seed gives the same views on any device. The crop (padding with
silence), ``RandomApply`` and ``Compose`` are the core's, from ``sslsci.views``.
References: Ko et al. 2015 (speed perturbation), Park et al. 2019 (SpecAugment time and
frequency masks, here applied to the waveform through the STFT), Niizumi et al. 2021
(BYOL-A: mixing with other clips of the archive as background).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from plugins.speech.normalize import resample_ratio
from sslsci.views import RandomCrop
from sslsci.views.rng import randint, randn, uniform


@dataclass(frozen=True)
class Gain:
    """Scale by a gain drawn uniformly in decibels: the same speech, louder or quieter."""

    min_db: float = -6.0
    max_db: float = 6.0

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        return x * 10.0 ** (uniform(g, self.min_db, self.max_db) / 20.0)


@dataclass(frozen=True)
class AddNoise:
    """White Gaussian noise at a signal-to-noise ratio drawn in [min_snr_db, max_snr_db]."""

    min_snr_db: float = 5.0
    max_snr_db: float = 30.0

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        snr_db = uniform(g, self.min_snr_db, self.max_snr_db)
        noise = randn(g, *x.shape).to(x.device, x.dtype)
        signal_power = x.pow(2).mean().clamp_min(1e-10)
        scale = torch.sqrt(signal_power / 10.0 ** (snr_db / 10.0))
        return x + noise * scale


@dataclass(frozen=True)
class TimeShift:
    """Shift the clip left or right by up to ``max_fraction`` of its length, filling the
    gap with silence (a roll would glue the end to the start)."""

    max_fraction: float = 0.2

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        limit = int(self.max_fraction * x.shape[-1])
        shift = randint(g, -limit, limit + 1) if limit > 0 else 0
        if shift == 0:
            return x
        out = torch.zeros_like(x)
        if shift > 0:
            out[..., shift:] = x[..., :-shift]
        else:
            out[..., :shift] = x[..., -shift:]
        return out


@dataclass(frozen=True)
class SpeedPerturb:
    """Play faster or slower (pitch and tempo together, Ko et al. 2015) by resampling with
    a factor in [min_factor, max_factor] rounded to 1%, then crop or pad to the input
    length."""

    min_factor: float = 0.9
    max_factor: float = 1.1

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        percent = round(100 * uniform(g, self.min_factor, self.max_factor))
        if percent == 100:
            return x
        stretched = resample_ratio(x, percent, 100)
        return RandomCrop((x.shape[-1],), pad="constant")(stretched, g)  # silence pads


@dataclass(frozen=True)
class TimeMask:
    """Silence ``count`` spans of up to ``max_fraction`` of the clip each (SpecAugment's
    time mask, done on the waveform)."""

    max_fraction: float = 0.1
    count: int = 2

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        length = x.shape[-1]
        out = x.clone()
        for _ in range(self.count):
            width = randint(g, 0, int(self.max_fraction * length) + 1)
            start = randint(g, 0, length - width + 1)
            out[..., start : start + width] = 0.0
        return out


@dataclass(frozen=True)
class FrequencyMask:
    """Remove ``count`` frequency bands of up to ``max_fraction`` of the spectrum each
    (SpecAugment's frequency mask on the waveform: zero STFT bins, invert the STFT)."""

    max_fraction: float = 0.1
    count: int = 2
    n_fft: int = 512
    hop_length: int = 128

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        length = x.shape[-1]
        if length < self.n_fft:
            return x
        window = torch.hann_window(self.n_fft, device=x.device, dtype=x.dtype)
        spec = torch.stft(
            x, self.n_fft, self.hop_length, window=window, return_complex=True, center=True
        )
        bins = spec.shape[-2]
        for _ in range(self.count):
            width = randint(g, 0, int(self.max_fraction * bins) + 1)
            start = randint(g, 0, bins - width + 1)
            spec[..., start : start + width, :] = 0
        return torch.istft(spec, self.n_fft, self.hop_length, window=window, length=length)


class MixBackground:
    """Mix in another clip of the archive as background (BYOL-A's mixup, on waveforms).

    The transform keeps a reservoir of up to ``size`` earlier inputs; each call mixes
    ``(1 - λ)·x + λ·b`` with λ ~ U(0, ``ratio``) and ``b`` a random span of a random
    reservoir clip scaled to the loudness of ``x``, then offers ``x`` to the reservoir
    (reservoir sampling). The same seed and the same sequence of inputs give the same
    outputs. Each data-loader worker holds its own reservoir.
    """

    def __init__(self, ratio: float = 0.4, size: int = 16) -> None:
        if not 0.0 <= ratio <= 1.0 or size < 1:
            raise ValueError(
                f"MixBackground needs 0 <= ratio <= 1 and size >= 1, got {ratio}, {size}"
            )
        self.ratio, self.size = ratio, size
        self.reservoir: list[torch.Tensor] = []
        self.seen = 0

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        out = x
        if self.reservoir:
            background = self.reservoir[randint(g, 0, len(self.reservoir))].to(x.device, x.dtype)
            background = RandomCrop((x.shape[-1],), pad="constant")(background, g)
            loudness = x.pow(2).mean().sqrt() / background.pow(2).mean().sqrt().clamp_min(1e-8)
            mix = uniform(g, 0.0, self.ratio)
            out = (1.0 - mix) * x + mix * background * loudness
        self._offer(x, g)
        return out

    def _offer(self, x: torch.Tensor, g: torch.Generator) -> None:
        self.seen += 1
        clip = x.detach().to("cpu", copy=True)
        if len(self.reservoir) < self.size:
            self.reservoir.append(clip)
            return
        slot = randint(g, 0, self.seen)
        if slot < self.size:
            self.reservoir[slot] = clip

    def __repr__(self) -> str:
        return f"MixBackground(ratio={self.ratio}, size={self.size})"
