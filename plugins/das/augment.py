"""Seeded augmentations of one DAS window ``[channel, distance, time]``.

Every transform is ``t(x, generator) -> x`` and draws all its random numbers from the
generator through ``sslsci.views.rng``, so a seed fixes every view on any device. Each
changes what a fibre could plausibly have recorded of the same wavefield:

- ``PolarityFlip``: strain rate changes sign with the source mechanism and the
  interrogator's convention, not the event.
- ``FibreFlip``: which end of the cable is channel 0 is arbitrary (reverse distance).
- ``TimeShift``: an event may start anywhere in a window (zero fill, not a roll).
- ``ChannelGain``: coupling and site amplification differ per channel (log-normal gains).
- ``ChannelDropout``: scattered channels lost (zeroed, as normalize masks bad ones).
- ``DeadChannels``: a contiguous section dead: flat, or incoherent noise without signal.
- ``AddNoise``: white Gaussian noise at a target SNR (optical noise floors differ).
- ``FkMask``: remove a band of apparent velocities (a fan in the frequency-wavenumber
  plane): the encoder may not rely on one kind of wave (traffic, surface or body waves).
- ``MixCoherent``: add coherent noise from another window of the archive; see its
  docstring for which window and why.

The distance axis is ``-2`` and time ``-1``; the crop is the core's ``RandomCrop``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from plugins.das.spec import TARGET_RATE_HZ
from sslsci.views import RandomCrop
from sslsci.views.rng import randint, randn, uniform

DISTANCE, TIME = -2, -1


def _rms(x: torch.Tensor) -> torch.Tensor:
    return x.pow(2).mean().sqrt()


@dataclass(frozen=True)
class PolarityFlip:
    """Negate the window."""

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        return -x


@dataclass(frozen=True)
class FibreFlip:
    """Reverse the distance axis: the same section read from the other end of the cable."""

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        return x.flip(DISTANCE)


@dataclass(frozen=True)
class TimeShift:
    """Shift along time by up to ``max_fraction`` of the window, filling with zeros."""

    max_fraction: float = 0.1

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        limit = int(self.max_fraction * x.shape[TIME])
        shift = randint(g, -limit, limit + 1) if limit > 0 else 0
        out = torch.zeros_like(x)
        if shift >= 0:
            out[..., shift:] = x[..., : x.shape[TIME] - shift]
        else:
            out[..., :shift] = x[..., -shift:]
        return out


@dataclass(frozen=True)
class ChannelGain:
    """Multiply each distance channel by ``exp(sigma * N(0, 1))``."""

    sigma: float = 0.3

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        gains = torch.exp(self.sigma * randn(g, x.shape[DISTANCE])).to(x.device, x.dtype)
        return x * gains[:, None]


def _channels(g: torch.Generator, total: int, count: int) -> torch.Tensor:
    return torch.randperm(total, generator=g, device=g.device)[:count]


@dataclass(frozen=True)
class ChannelDropout:
    """Zero between one channel and ``max_fraction`` of them, scattered along the fibre."""

    max_fraction: float = 0.1

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        total = x.shape[DISTANCE]
        most = max(1, int(self.max_fraction * total))
        chosen = _channels(g, total, randint(g, 1, most + 1)).to(x.device)
        out = x.clone()
        out[..., chosen, :] = 0.0
        return out


@dataclass(frozen=True)
class DeadChannels:
    """A run of 1 to ``max_run`` neighbouring channels dies: flat (zero) or, with
    probability ``noisy``, independent Gaussian noise at the window's RMS (a section
    that lost its coupling still records the optical noise, but no wavefield)."""

    max_run: int = 4
    noisy: float = 0.5

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        total = x.shape[DISTANCE]
        run = randint(g, 1, min(self.max_run, total) + 1)
        first = randint(g, 0, total - run + 1)
        noisy = uniform(g, 0.0, 1.0) < self.noisy
        out = x.clone()
        section = out[..., first : first + run, :]
        if noisy:
            noise = randn(g, *section.shape).to(x.device, x.dtype)
            section.copy_(noise * _rms(x))
        else:
            section.zero_()
        return out


@dataclass(frozen=True)
class AddNoise:
    """White Gaussian noise at an SNR (window power over noise power) drawn uniformly in
    [min_snr_db, max_snr_db]."""

    min_snr_db: float = 5.0
    max_snr_db: float = 30.0

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        snr_db = uniform(g, self.min_snr_db, self.max_snr_db)
        noise = randn(g, *x.shape).to(x.device, x.dtype)
        noise = noise / _rms(noise).clamp_min(1e-12)
        return x + noise * _rms(x) * 10.0 ** (-snr_db / 20.0)


def apparent_velocity(
    shape: tuple[int, int],
    distance_step_m: float,
    time_step_s: float,
    device: torch.device | str = "cpu",
) -> torch.Tensor:
    """|f| / |k| in m/s on the grid of ``torch.fft.fft2`` over (distance, time); infinite
    at k = 0 (the common mode), zero at f = 0."""
    k = torch.fft.fftfreq(shape[0], d=distance_step_m, device=device).abs()
    f = torch.fft.fftfreq(shape[1], d=time_step_s, device=device).abs()
    return f[None, :] / k[:, None]  # 0/0 at the origin: nan, outside every band


def fk_mask(
    x: torch.Tensor,
    low_mps: float,
    high_mps: float,
    distance_step_m: float,
    time_step_s: float,
    taper: float = 0.1,
) -> torch.Tensor:
    """``x`` without the apparent velocities between ``low_mps`` and ``high_mps`` (both
    directions): their f-k bins are zeroed, rising to the band's edges along a cosine
    taper ``taper`` of the band wide (in log-velocity), which keeps ringing low."""
    if not 0 < low_mps < high_mps:
        raise ValueError(f"fk_mask band [{low_mps}, {high_mps}] m/s must satisfy 0 < low < high")
    velocity = apparent_velocity(tuple(x.shape[-2:]), distance_step_m, time_step_s, x.device)
    log_v = torch.log(velocity)
    lo, hi = math.log(low_mps), math.log(high_mps)
    width = max(taper * (hi - lo), 1e-9)
    inside = torch.clamp(torch.minimum(log_v - lo, hi - log_v) / width, 0.0, 1.0)
    keep = 1.0 - 0.5 * (1.0 - torch.cos(math.pi * inside))
    keep = torch.nan_to_num(keep, nan=1.0).to(x.dtype)
    spectrum = torch.fft.fft2(x, dim=(DISTANCE, TIME))
    return torch.fft.ifft2(spectrum * keep, dim=(DISTANCE, TIME)).real.to(x.dtype)


@dataclass(frozen=True)
class FkMask:
    """Mask a random apparent-velocity band: its lower edge log-uniform in
    [min_mps, max_mps], its width a factor in [min_factor, max_factor]."""

    min_mps: float = 10.0
    max_mps: float = 5000.0
    min_factor: float = 1.5
    max_factor: float = 4.0
    distance_step_m: float = 10.0
    time_step_s: float = 1.0 / TARGET_RATE_HZ

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        low = math.exp(uniform(g, math.log(self.min_mps), math.log(self.max_mps)))
        high = low * uniform(g, self.min_factor, self.max_factor)
        return fk_mask(x, low, high, self.distance_step_m, self.time_step_s)


class MixCoherent:
    """Add coherent noise from another window: ``x + lam * rms(x) / rms(b) * b``, with
    ``lam ~ U(0, ratio)``.

    ``b`` comes from a bank of up to ``size`` earlier windows this transform saw
    (reservoir sampling): most of an archive is noise, so other windows carry its real
    coherent noise (traffic, machinery, ambient waves, common mode), the thing an encoder
    should learn to see through. ``b`` is a random crop of a bank window, fibre-flipped
    with probability 1/2 and rolled in time, so one bank window gives many noise fields.
    While the bank is empty (the first window) ``b`` is ``x`` itself flipped along the
    fibre and rolled by at least a quarter window: its coherent features then run with
    reversed apparent velocity and do not line up with the originals. The same seed and
    sequence of windows give the same outputs; each data-loader worker keeps its own bank.
    ``p`` is the chance of mixing; every window is offered to the bank either way.
    """

    def __init__(self, ratio: float = 0.5, size: int = 16, p: float = 1.0) -> None:
        if not 0.0 <= ratio <= 1.0 or size < 1 or not 0.0 <= p <= 1.0:
            raise ValueError(
                f"MixCoherent needs 0 <= ratio <= 1, size >= 1 and 0 <= p <= 1, "
                f"got ratio={ratio}, size={size}, p={p}"
            )
        self.ratio, self.size, self.p = ratio, size, p
        self.bank: list[torch.Tensor] = []
        self.seen = 0

    def __repr__(self) -> str:
        return f"MixCoherent(ratio={self.ratio}, size={self.size}, p={self.p})"

    def noise_for(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        """The coherent field ``b`` for ``x`` (same shape), drawn as described above."""
        length = x.shape[TIME]
        if not self.bank:
            shift = randint(g, length // 4, max(length // 4, 3 * length // 4) + 1)
            return x.flip(DISTANCE).roll(shift, TIME)
        other = self.bank[randint(g, 0, len(self.bank))].to(x.device, x.dtype)
        other = RandomCrop(tuple(x.shape[-2:]))(other, g)
        if uniform(g, 0.0, 1.0) < 0.5:
            other = other.flip(DISTANCE)
        return other.roll(randint(g, 0, length), TIME)

    def __call__(self, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
        out = x
        if uniform(g, 0.0, 1.0) < self.p:
            noise = self.noise_for(x, g)
            lam = uniform(g, 0.0, self.ratio)
            out = x + lam * _rms(x) / _rms(noise).clamp_min(1e-12) * noise
        self._offer(x, g)  # every window joins the bank, mixed or not
        return out

    def _offer(self, x: torch.Tensor, g: torch.Generator) -> None:
        self.seen += 1
        window = x.detach().to("cpu", copy=True)
        if len(self.bank) < self.size:
            self.bank.append(window)
            return
        slot = randint(g, 0, self.seen)
        if slot < self.size:
            self.bank[slot] = window


__all__ = [
    "AddNoise",
    "ChannelDropout",
    "ChannelGain",
    "DeadChannels",
    "FibreFlip",
    "FkMask",
    "MixCoherent",
    "PolarityFlip",
    "TimeShift",
    "apparent_velocity",
    "fk_mask",
]
