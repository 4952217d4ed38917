"""Seeded MONAI views: the view kinds the plugin supplies, determinism, what each step does."""

from __future__ import annotations

import pickle

import pytest
import torch

from plugins.ct.augment import MonaiStep, flips
from plugins.ct.plugin import plugin
from plugins.ct.views import crop
from sslsci.plugins.contract import PluginError
from sslsci.plugins.options import OptionsError
from sslsci.views import RandomCrop

KINDS = {"two_views": 2, "masked": 1}


def window(seed: int = 0, shape=(1, 40, 36, 30)) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


def apply(transforms, x: torch.Tensor, g: torch.Generator) -> torch.Tensor:
    for transform in transforms:
        x = transform(x, g)
    return x


def draw(kind: str, x: torch.Tensor, seed: int, **options) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    return [apply(transforms, x, g) for transforms in plugin.views(kind, **options)]


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_views_are_deterministic_per_seed_and_vary_across_seeds(kind: str) -> None:
    x = window()
    first, again, other = (draw(kind, x, s, crop_size=32) for s in (3, 3, 4))
    assert len(first) == KINDS[kind]
    for a, b, c in zip(first, again, other, strict=True):
        assert type(a) is torch.Tensor  # plain tensors, not MONAI MetaTensors
        assert a.shape == (1, 32, 32, 32) and a.dtype == torch.float32
        assert torch.equal(a, b)
        assert not torch.equal(a, c)
        assert torch.isfinite(a).all()


def test_two_views_of_one_window_differ() -> None:
    a, b = draw("two_views", window(), 0, crop_size=32)
    assert not torch.equal(a, b)


def test_crop_size_per_axis() -> None:
    (view,) = draw("masked", window(), 0, crop_size=[32, 24, 16])
    assert view.shape == (1, 32, 24, 16)


def test_small_windows_are_padded_with_zero_to_the_crop() -> None:
    x = torch.ones(1, 10, 12, 8)
    v = crop((16, 16, 16))(x, torch.Generator().manual_seed(0))
    assert v.shape == (1, 16, 16, 16)
    assert float(v.sum()) == 10 * 12 * 8  # every input voxel kept once, the rest is 0


def test_flips_only_mirror_and_reach_several_combinations() -> None:
    x = window(shape=(1, 6, 5, 4))
    g = torch.Generator().manual_seed(1)
    combinations = [(), (1,), (2,), (3,), (1, 2), (1, 3), (2, 3), (1, 2, 3)]
    seen = set()
    for _ in range(12):
        v = x
        for step in flips():
            v = step(v, g)
        matches = [axes for axes in combinations if torch.equal(v, x.flip(list(axes)))]
        assert len(matches) == 1
        seen.add(matches[0])
    assert len(seen) > 2


def test_views_pickle_and_keep_seeding() -> None:
    (first, _) = plugin.views("two_views", crop_size=16)
    assert any(isinstance(step, MonaiStep) for step in first)
    clone = pickle.loads(pickle.dumps(first))
    x = window(shape=(1, 20, 20, 20))
    a = apply(first, x, torch.Generator().manual_seed(9))
    b = apply(clone, x, torch.Generator().manual_seed(9))
    assert torch.equal(a, b)


def test_default_crop_is_96() -> None:
    (light,) = plugin.views("masked")
    assert light[0] == RandomCrop((96, 96, 96), pad="constant", value=0.0)


@pytest.mark.parametrize("value", [0, [32, 32], "96", True])
def test_bad_crop_size_is_explained(value) -> None:
    with pytest.raises(OptionsError, match=r"crop_size: value .* must be a positive int or three"):
        plugin.parse_view_options({"crop_size": value})
    with pytest.raises(OptionsError, match=r"crop_size: value .* e\.g\. crop_size: 96"):
        plugin.views("two_views", crop_size=value)


def test_unknown_kind_and_missing_roles_are_explained() -> None:
    with pytest.raises(ValueError, match="known kinds: two_views, masked, pretext"):
        plugin.views("jigsaw")
    with pytest.raises(PluginError, match="supplies no 'pretext' views"):
        plugin.views("pretext")
    with pytest.raises(OptionsError, match="unknown key 'crop'; accepted keys: crop_size"):
        plugin.views("two_views", crop=32)
