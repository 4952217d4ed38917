"""Waveform augmentations, the plugin's views and the in-backbone log-mel augmentations."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from plugins.speech import plugin
from plugins.speech.augment import (
    AddNoise,
    FrequencyMask,
    Gain,
    MixBackground,
    SpeedPerturb,
    TimeMask,
    TimeShift,
)
from plugins.speech.logmel_augment import LogMelAugment, LogMelAugmentConfig
from sslsci.methods import METHODS
from sslsci.plugins import OptionsError, PluginError
from sslsci.views import RandomApply, RandomCrop

RATE = 16000


def g(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def tone(freq: float = 1000.0, seconds: float = 0.5) -> torch.Tensor:
    t = torch.arange(int(RATE * seconds), dtype=torch.float64) / RATE
    return (0.5 * torch.sin(2 * torch.pi * freq * t)).float()[None]


def speechy(seconds: float = 0.5, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    t = np.arange(int(RATE * seconds)) / RATE
    wave = sum(np.sin(2 * np.pi * f * t) for f in (180, 360, 700, 1200, 2400))
    wave *= 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    return torch.from_numpy((0.1 * wave + 0.01 * rng.standard_normal(t.size))[None]).float()


def peak_hz(x: torch.Tensor) -> float:
    spectrum = torch.fft.rfft(x[0].double()).abs()
    return float(torch.argmax(spectrum)) * RATE / x.shape[-1]


TRANSFORMS = [
    RandomCrop(4000),
    Gain(),
    AddNoise(),
    TimeShift(),
    SpeedPerturb(),
    TimeMask(),
    FrequencyMask(),
    RandomApply(Gain(), p=0.5),
]


@pytest.mark.parametrize("transform", TRANSFORMS, ids=lambda t: type(t).__name__)
def test_transforms_are_deterministic_per_seed(transform) -> None:
    x = speechy()
    a, b, c = transform(x, g(1)), transform(x, g(1)), transform(x, g(2))
    assert torch.equal(a, b)
    assert not torch.equal(a, c) or isinstance(transform, RandomApply)
    assert a.dtype == x.dtype and torch.isfinite(a).all()
    assert a.shape == (1, 4000 if isinstance(transform, RandomCrop) else x.shape[-1])


def test_random_crop_pads_short_clips_with_silence() -> None:
    x = torch.ones(1, 100)
    out = RandomCrop(250)(x, g(0))
    assert out.shape == (1, 250) and float(out.sum()) == 100.0


def test_gain_stays_in_its_decibel_range() -> None:
    x = speechy()
    for seed in range(20):
        ratio = float(Gain(-6.0, 6.0)(x, g(seed)).abs().max() / x.abs().max())
        assert 10 ** (-6 / 20) - 1e-6 <= ratio <= 10 ** (6 / 20) + 1e-6


def test_noise_reaches_the_target_snr() -> None:
    x = speechy(1.0)
    for seed in range(5):
        noisy = AddNoise(min_snr_db=10.0, max_snr_db=10.0)(x, g(seed))
        snr = 10 * torch.log10(x.pow(2).mean() / (noisy - x).pow(2).mean())
        assert float(snr) == pytest.approx(10.0, abs=0.2)


def test_time_shift_moves_content_and_fills_silence() -> None:
    x = torch.arange(1, 1001, dtype=torch.float32)[None]
    for seed in range(4):
        out = TimeShift(max_fraction=0.2)(x, g(seed))[0]
        start = int(torch.nonzero(out).flatten()[0])
        shift = start if start > 0 else 1 - int(out[0])
        assert 0 < abs(shift) <= 200
        expected = torch.zeros(1000)
        if shift > 0:
            expected[shift:] = x[0, :-shift]
        else:
            expected[:shift] = x[0, -shift:]
        assert torch.equal(out, expected)


def test_speed_perturbation_scales_frequency() -> None:
    x = tone(1000.0, 1.0)
    for factor in (0.9, 1.1):
        out = SpeedPerturb(min_factor=factor, max_factor=factor)(x, g(0))
        assert out.shape == x.shape
        assert peak_hz(out) == pytest.approx(1000.0 * factor, abs=3.0)


def test_time_mask_silences_spans() -> None:
    x = torch.ones(1, 1000)
    out = TimeMask(max_fraction=0.1, count=2)(x, g(4))
    zeros = int((out == 0).sum())
    assert 0 < zeros <= 200 and set(out.unique().tolist()) <= {0.0, 1.0}


def test_frequency_mask_removes_a_band() -> None:
    """White noise through the mask loses the energy of 1-2 bands and keeps the rest."""
    x = torch.randn(1, RATE, generator=g(0))
    out = FrequencyMask(max_fraction=0.1, count=1, n_fft=512, hop_length=128)(x, g(7))
    before = torch.stft(x, 512, 128, window=torch.hann_window(512), return_complex=True).abs()
    after = torch.stft(out, 512, 128, window=torch.hann_window(512), return_complex=True).abs()
    ratio = (after.pow(2).mean(-1) / before.pow(2).mean(-1))[0]
    removed = ratio < 0.05
    assert 1 <= int(removed.sum()) <= 26  # up to 10% of 257 bins
    assert float(ratio[~removed].median()) == pytest.approx(1.0, abs=0.05)
    band = torch.nonzero(removed).flatten()
    assert int(band[-1] - band[0]) + 1 == int(removed.sum())  # one contiguous band


def test_mix_background_uses_earlier_clips_deterministically() -> None:
    clips = [speechy(0.25, seed=s) for s in range(6)]

    def run(seed: int) -> list[torch.Tensor]:
        mixer, generator = MixBackground(ratio=0.4, size=3), g(seed)
        return [mixer(c, generator) for c in clips]

    first, again, other = run(0), run(0), run(1)
    assert torch.equal(first[0], clips[0])  # nothing to mix with yet
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert any(not torch.equal(a, b) for a, b in zip(first[1:], other[1:], strict=True))
    for mixed, clip in zip(first[1:], clips[1:], strict=True):
        assert not torch.equal(mixed, clip)
        assert float(torch.corrcoef(torch.cat([mixed, clip]))[0, 1]) > 0.7  # clip dominates


def test_mix_background_reservoir_is_bounded() -> None:
    mixer = MixBackground(size=4)
    for s in range(20):
        mixer(speechy(0.05, seed=s), g(s))
    assert len(mixer.reservoir) == 4 and mixer.seen == 20


def apply(view, x: torch.Tensor, seed: int) -> torch.Tensor:
    generator = g(seed)
    for transform in view:
        x = transform(x, generator)
    return x


TWO_VIEW_METHODS = ("simclr", "byol", "vicreg", "barlow_twins", "dino")


@pytest.mark.parametrize("method", [*TWO_VIEW_METHODS, "mae"])
def test_views_give_what_a_method_needs(method: str) -> None:
    kind = METHODS[method].view_kind
    assert kind.name == ("masked" if method == "mae" else "two_views")
    views = plugin.views(kind, crop=8000)
    assert len(views) == (1 if method == "mae" else 2)
    x = speechy(1.0)
    outputs = [apply(view, x, seed=5) for view in views]
    repeat = [apply(view, x, seed=5) for view in plugin.views(kind, crop=8000)]
    for out, again in zip(outputs, repeat, strict=True):
        assert out.shape == (1, 8000) and torch.equal(out, again)


def test_view_options_are_checked() -> None:
    with pytest.raises(OptionsError, match="crop"):
        plugin.parse_view_options({"crop": 0.5})
    with pytest.raises(OptionsError, match=r"noise_snr_db: .*low <= high"):
        plugin.parse_view_options({"noise_snr_db": [30, 5]})
    with pytest.raises(OptionsError, match="crop"):
        plugin.views("two_views", crop=0.5)
    with pytest.raises(OptionsError, match="unknown key 'mixratio'; accepted keys: crop"):
        plugin.views("two_views", mixratio=0.1)
    with pytest.raises(PluginError, match="no 'pretext' views"):
        plugin.views(METHODS["multitask"].view_kind)
    assert not any(isinstance(t, MixBackground) for t in plugin.views("two_views")[0])
    mixing = plugin.views("two_views", mix_ratio=0.4)[0]
    assert [t.ratio for t in mixing if isinstance(t, MixBackground)] == [0.4]


def test_logmel_augment_only_in_training_and_seeded() -> None:
    spec = torch.randn(3, 1, 64, 50, generator=g(0))
    frames = torch.tensor([50, 30, 10])
    config = LogMelAugmentConfig(seed=3)
    module = LogMelAugment(config)
    module.eval()
    assert torch.equal(module(spec, frames), spec)
    module.train()
    out = module(spec, frames)
    assert not torch.equal(out, spec) and out.shape == spec.shape
    assert torch.equal(out[1, ..., 30:], spec[1, ..., 30:])  # padding untouched
    assert torch.equal(LogMelAugment(config).train()(spec, frames), out)


def test_logmel_augment_masks_without_crop() -> None:
    config = LogMelAugmentConfig(resized_crop=False, freq_masks=1, freq_width=8, time_masks=0)
    spec = torch.ones(1, 1, 64, 40)
    out = LogMelAugment(config).train()(spec, torch.tensor([40]))
    zero_bands = int((out[0, 0] == 0).all(dim=1).sum())
    assert zero_bands <= 8 and int((out == 0).sum()) == zero_bands * 40


def test_logmel_augment_option_parsing() -> None:
    assert LogMelAugmentConfig.from_option(None) is None
    assert LogMelAugmentConfig.from_option(True) == LogMelAugmentConfig()
    assert LogMelAugmentConfig.from_option({"crop_scale": [0.8, 1.2]}).crop_scale == (0.8, 1.2)
    with pytest.raises(ValueError, match="unknown key 'mixup'; accepted keys: freq_masks"):
        LogMelAugmentConfig.from_option({"mixup": 1})
    with pytest.raises(ValueError, match="freq_masks: value -1"):
        LogMelAugmentConfig.from_option({"freq_masks": -1})
    with pytest.raises(ValueError, match="true, false or a mapping"):
        LogMelAugmentConfig.from_option("yes")
