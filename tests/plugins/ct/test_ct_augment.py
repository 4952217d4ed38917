"""Seeded MONAI views: recipes per method, determinism, and what each step does."""

from __future__ import annotations

import pytest
import torch

from plugins.ct.augment import MonaiStep, crop_size_option, flips, random_crop
from plugins.ct.recipes import KNOWN_METHODS, TWO_STRONG_VIEWS, views_for


def window(seed: int = 0, shape=(1, 40, 36, 30)) -> torch.Tensor:
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


def draw(method: str, x: torch.Tensor, seed: int, **options) -> list[torch.Tensor]:
    g = torch.Generator().manual_seed(seed)
    views = []
    for transforms in views_for(method, **options):
        v = x
        for transform in transforms:
            v = transform(v, g)
        views.append(v)
    return views


@pytest.mark.parametrize("method", KNOWN_METHODS)
def test_views_are_deterministic_per_seed_and_vary_across_seeds(method: str) -> None:
    x = window()
    first, again, other = (draw(method, x, s, crop_size=32) for s in (3, 3, 4))
    assert len(first) == (2 if method in TWO_STRONG_VIEWS else 1)
    for a, b, c in zip(first, again, other, strict=True):
        assert type(a) is torch.Tensor  # plain tensors, not MONAI MetaTensors
        assert a.shape == (1, 32, 32, 32) and a.dtype == torch.float32
        assert torch.equal(a, b)
        assert not torch.equal(a, c)
        assert torch.isfinite(a).all()


def test_two_views_of_one_window_differ() -> None:
    a, b = draw("simclr", window(), 0, crop_size=32)
    assert not torch.equal(a, b)


def test_small_windows_are_padded_with_zero_to_the_crop() -> None:
    x = torch.ones(1, 10, 12, 8)
    g = torch.Generator().manual_seed(0)
    v = x
    for step in random_crop((16, 16, 16)):
        v = step(v, g)
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


def test_steps_pickle_and_keep_seeding() -> None:
    import pickle

    step = views_for("byol", crop_size=16)[0][0]
    assert isinstance(step, MonaiStep)
    clone = pickle.loads(pickle.dumps(step))
    x = window(shape=(1, 20, 20, 20))
    a = step(x, torch.Generator().manual_seed(9))
    b = clone(x, torch.Generator().manual_seed(9))
    assert torch.equal(a, b)


def test_default_crop_is_96() -> None:
    _pad, crop = views_for("mae")[0][:2]
    assert crop.transform.cropper.roi_size == (96, 96, 96)


@pytest.mark.parametrize("value", [0, [32, 32], "96", True])
def test_bad_crop_size_is_explained(value) -> None:
    with pytest.raises(ValueError, match=r"option crop_size=.* must be a positive number"):
        crop_size_option(value)


def test_unknown_method_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="known methods: simclr, byol"):
        views_for("jigsaw")
