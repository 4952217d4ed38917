"""The core's N-D random crop: exact cuts, random-split padding, one draw per axis."""

from __future__ import annotations

import pytest
import torch

from sslsci.views import RandomCrop


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def test_a_long_window_is_cut_exactly_somewhere_inside() -> None:
    x = torch.arange(2 * 90, dtype=torch.float32).reshape(2, 90)
    out = RandomCrop((40,))(x, gen(0))
    assert out.shape == (2, 40)
    assert sum(torch.equal(x[:, i : i + 40], out) for i in range(51)) == 1


def test_3d_crop_takes_one_box_of_the_volume() -> None:
    x = torch.randn(1, 20, 18, 16, generator=gen(1))
    out = RandomCrop((8, 8, 8))(x, gen(2))
    assert out.shape == (1, 8, 8, 8)
    boxes = [
        (a, b, c)
        for a in range(13) for b in range(11) for c in range(9)
        if torch.equal(x[:, a : a + 8, b : b + 8, c : c + 8], out)
    ]
    assert len(boxes) == 1


def test_short_inputs_are_padded_with_zeros_or_their_edges_at_a_random_split() -> None:
    x = torch.arange(1.0, 11.0).reshape(1, 10)
    zeros = RandomCrop((16,))(x, gen(3))
    left = next(i for i in range(7) if torch.equal(zeros[:, i : i + 10], x))
    assert zeros[:, :left].eq(0).all() and zeros[:, left + 10 :].eq(0).all()
    edges = RandomCrop((16,), pad="replicate")(x, gen(3))
    assert torch.equal(edges[:, left : left + 10], x)  # same draw, same split
    assert edges[:, :left].eq(1).all() and edges[:, left + 10 :].eq(10).all()
    lefts = {
        next(i for i in range(7) if torch.equal(RandomCrop((16,))(x, gen(s))[:, i : i + 10], x))
        for s in range(40)
    }
    assert len(lefts) > 3  # the split is drawn, not fixed


def test_same_generator_seed_same_crop() -> None:
    x = torch.randn(3, 100, generator=gen(4))
    assert torch.equal(RandomCrop((30,))(x, gen(9)), RandomCrop((30,))(x, gen(9)))
    assert not torch.equal(RandomCrop((30,))(x, gen(9)), RandomCrop((30,))(x, gen(10)))


def test_bad_sizes_and_too_few_dims_are_refused() -> None:
    with pytest.raises(ValueError, match=r"size \(0,\) must be positive ints"):
        RandomCrop((0,))
    with pytest.raises(ValueError, match=r"pad 'reflect' must be 'constant' or 'replicate'"):
        RandomCrop((4,), pad="reflect")
    with pytest.raises(ValueError, match=r"needs a \[channel, \.\.\.\] window with 3 window dims"):
        RandomCrop((4, 4, 4))(torch.zeros(2, 8), gen(0))
