"""Augmentations: speckle drawn in the linear domain (mean 1, variance 1/L), seeded; dB
shifts exact; dropout, flips and rotations; the views per role."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from plugins.sar.augment import (
    ChannelDropout,
    DecibelScale,
    RandomFlips,
    RandomRot90,
    ShiftDb,
    Speckle,
    speckle_db,
)

SCALE = DecibelScale(mean_db=(-12.0, -19.0), std_db=(4.0, 3.5))


def g(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def window(seed: int = 0, size: int = 64) -> torch.Tensor:
    return torch.randn(2, size, size, generator=g(seed))


@pytest.mark.parametrize("looks", [1.0, 4.4, 10.0])
def test_speckle_is_gamma_with_mean_one_and_variance_one_over_l(looks: float) -> None:
    db = torch.full((2, 256, 256), -10.0, dtype=torch.float64)
    out = speckle_db(db, looks, g(1))
    ratio = (10.0 ** (out / 10.0) / 10.0 ** (db / 10.0)).numpy().ravel()
    n = ratio.size
    assert ratio.mean() == pytest.approx(1.0, abs=4 * math.sqrt(1 / looks / n))
    assert ratio.var() == pytest.approx(1.0 / looks, rel=0.03)
    # third moment of Gamma(L, 1/L): (L + 1)(L + 2) / L^2
    assert (ratio**3).mean() == pytest.approx((looks + 1) * (looks + 2) / looks**2, rel=0.05)


def test_speckle_through_the_standardised_scale_multiplies_intensity() -> None:
    x = window(2)
    out = Speckle(SCALE, looks=5.0)(x, g(3))
    ratio = 10 ** (SCALE.to_db(out) / 10) / 10 ** (SCALE.to_db(x) / 10)
    assert float(ratio.mean()) == pytest.approx(1.0, abs=0.02)
    assert float(ratio.var()) == pytest.approx(0.2, rel=0.1)
    assert out.dtype == x.dtype and out.shape == x.shape


def test_speckle_is_seeded() -> None:
    x = window(4)
    first, again, other = (Speckle(SCALE)(x, g(s)) for s in (5, 5, 6))
    assert torch.equal(first, again) and not torch.equal(first, other)


def test_shift_adds_one_db_offset_to_every_channel() -> None:
    x = window(7)
    out = ShiftDb(SCALE, max_db=3.0)(x, g(8))
    shift = SCALE.to_db(out) - SCALE.to_db(x)
    assert float(shift.std()) < 1e-4
    value = float(shift.mean())
    assert -3.0 <= value <= 3.0
    expected = -3.0 + 6.0 * float(torch.rand(1, generator=g(8)))
    assert value == pytest.approx(expected, abs=1e-4)


def test_decibel_scale_round_trips_and_checks_channels() -> None:
    x = window(9)
    torch.testing.assert_close(SCALE.from_db(SCALE.to_db(x)), x)
    with pytest.raises(ValueError, match=r"views\.polarisations"):
        SCALE.to_db(torch.zeros(1, 4, 4))


def test_dropout_blanks_one_channel_and_keeps_single_channel_windows() -> None:
    x = window(10)
    out = ChannelDropout()(x, g(11))
    blank = [c for c in range(2) if torch.all(out[c] == 0)]
    assert len(blank) == 1 and torch.equal(out[1 - blank[0]], x[1 - blank[0]])
    single = x[:1]
    assert ChannelDropout()(single, g(11)) is single


def test_flips_and_rotations_permute_pixels() -> None:
    x = window(12, 16)
    seen = set()
    for seed in range(40):
        out = RandomRot90()(RandomFlips()(x, g(seed)), g(seed + 100))
        assert torch.equal(out.flatten().sort().values, x.flatten().sort().values)
        seen.add(out[0, 0, 0].item())
    assert len(seen) >= 4  # several of the 8 orientations were drawn
    wide = torch.randn(2, 8, 12)
    for seed in range(10):
        assert RandomRot90()(wide, g(seed)).shape == wide.shape


def test_views_per_role(sar_plugin) -> None:
    windows = torch.randn(2, 2, 48, 48, generator=g(13))
    for kind, count in (("two_views", 2), ("masked", 1)):
        recipe = sar_plugin.views(kind, crop_size=32)
        assert len(recipe) == count
        for transforms in recipe:
            out = windows[0]
            for transform in transforms:
                out = transform(out, g(14))
            assert out.shape == (2, 32, 32) and torch.isfinite(out).all()
    light = sar_plugin.views("masked", crop_size=32)[0]
    assert {type(t).__name__ for t in light} == {"RandomCrop", "RandomFlips", "RandomRot90"}


def test_view_options_are_checked(sar_plugin) -> None:
    from sslsci.plugins.options import OptionsError

    with pytest.raises(OptionsError, match="window_db_std lacks"):
        sar_plugin.parse_view_options({"polarisations": ["HH"], "window_db_std": {"VV": 4.0}})
    with pytest.raises(OptionsError, match="speckle_looks"):
        sar_plugin.parse_view_options({"speckle_looks": 0})
    assert np.isclose(sar_plugin.parse_view_options({"crop_size": 64}).crop_size, (64, 64)).all()
