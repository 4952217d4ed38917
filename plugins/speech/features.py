"""Input features: the waveform itself, or a log-mel spectrogram computed in the model.

Every speech backbone takes the same input, a batch of mono waveforms ``[B, 1, T]``
at 16 kHz, plus optional valid lengths; the log-mel backbones compute ``LogMel``
inside the module, so the data path, exports and probes never branch on features.

Frames are cut without centring (``center=False``): frame ``i`` covers samples
``[i * hop, i * hop + n_fft)``, so every frame of a padded clip that lies inside the
clip is identical to the same frame of the clip alone: padding changes nothing.
Normalisation is two-stage. The core standardises every stored waveform with the
archive's mean and standard deviation computed at ingest (recorded in the bundle's
preprocessing), so clips reach the model at unit variance over the archive; the
log-mel of such audio sits near mean -1 and std 5 (FSDD: -0.9 and 5.8, the synthetic
demo: 0.0 and 3.9), the defaults here. ``logmel_statistics`` gives an archive's exact
values to put in the backbone config (``logmel: {mean, std}``), which the bundle keeps;
``feature_statistics`` gives one stored clip's share of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import torch
import torchaudio
import xarray as xr
from torch import nn

from plugins.speech.spec import CHANNELS, TARGET_RATE_HZ

# log-mel of 16 kHz speech: 25 ms windows, 10 ms hop, 64 mel bands from 60 Hz to 7.8 kHz
LOGMEL_DEFAULTS: dict[str, Any] = {
    "sample_rate": 16000,
    "n_fft": 400,
    "hop_length": 160,
    "n_mels": 64,
    "f_min": 60.0,
    "f_max": 7800.0,
    "mean": -1.0,  # log-mel of archive-standardised speech; see the module docstring
    "std": 5.0,
}
LOG_FLOOR = 1e-6  # power floor before the log: -60 dB relative to full-scale power


def speech_accepts(features: str) -> dict[str, Any]:
    """What every speech backbone takes (mono 16 kHz waveforms ``[B, 1, T]``) and which
    features it computes from them inside the module ("waveform" or "logmel")."""
    return {
        "spatial_dims": 1,
        "in_channels": 1,
        "dims": ["channel", "time"],
        "channels": list(CHANNELS),
        "sampling_rate": TARGET_RATE_HZ,
        "input": "waveform",
        "features": features,
    }


def require_mono(in_channels: int, backbone: str) -> None:
    """Speech backbones read one channel; more means the archive was not mixed down."""
    if in_channels != 1:
        raise ValueError(
            f"{backbone} takes mono waveforms (in_channels=1), got in_channels={in_channels}; "
            "ingest the archive with the speech plugin's default options: {mono: true}"
        )


def lengths_from_padding_mask(padding_mask: torch.Tensor) -> torch.Tensor:
    """Valid lengths from a right-padding mask ``[B, T]`` (True where padded)."""
    return (~padding_mask.bool()).sum(dim=-1)


def valid_lengths(
    x: torch.Tensor, lengths: torch.Tensor | None, padding_mask: torch.Tensor | None
) -> torch.Tensor:
    """Per-item valid lengths along the last dim; the full length when none is given."""
    lengths = given_lengths(lengths, padding_mask)
    if lengths is None:
        return torch.full((x.shape[0],), x.shape[-1], dtype=torch.long, device=x.device)
    return lengths.to(device=x.device).clamp(0, x.shape[-1])


def given_lengths(
    lengths: torch.Tensor | None, padding_mask: torch.Tensor | None
) -> torch.Tensor | None:
    """Valid samples per clip from ``lengths`` or ``padding_mask``; None when neither is
    given (every sample valid): what a ``forward_head`` needs to pool only valid frames."""
    if lengths is not None and padding_mask is not None:
        raise ValueError("give lengths or padding_mask, not both")
    if padding_mask is not None:
        return lengths_from_padding_mask(padding_mask)
    return None if lengths is None else lengths.long()


def sequence_mask(lengths: torch.Tensor, size: int) -> torch.Tensor:
    """``[B, size]`` boolean mask, True at valid positions."""
    return torch.arange(size, device=lengths.device)[None, :] < lengths[:, None]


def masked_mean(x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Mean of ``x [B, L, D]`` over the valid positions of ``valid [B, L]``."""
    weights = valid.to(x.dtype).unsqueeze(-1)
    return (x * weights).sum(dim=1) / weights.sum(dim=1).clamp_min(1.0)


def masked_max(x: torch.Tensor, valid: torch.Tensor) -> torch.Tensor:
    """Max of ``x [B, L, D]`` over the valid positions of ``valid [B, L]``."""
    return x.masked_fill(~valid.unsqueeze(-1), torch.finfo(x.dtype).min).amax(dim=1)


