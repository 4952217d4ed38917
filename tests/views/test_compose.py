"""Compose and RandomApply: order, probability extremes, one draw from the generator."""

from __future__ import annotations

import pytest
import torch

from sslsci.views import Compose, RandomApply, rng


def flip(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    return x.flip(-1)


def add_noise(x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    return x + rng.randn(g, *x.shape)


def test_random_apply_at_p_0_and_1() -> None:
    x = torch.arange(5.0)[None]
    g = torch.Generator().manual_seed(0)
    assert torch.equal(RandomApply(flip, p=0.0)(x, g), x)
    assert torch.equal(RandomApply(flip, p=1.0)(x, g), x.flip(-1))


def test_random_apply_applies_at_about_p_and_draws_one_uniform() -> None:
    x = torch.arange(5.0)[None]
    g = torch.Generator().manual_seed(1)
    applied = sum(not torch.equal(RandomApply(flip, p=0.3)(x, g), x) for _ in range(2000))
    assert 520 < applied < 680  # binomial(2000, 0.3): mean 600, sd 20.5
    a, b = torch.Generator().manual_seed(5), torch.Generator().manual_seed(5)
    RandomApply(flip, p=0.5)(x, a)
    rng.uniform(b, 0.0, 1.0)
    assert torch.equal(torch.rand(3, generator=a), torch.rand(3, generator=b))


def test_compose_applies_in_order_with_one_generator() -> None:
    x = torch.arange(4.0)[None]
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    composed = Compose([add_noise, flip])(x, g1)
    assert torch.equal(composed, flip(add_noise(x, g2), g2))


def test_p_outside_0_1_is_refused() -> None:
    with pytest.raises(ValueError, match=r"p=1.5 must lie in \[0, 1\]"):
        RandomApply(flip, p=1.5)
