"""Augmentations: seeded determinism, geometry, shapes; views per view kind."""

from __future__ import annotations

import pickle

import pytest
import torch

from plugins.wearables import plugin
from plugins.wearables.augment import (
    ChannelDropout,
    Jitter,
    Permute,
    Reverse,
    Rotate3D,
    Scale,
    TimeWarp,
    triples_for,
)
from sslsci.plugins import OptionsError, PluginError
from sslsci.views import VIEW_KINDS, RandomApply, RandomCrop

ALL = [
    Rotate3D(),
    Scale(),
    Jitter(),
    TimeWarp(),
    Permute(),
    ChannelDropout(p=0.5),
    RandomCrop((40,), pad="replicate"),
    RandomApply(Rotate3D(), p=0.5),
]


def window(seed: int = 0, channels: int = 6, length: int = 90) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(channels, length, generator=g)


def gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("transform", ALL, ids=lambda t: type(t).__name__)
def test_same_seed_same_output_other_seed_differs(transform) -> None:
    x = window()
    a = transform(x, gen(1))
    b = transform(x, gen(1))
    torch.testing.assert_close(a, b)
    others = [transform(x, gen(s)) for s in range(2, 8)]
    assert any(o.shape != a.shape or not torch.equal(o, a) for o in others)


@pytest.mark.parametrize("transform", [t for t in ALL if not isinstance(t, RandomCrop)])
def test_shapes_and_dtype_kept(transform) -> None:
    x = window()
    out = transform(x, gen(3))
    assert out.shape == x.shape and out.dtype == x.dtype
    torch.testing.assert_close(x, window())  # the input is not modified in place


def test_rotation_preserves_norms_and_turns_acc_and_gyro_together() -> None:
    acc = window(channels=3)
    x = torch.cat([acc, acc])  # gyro equal to acc: the same rotation keeps them equal
    out = Rotate3D()(x, gen(5))
    torch.testing.assert_close(out[:3].norm(dim=0), acc.norm(dim=0))
    torch.testing.assert_close(out[3:].norm(dim=0), acc.norm(dim=0))
    torch.testing.assert_close(out[:3], out[3:])
    assert not torch.allclose(out[:3], acc)
    # it is a rotation: a fixed linear map with determinant +1
    solution = torch.linalg.lstsq(acc.T.double(), out[:3].T.double()).solution
    assert torch.linalg.det(solution).item() == pytest.approx(1.0, abs=1e-5)


def test_rotation_on_accelerometer_only_and_named_channels() -> None:
    x = window(channels=3)
    out = Rotate3D()(x, gen(2))
    torch.testing.assert_close(out.norm(dim=0), x.norm(dim=0))
    assert triples_for(["gyr_x", "gyr_y", "gyr_z", "acc_x", "acc_y", "acc_z"]) == (
        (3, 4, 5),
        (0, 1, 2),
    )
    assert triples_for(["acc_x", "acc_y"]) == ()


def test_small_rotation_limit() -> None:
    x = window(channels=3)
    out = Rotate3D(max_degrees=5.0)(x, gen(9))
    cosine = torch.nn.functional.cosine_similarity(out, x, dim=0)
    assert cosine.min() > torch.cos(torch.deg2rad(torch.tensor(5.0))) - 1e-5


def test_reversal_reverses() -> None:
    x = window()
    out = Reverse()(x, gen(0))
    torch.testing.assert_close(out, torch.flip(x, dims=[1]))
    torch.testing.assert_close(out[:, 0], x[:, -1])


def test_permutation_reorders_whole_segments() -> None:
    x = torch.arange(60.0).repeat(2, 1)
    out = Permute(max_segments=4)(x, gen(4))
    assert sorted(out[0].tolist()) == x[0].tolist()
    steps = torch.diff(out[0])
    assert (steps != 1).sum() <= 3  # at most pieces-1 seams
    torch.testing.assert_close(out[0], out[1])


def test_time_warp_keeps_endpoints_and_order() -> None:
    x = torch.linspace(0, 1, 100).repeat(3, 1)
    out = TimeWarp(sigma=0.4)(x, gen(6))
    assert out[0, 0].item() == pytest.approx(0.0)
    assert out[0, -1].item() == pytest.approx(1.0)
    assert (torch.diff(out[0]) >= 0).all()  # a monotone warp of a ramp stays a ramp
    assert not torch.allclose(out, x)


def test_scale_and_jitter_statistics() -> None:
    x = torch.ones(6, 4000)
    scaled = Scale(sigma=0.1)(x, gen(1))
    assert torch.allclose(scaled, scaled[:, :1].expand_as(scaled))  # one factor per channel
    noisy = Jitter(sigma=0.05)(x, gen(1))
    assert (noisy - x).std().item() == pytest.approx(0.05, rel=0.1)


def test_channel_dropout_keeps_one_channel() -> None:
    x = torch.ones(6, 10)
    for seed in range(20):
        out = ChannelDropout(p=1.0)(x, gen(seed))
        kept = (out.abs().sum(dim=1) > 0).sum().item()
        assert kept == 1


def test_random_crop_shortens_and_pads() -> None:
    x = window(length=90)
    out = RandomCrop((40,), pad="replicate")(x, gen(0))
    assert out.shape == (6, 40)
    starts = [i for i in range(51) if torch.equal(x[:, i : i + 40], out)]
    assert len(starts) == 1
    padded = RandomCrop((120,), pad="replicate")(x, gen(0))
    assert padded.shape == (6, 120)
    left = next(i for i in range(31) if torch.equal(padded[:, i : i + 90], x))
    assert torch.equal(padded[:, :left], x[:, :1].expand(6, left))


def test_random_apply_probability_extremes() -> None:
    x = window()
    torch.testing.assert_close(RandomApply(Reverse(), p=0.0)(x, gen(0)), x)
    torch.testing.assert_close(RandomApply(Reverse(), p=1.0)(x, gen(0)), x.flip(1))


@pytest.mark.parametrize("kind", list(VIEW_KINDS))
def test_each_view_kind_gives_its_views_at_the_crop_size(kind: str) -> None:
    views = plugin.views(kind, crop=64)
    assert len(views) == len(VIEW_KINDS[kind].roles)
    outs = []
    for i, transforms in enumerate(views):
        for length in (50, 90):  # windows of any length end up the same size
            x = window(seed=i, length=length)
            g = gen(10 + i)
            for transform in transforms:
                x = transform(x, g)
            outs.append(x)
    assert {tuple(o.shape) for o in outs} == {(6, 64)}
    pickle.loads(pickle.dumps(views))  # picklable for data-loader workers


def test_views_are_seeded() -> None:
    def run(seed: int) -> torch.Tensor:
        g = gen(seed)
        x = window()
        for transform in plugin.views("two_views")[0]:
            x = transform(x, g)
        return x

    torch.testing.assert_close(run(1), run(1))
    assert not torch.allclose(run(1), run(2))


def test_unknown_kind_and_bad_view_options_are_refused_naming_what_is_accepted() -> None:
    with pytest.raises(ValueError, match=r"unknown view kind 'multi_crop'; known kinds: two_views"):
        plugin.views("multi_crop")
    with pytest.raises(OptionsError, match=r"crop: value 0: Input should be greater than 0"):
        plugin.views("masked", crop=0)
    with pytest.raises(OptionsError, match=r"unknown key 'crp'; accepted keys: crop, channels"):
        plugin.views("masked", crp=64)
    assert not isinstance(OptionsError("x", []), PluginError)