def mono_waveform(x: torch.Tensor) -> torch.Tensor:
    """``[B, 1, T]`` (spec order) or ``[B, T]`` -> ``[B, T]``; more channels is an error."""
    if x.ndim == 3:
        if x.shape[1] != 1:
            raise ValueError(
                f"speech backbones take mono input [B, 1, T], got {tuple(x.shape)}; normalise "
                "the archive with options: {mono: true}"
            )
        return x[:, 0]
    if x.ndim != 2:
        raise ValueError(f"expected a waveform batch [B, 1, T] or [B, T], got {tuple(x.shape)}")
    return x


class LogMel(nn.Module):
    """Waveforms ``[B, T]`` -> normalised log-mel ``[B, 1, n_mels, frames]`` + frame counts."""

    def __init__(
        self,
        sample_rate: int = 16000,
        n_fft: int = 400,
        hop_length: int = 160,
        n_mels: int = 64,
        f_min: float = 60.0,
        f_max: float = 7800.0,
        mean: float = -1.0,
        std: float = 5.0,
    ) -> None:
        super().__init__()
        if not std > 0:
            raise ValueError(f"log-mel std={std!r} must be positive; use logmel_statistics()")
        self.n_fft, self.hop_length, self.n_mels = n_fft, hop_length, n_mels
        self.mel = torchaudio.transforms.MelSpectrogram(
            sample_rate=sample_rate,
            n_fft=n_fft,
            hop_length=hop_length,
            n_mels=n_mels,
            f_min=f_min,
            f_max=f_max,
            center=False,
            power=2.0,
        )
        self.register_buffer("mean", torch.tensor(float(mean)))
        self.register_buffer("std", torch.tensor(float(std)))

    def frame_lengths(self, lengths: torch.Tensor) -> torch.Tensor:
        """Frames a clip of ``lengths`` samples yields (at least one: short clips are padded)."""
        return (torch.div(lengths - self.n_fft, self.hop_length, rounding_mode="floor") + 1).clamp(
            min=1
        )

    def raw(self, wave: torch.Tensor) -> torch.Tensor:
        """Un-normalised natural-log mel power ``[B, n_mels, frames]``."""
        if wave.shape[-1] < self.n_fft:
            wave = nn.functional.pad(wave, (0, self.n_fft - wave.shape[-1]))
        return torch.log(self.mel(wave.float()) + LOG_FLOOR)

    def forward(
        self, wave: torch.Tensor, lengths: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Normalised log-mel (frames beyond a clip's end set to 0) and frame counts."""
        lengths = valid_lengths(wave, lengths, None)
        frames = self.frame_lengths(lengths)
        spec = (self.raw(wave) - self.mean) / self.std
        valid = sequence_mask(frames, spec.shape[-1])
        spec = spec.masked_fill(~valid[:, None, :], 0.0)
        return spec.unsqueeze(1), frames


def logmel_item_statistics(wave: np.ndarray | torch.Tensor, **config: Any) -> dict[str, Any]:
    """Count, sum and sum of squares of one clip's log-mel values (un-normalised).

    The same per-item form as the core's waveform statistics, so sums over an archive
    combine into the mean and std that ``LogMel`` normalises with.
    """
    settings = {k: v for k, v in {**LOGMEL_DEFAULTS, **config}.items() if k not in ("mean", "std")}
    tensor = torch.as_tensor(np.asarray(wave), dtype=torch.float32).reshape(1, -1)
    with torch.no_grad():
        values = LogMel(**settings).raw(tensor).double()
    return {
        "count": values.numel(),
        "sum": [float(values.sum())],
        "sumsq": [float((values**2).sum())],
    }


def feature_statistics(array: xr.DataArray, **config: Any) -> dict[str, Any]:
    """Log-mel count/sum/sumsq of one normalised clip (a speech plugin array), to combine
    over the archive into the mean and std the log-mel backbones take as
    ``logmel: {mean, std}``."""
    return logmel_item_statistics(np.asarray(array.values), **config)


def logmel_statistics(waveforms: Iterable[np.ndarray | torch.Tensor], **config: Any) -> dict:
    """Mean and standard deviation of the log-mel values over an archive's mono clips,
    summed in float64 so any archive size gives the same result as one pass."""
    count, total, total_sq = 0, 0.0, 0.0
    for wave in waveforms:
        item = logmel_item_statistics(wave, **config)
        count += item["count"]
        total += item["sum"][0]
        total_sq += item["sumsq"][0]
    if count == 0:
        raise ValueError("logmel_statistics needs at least one clip; the archive is empty")
    mean = total / count
    std = max(total_sq / count - mean**2, 0.0) ** 0.5
    return {"mean": mean, "std": std if std > 0 else 1.0}
