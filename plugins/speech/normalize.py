"""Bring a valid clip to the spec: mono, 16 kHz (or ``target_rate``), float32.

Resampling is torchaudio's band-limited sinc interpolation (``functional.resample``),
which low-passes below the new Nyquist frequency, so 44.1 kHz music does not alias
into the speech band. The rate ratio is reduced to a small fraction first: 44.1 kHz ->
16 kHz is 441 -> 160. Building the polyphase kernel costs more than applying it to a
3 s crop, so kernels are built once per ratio and process (``torchaudio.transforms.
Resample`` keeps its kernel) and reused.
"""

from __future__ import annotations

from fractions import Fraction
from functools import lru_cache
from typing import Any

import numpy as np
import torch
import torchaudio
import xarray as xr

from plugins.speech.options import NormalizeOptions
from plugins.speech.spec import UNITS
from plugins.speech.validate import sampling_rate_of

MAX_RATIO_DENOMINATOR = 1000


@lru_cache(maxsize=32)
def resampler(orig_freq: int, new_freq: int) -> torchaudio.transforms.Resample:
    """torchaudio's sinc resampler for one ratio, its kernel built once per process."""
    return torchaudio.transforms.Resample(orig_freq=orig_freq, new_freq=new_freq)


def resample_ratio(values: torch.Tensor, orig_freq: int, new_freq: int) -> torch.Tensor:
    """``[..., time]`` resampled by ``new_freq / orig_freq`` (float32 inside, dtype kept)."""
    with torch.no_grad():
        out = resampler(orig_freq, new_freq)(values.detach().to("cpu", torch.float32))
    return out.to(values.device, values.dtype)


def resample_waveform(values: torch.Tensor, from_rate: float, to_rate: float) -> torch.Tensor:
    """``[..., time]`` resampled from one rate to another with torchaudio's sinc filter."""
    ratio = Fraction(to_rate / from_rate).limit_denominator(MAX_RATIO_DENOMINATOR)
    if ratio == 1:
        return values
    return resample_ratio(values, ratio.denominator, ratio.numerator)


def mixdown(values: np.ndarray) -> np.ndarray:
    """Average the channels: a mono ``[1, time]`` signal that stays within [-1, 1]."""
    return values.mean(axis=0, keepdims=True)


def normalize_array(array: xr.DataArray, **options: Any) -> xr.DataArray:
    """A ``("channel", "time")`` float32 array, mono (option ``mono``, default true) at
    ``target_rate``; attrs record the original rate and channel count.

    A projection: an array it already normalised is at the target rate (resampling by
    1 is the identity) and mono, so it comes back unchanged, and its attrs keep the
    file's original rate and channel count rather than the normalised ones.
    """
    settings = NormalizeOptions.pick(options)
    target = settings.target_rate
    array = array.transpose("channel", "time")
    rate = sampling_rate_of(array)
    if rate is None:
        source = array.attrs.get("source", "the array")
        raise ValueError(
            f"{source}: has no sample rate (attr sampling_rate), so it cannot be resampled; "
            "read it with a speech reader or set the attr"
        )
    values = np.asarray(array.values, dtype=np.float32)
    channels = [str(c) for c in array.coords["channel"].values] if "channel" in array.coords else []
    if settings.mono:
        values, channels = mixdown(values) if values.shape[0] != 1 else values, ["mono"]
    elif not channels:
        channels = ["mono"] if values.shape[0] == 1 else [f"ch{i}" for i in range(values.shape[0])]
    resampled = resample_waveform(torch.from_numpy(values), rate, target).numpy()
    attrs = dict(array.attrs)
    attrs.update(
        original_sampling_rate=attrs.get("original_sampling_rate", rate),
        original_channels=attrs.get("original_channels", int(array.sizes["channel"])),
        sampling_rate=target,
        sample_rate=target,
        channels=int(resampled.shape[0]),
        duration=resampled.shape[1] / target,
        units=UNITS,
    )
    return xr.DataArray(
        resampled.astype(np.float32, copy=False),
        dims=("channel", "time"),
        coords={"channel": channels},
        attrs=attrs,
    )
