"""DAS augmentations and views: seeded, shape-keeping, and each doing its physics.

References are computed in the tests: plane waves on exact f-k bins (and a broadband
Ricker plane wave) for the f-k mask, measured power ratios for the SNR, per-channel
ratios for the gains, and explicit shifts, flips and matches for the rest.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

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
    apparent_velocity,
    fk_mask,
)
from plugins.das.views import VIEWS, DasViewOptions
from sslsci.plugins.options import OptionsError, parse_options

DX, DT = 10.0, 0.004  # 10 m channels, 250 Hz
D, T = 64, 256


def window(seed: int = 0, shape: tuple[int, int] = (D, T)) -> torch.Tensor:
    return torch.randn(1, *shape, generator=torch.Generator().manual_seed(seed))


def gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


RANDOM = [TimeShift(0.2), ChannelGain(0.3), ChannelDropout(0.2), DeadChannels(6),
          AddNoise(0.0, 20.0), FkMask(distance_step_m=DX, time_step_s=DT)]


@pytest.mark.parametrize("transform", RANDOM, ids=lambda t: type(t).__name__)
def test_each_transform_is_seeded_and_keeps_the_shape(transform) -> None:
    x = window()
    first, again = transform(x, gen(3)), transform(x, gen(3))
    others = [transform(x, gen(s)) for s in range(4, 9)]
    assert first.shape == x.shape and first.dtype == x.dtype
    assert torch.equal(first, again)
    assert any(not torch.equal(first, other) for other in others)
    assert torch.isfinite(first).all()


def test_polarity_flip_negates_and_fibre_flip_reverses_distance() -> None:
    x = window()
    assert torch.equal(PolarityFlip()(x, gen()), -x)
    flipped = FibreFlip()(x, gen())
    assert torch.equal(flipped[0, 0], x[0, D - 1]) and torch.equal(flipped[0, -1], x[0, 0])
    assert torch.equal(FibreFlip()(flipped, gen()), x)


def test_time_shift_moves_samples_and_fills_zeros() -> None:
    x = window()
    for seed in range(10):
        out = TimeShift(0.2)(x, gen(seed))
        shift = next(s for s in range(-51, 52) if torch.equal(out, _shifted(x, s)))
        assert abs(shift) <= int(0.2 * T)


def _shifted(x: torch.Tensor, shift: int) -> torch.Tensor:
    out = torch.zeros_like(x)
    if shift >= 0:
        out[..., shift:] = x[..., : T - shift]
    else:
        out[..., :shift] = x[..., -shift:]
    return out


def test_channel_gains_are_per_channel_and_log_normal() -> None:
    x = window(shape=(4000, 8)).abs() + 0.5
    out = ChannelGain(0.3)(x, gen())
    ratio = out / x
    assert torch.allclose(ratio, ratio[..., :1].expand_as(ratio), rtol=1e-5)
    log_gain = ratio[0, :, 0].log()
    assert float(log_gain.std()) == pytest.approx(0.3, rel=0.05)
    assert abs(float(log_gain.mean())) < 0.02


def test_channel_dropout_zeroes_some_channels_only() -> None:
    x = window()
    for seed in range(10):
        out = ChannelDropout(0.2)(x, gen(seed))
        zero = (out[0] == 0).all(dim=1)
        assert 1 <= int(zero.sum()) <= int(0.2 * D)
        assert torch.equal(out[0, ~zero], x[0, ~zero])


def test_dead_channels_are_one_run_flat_or_incoherent() -> None:
    x = window()
    modes = set()
    for seed in range(20):
        out = DeadChannels(max_run=6, noisy=0.5)(x, gen(seed))
        changed = torch.nonzero((out[0] != x[0]).any(dim=1)).flatten()
        assert 1 <= len(changed) <= 6
        assert torch.equal(changed, torch.arange(int(changed[0]), int(changed[-1]) + 1))
        dead = out[0, changed]
        if (dead == 0).all():
            modes.add("flat")
        else:
            modes.add("noisy")
            correlation = np.corrcoef(dead.flatten(), x[0, changed].flatten())[0, 1]
            assert abs(correlation) < 0.2
            assert float(dead.pow(2).mean().sqrt()) == pytest.approx(1.0, rel=0.3)
    assert modes == {"flat", "noisy"}


@pytest.mark.parametrize("snr_db", [0.0, 10.0, 25.0])
def test_added_noise_has_the_target_snr(snr_db: float) -> None:
    x = window() * 3.0
    noise = AddNoise(snr_db, snr_db)(x, gen()) - x
    measured = 10 * math.log10(float(x.pow(2).mean() / noise.pow(2).mean()))
    assert measured == pytest.approx(snr_db, abs=0.05)
    assert abs(float(noise.mean())) < 0.05 * float(noise.std())


# f-k masking ----------------------------------------------------------------------------------
def plane_wave(m: int, n: int) -> torch.Tensor:
    """A wave on exact f-k bins: m cycles per window in time, n per window along the fibre,
    so its apparent velocity is (m / (T dt)) / (n / (D dx))."""
    d = torch.arange(D, dtype=torch.float64)[:, None]
    t = torch.arange(T, dtype=torch.float64)[None, :]
    return torch.cos(2 * torch.pi * (m * t / T - n * d / D))[None]


def velocity(m: int, n: int) -> float:
    return (m / (T * DT)) / (n / (D * DX))


def energy(x: torch.Tensor) -> float:
    return float(x.pow(2).sum())


def test_fk_mask_removes_the_velocity_band_and_keeps_the_rest() -> None:
    inside, outside_slow, outside_fast = (8, 5), (1, 16), (40, 1)
    assert velocity(*inside) == pytest.approx(1000.0)
    assert velocity(*outside_slow) == pytest.approx(39.0625)
    assert velocity(*outside_fast) == pytest.approx(25000.0)
    for m, n, kept in ((*inside, 0.0), (*outside_slow, 1.0), (*outside_fast, 1.0)):
        wave = plane_wave(m, n)
        out = fk_mask(wave, 400.0, 1600.0, DX, DT)
        assert energy(out) / energy(wave) == pytest.approx(kept, abs=1e-9)
    both = plane_wave(*inside) + plane_wave(*outside_fast)
    assert torch.allclose(fk_mask(both, 400.0, 1600.0, DX, DT), plane_wave(*outside_fast),
                          atol=1e-9)


def test_fk_mask_removes_a_broadband_arrival_of_that_apparent_velocity() -> None:
    d = torch.arange(D, dtype=torch.float64)[:, None] * DX
    t = torch.arange(T, dtype=torch.float64)[None, :] * DT

    def ricker_line(speed: float, hz: float) -> torch.Tensor:
        arg = (torch.pi * hz * (t - 0.2 - d / speed)) ** 2
        return ((1 - 2 * arg) * torch.exp(-arg))[None]

    # 5 Hz at 300 m/s stays below the spatial Nyquist (300 m/s x 0.05 /m = 15 Hz): an
    # aliased wave would fold into other apparent velocities and escape any mask.
    slow, fast = ricker_line(300.0, 5.0), ricker_line(3000.0, 15.0)
    assert energy(fk_mask(slow, 150.0, 600.0, DX, DT)) < 0.06 * energy(slow)
    assert energy(fk_mask(fast, 150.0, 600.0, DX, DT)) > 0.95 * energy(fast)
    assert energy(fk_mask(slow, 1500.0, 6000.0, DX, DT)) > 0.95 * energy(slow)
    assert energy(fk_mask(fast, 1500.0, 6000.0, DX, DT)) < 0.10 * energy(fast)


def test_apparent_velocity_grid_matches_numpy_fftfreq() -> None:
    grid = apparent_velocity((D, T), DX, DT)
    k = np.abs(np.fft.fftfreq(D, DX))
    f = np.abs(np.fft.fftfreq(T, DT))
    assert float(grid[3, 7]) == pytest.approx(f[7] / k[3])
    assert torch.isinf(grid[0, 5]) and grid[5, 0] == 0


def test_fk_mask_is_real_and_refuses_a_bad_band() -> None:
    out = FkMask(distance_step_m=DX, time_step_s=DT)(window(), gen())
    assert out.dtype == torch.float32 and not out.is_complex()
    with pytest.raises(ValueError, match="0 < low < high"):
        fk_mask(window(), 500.0, 100.0, DX, DT)


# coherent noise from another window -------------------------------------------------------
def best_match(residual: torch.Tensor, source: torch.Tensor) -> tuple[float, bool, int]:
    """Highest correlation of ``residual`` with ``source`` flipped or not, rolled by any
    shift: (correlation, flipped, shift)."""
    best = (-1.0, False, 0)
    for flipped in (False, True):
        candidate = source.flip(-2) if flipped else source
        for shift in range(T):
            rolled = candidate.roll(shift, -1)
            c = float((residual * rolled).sum() / (residual.norm() * rolled.norm()))
            best = max(best, (c, flipped, shift))
    return best


def test_mix_coherent_first_uses_a_flipped_rolled_self_then_its_bank() -> None:
    a, b = window(1), window(2)
    mix, g = MixCoherent(ratio=0.5, size=4), gen(5)
    first = mix(a, g)
    correlation, flipped, shift = best_match(first - a, a)
    assert correlation > 0.999 and flipped and T // 4 <= shift <= 3 * T // 4
    second = mix(b, g)
    residual = second - b
    correlation, _, _ = best_match(residual, a)
    assert correlation > 0.999  # the noise field is window a, not b
    assert float(residual.norm() / b.norm()) <= 0.5 + 1e-6
    assert len(mix.bank) == 2


def test_mix_coherent_is_seeded_for_one_sequence_of_windows() -> None:
    windows = [window(s) for s in range(6)]

    def run(seed: int) -> list[torch.Tensor]:
        mix, g = MixCoherent(0.5, size=3), gen(seed)
        return [mix(w, g) for w in windows]

    for a, b in zip(run(1), run(1), strict=True):
        assert torch.equal(a, b)
    assert any(not torch.equal(a, b) for a, b in zip(run(1), run(2), strict=True))


# views and their options ---------------------------------------------------------------------
def options(**raw) -> dict:
    return parse_options(DasViewOptions, raw, "das views").model_dump()


def draw(role: str, x: torch.Tensor, seed: int, **raw) -> torch.Tensor:
    g = gen(seed)
    for transform in VIEWS[role](options(**raw)):
        x = transform(x, g)
    return x


@pytest.mark.parametrize("role", ["strong", "light"])
def test_views_are_seeded_and_cropped(role: str) -> None:
    x = window(shape=(90, 333))
    first, again = draw(role, x, 1, crop_size=[32, 128]), draw(role, x, 1, crop_size=[32, 128])
    assert first.shape == (1, 32, 128) and torch.equal(first, again)
    assert not torch.equal(first, draw(role, x, 2, crop_size=[32, 128]))
    small = draw(role, window(shape=(20, 100)), 1, crop_size=[32, 128])
    assert small.shape == (1, 32, 128)  # padded


def crop_of(view: torch.Tensor, x: torch.Tensor) -> bool:
    """Whether ``view`` is exactly some (distance, time) crop of ``x``."""
    rows, cols = view.shape[-2:]
    windows = np.lib.stride_tricks.sliding_window_view(x[0].numpy(), (rows, cols))
    first = view[0].numpy()
    hits = np.argwhere((windows[..., 0, :] == first[0]).all(axis=-1))
    return any(np.array_equal(windows[i, j], first) for i, j in hits)


def test_light_view_keeps_the_wavefield_up_to_sign_and_direction() -> None:
    x = window(shape=(90, 333))
    for seed in range(8):
        view = draw("light", x, seed, crop_size=[32, 128])
        undone = [sign * (view.flip(-2) if flip else view) for sign in (1, -1)
                  for flip in (False, True)]
        assert any(crop_of(u, x) for u in undone)


def test_view_options_check_their_values() -> None:
    assert options(crop_size=48)["crop_size"] == (48, 48)
    defaults = options()
    assert defaults["crop_size"] == (64, 256) and defaults["noise_snr_db"] == (5.0, 30.0)
    for bad, match in (({"crop_size": [0, 8]}, "positive int"),
                       ({"noise_snr_db": [30, 5]}, "low <= high"),
                       ({"fk_velocity_mps": [0, 100]}, "above 0"),
                       ({"mix_p": 2}, "less than or equal to 1"),
                       ({"cropsize": 8}, "accepted keys")):
        with pytest.raises(OptionsError, match=match):
            options(**bad)


def test_zero_probabilities_leave_only_the_crop() -> None:
    off = {key: 0.0 for key in DasViewOptions.model_fields if key.endswith("_p")}
    transforms = VIEWS["strong"](options(**off, mix_ratio=0.0))
    assert len(transforms) == 1
