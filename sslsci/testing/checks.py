"""Checks every plugin must pass, shared by the test suite and plugin authors' own tests.

`tests/plugins/test_contract.py` runs them over every registered plugin, so an
outside plugin is tested the moment it is installed.
"""

from __future__ import annotations

import numpy as np
import torch
import xarray as xr

from sslsci.ingest.checks import generic_problems, to_spec_order
from sslsci.plugins.contract import ModalityPlugin, Reader

TWO_VIEW_METHODS = ("simclr", "byol", "vicreg", "barlow_twins", "dino")


def check_spec(plugin: ModalityPlugin) -> None:
    spec = plugin.spec
    if not spec.dims or not set(spec.window_dims) <= set(spec.dims):
        raise AssertionError(f"{spec.name}: window_dims {spec.window_dims} not within {spec.dims}")
    if spec.dims[0] in spec.window_dims:
        raise AssertionError(f"{spec.name}: the first dim must be the channel dim")
    if not isinstance(plugin.version, str) or not plugin.version:
        raise AssertionError(f"{spec.name}: version must be a non-empty string")


def check_readers(plugin: ModalityPlugin) -> None:
    names = [r.name for r in plugin.readers]
    if not names or len(set(names)) != len(names):
        raise AssertionError(f"{plugin.spec.name}: reader names must exist and be unique: {names}")
    for reader in plugin.readers:
        if not isinstance(reader, Reader):
            raise AssertionError(f"{plugin.spec.name}: reader {reader!r} lacks the Reader API")


def normalized_example(plugin: ModalityPlugin, seed: int = 0) -> xr.DataArray:
    """The plugin's example, validated and normalised the way ingest does it."""
    example = plugin.example(seed)
    problems = generic_problems(example, plugin.spec) + list(plugin.validate(example))
    if problems:
        raise AssertionError(f"{plugin.spec.name}: example(seed) is invalid: {problems}")
    array = to_spec_order(plugin.normalize(example), plugin.spec)
    if tuple(array.dims) != tuple(plugin.spec.dims):
        raise AssertionError(f"{plugin.spec.name}: normalize gave dims {array.dims}")
    return array


def example_window(plugin: ModalityPlugin, sizes: dict[str, int]) -> torch.Tensor:
    """A [C, ...] float tensor cut from the normalised example (zero-padded if short)."""
    array = normalized_example(plugin)
    values = np.asarray(array.values, dtype=np.float32)
    target = tuple(sizes.get(d, n) for d, n in zip(array.dims, values.shape, strict=True))
    window = np.zeros(target, dtype=np.float32)
    common = tuple(slice(0, min(a, b)) for a, b in zip(values.shape, target, strict=True))
    window[common] = values[common]
    return torch.from_numpy(window)


def check_views_seeded(plugin: ModalityPlugin, x: torch.Tensor, method: str) -> None:
    """Same generator seed -> same views; the views are finite tensors."""
    def draw(seed: int) -> list[torch.Tensor]:
        g = torch.Generator().manual_seed(seed)
        out = []
        for transforms in plugin.views(method):
            v = x.clone()
            for transform in transforms:
                v = transform(v, g)
            out.append(v)
        return out

    first, again = draw(7), draw(7)
    for a, b in zip(first, again, strict=True):
        if not torch.equal(a, b):
            raise AssertionError(f"{plugin.spec.name}: views({method!r}) are not seeded")
        if not torch.isfinite(a).all():
            raise AssertionError(f"{plugin.spec.name}: views({method!r}) gave non-finite values")


def check_backbone(plugin: ModalityPlugin, name: str, batch: torch.Tensor) -> None:
    """The shared backbone interface: num_features, forward_features, accepts, stem_name."""
    model = plugin.backbones()[name]()
    model.eval()
    for attribute in ("num_features", "accepts", "stem_name", "config"):
        if not hasattr(model, attribute):
            raise AssertionError(f"{plugin.spec.name}/{name}: backbone lacks {attribute!r}")
    with torch.no_grad():
        features = model.forward_features(batch)
    if tuple(features.shape) != (batch.shape[0], model.num_features):
        raise AssertionError(
            f"{plugin.spec.name}/{name}: forward_features gave {tuple(features.shape)}, "
            f"expected ({batch.shape[0]}, {model.num_features})"
        )
    dict(model.named_modules())[model.stem_name]
