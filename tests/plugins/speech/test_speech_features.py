"""Log-mel features: against a reference built from the STFT, padding, and statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torchaudio.functional as AF

from plugins.speech.features import (
    LogMel,
    logmel_item_statistics,
    logmel_statistics,
    mono_waveform,
    valid_lengths,
)
from sslsci.data.statistics import combine_statistics


def waves(seed: int, *lengths: int) -> list[torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    return [0.1 * torch.randn(n, generator=generator) for n in lengths]


def reference_logmel(wave: torch.Tensor, mean: float, std: float) -> torch.Tensor:
    """Un-centred STFT with a periodic Hann window -> power -> HTK mel bank -> log -> z-score."""
    window = torch.hann_window(400)
    frames = wave.unfold(0, 400, 160) * window
    power = torch.fft.rfft(frames, dim=-1).abs() ** 2  # [frames, 201]
    bank = AF.melscale_fbanks(201, 60.0, 7800.0, 64, 16000, norm=None, mel_scale="htk")
    return ((torch.log(power @ bank + 1e-6) - mean) / std).T  # [64, frames]


def test_logmel_matches_the_stft_reference() -> None:
    (wave,) = waves(0, 8000)
    spec, frames = LogMel(mean=-5.0, std=3.0)(wave[None])
    assert spec.shape == (1, 1, 64, (8000 - 400) // 160 + 1) and int(frames) == spec.shape[-1]
    torch.testing.assert_close(spec[0, 0], reference_logmel(wave, -5.0, 3.0), atol=1e-3, rtol=1e-4)


def test_padding_leaves_valid_frames_unchanged_and_zeroes_the_rest() -> None:
    short, long = waves(1, 3000, 8000)
    batch = torch.zeros(2, 8000)
    batch[0, :3000], batch[1] = short, long
    logmel = LogMel()
    spec, frames = logmel(batch, torch.tensor([3000, 8000]))
    alone, alone_frames = logmel(short[None])
    assert frames.tolist() == [alone_frames.item(), 48] and alone_frames.item() == 17
    torch.testing.assert_close(spec[0, ..., :17], alone[0], atol=1e-6, rtol=0)
    assert spec[0, ..., 17:].abs().sum() == 0


def test_clips_shorter_than_a_window_give_one_frame() -> None:
    spec, frames = LogMel()(torch.zeros(1, 100))
    assert spec.shape[-1] == 1 and frames.tolist() == [1]


def test_lengths_and_padding_mask_agree() -> None:
    x = torch.zeros(2, 10)
    mask = torch.tensor([[False] * 7 + [True] * 3, [False] * 10])
    assert valid_lengths(x, None, mask).tolist() == [7, 10]
    assert valid_lengths(x, torch.tensor([7, 10]), None).tolist() == [7, 10]
    assert valid_lengths(x, None, None).tolist() == [10, 10]
    with pytest.raises(ValueError, match="not both"):
        valid_lengths(x, torch.tensor([7, 10]), mask)


def test_only_mono_batches_are_accepted() -> None:
    assert mono_waveform(torch.zeros(2, 1, 5)).shape == (2, 5)
    with pytest.raises(ValueError, match="mono: true"):
        mono_waveform(torch.zeros(2, 2, 5))


def test_archive_statistics_equal_one_pass_over_all_values() -> None:
    clips = waves(2, 4000, 9000, 16000)
    logmel = LogMel()
    values = torch.cat([logmel.raw(c[None]).flatten() for c in clips]).double().numpy()
    stats = logmel_statistics(c.numpy() for c in clips)
    assert stats["mean"] == pytest.approx(values.mean(), rel=1e-9)
    assert stats["std"] == pytest.approx(values.std(), rel=1e-6)
    per_item = [logmel_item_statistics(c) for c in clips]
    mean, std = combine_statistics(per_item)
    assert mean[0] == pytest.approx(values.mean(), rel=1e-9)
    assert std[0] == pytest.approx(values.std(), rel=1e-6)
    normalised, _ = LogMel(**stats)(clips[2][None])
    expected = (float(logmel.raw(clips[2][None]).mean()) - stats["mean"]) / stats["std"]
    assert float(normalised.mean()) == pytest.approx(expected, abs=1e-5)
    with pytest.raises(ValueError, match="empty"):
        logmel_statistics([])
    assert np.isfinite(stats["std"])
