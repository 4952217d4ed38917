"""Adapting the stem to another channel count keeps the pretrained response."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from torch import nn

from sslsci.bundle import BundleError, load_bundle
from sslsci.bundle.stem import adapt_stem, adapted_kernel


def _reference_kernel(weight: torch.Tensor, n: int) -> torch.Tensor:
    """timm's rule, written out channel by channel."""
    old = weight.shape[1]
    columns = []
    for j in range(n):
        if n >= old:
            columns.append(weight[:, j % old] * old / n)
        else:
            columns.append(sum(weight[:, i] for i in range(old) if i % n == j))
    return torch.stack(columns, dim=1)


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 12, 13])
def test_adapted_kernel_matches_the_written_out_rule(n: int) -> None:
    weight = torch.randn(5, 6, 7, generator=torch.Generator().manual_seed(n))
    assert torch.allclose(adapted_kernel(weight, n), _reference_kernel(weight, n))


@pytest.mark.parametrize("n", [1, 2, 3, 12])
def test_equal_channels_keep_the_stem_response(n: int) -> None:
    generator = torch.Generator().manual_seed(0)
    conv = nn.Conv1d(6, 4, 5, padding=2)
    with torch.no_grad():
        conv.weight.normal_(generator=generator)
    signal = torch.randn(2, 1, 40, generator=generator)
    before = conv(signal.expand(-1, 6, -1))
    model = nn.Sequential(conv)
    adapt_stem(model, "0", n)
    assert model[0].in_channels == n
    assert torch.allclose(model[0](signal.expand(-1, n, -1)), before, atol=1e-5)


def test_loaded_model_adapts_and_reports_its_channels(bundle: Path) -> None:
    model = load_bundle(bundle, adapt_in_channels=3)
    assert model.in_channels == 3
    assert model.backbone.in_channels == 3
    assert model.backbone.accepts["in_channels"] == 3
    x = np.random.default_rng(0).standard_normal((3, 90)).astype(np.float32)
    assert model(x).shape == (16,)
    with pytest.raises(BundleError, match=r"has 6 channels .* takes 3"):
        model(np.zeros((6, 90), dtype=np.float32))


def test_non_conv_stem_is_refused_clearly() -> None:
    model = nn.Sequential(nn.Linear(6, 4))
    with pytest.raises(BundleError, match=r"is a Linear; adapt_in_channels supports plain Conv"):
        adapt_stem(model, "0", 3)


def test_unknown_stem_is_named() -> None:
    with pytest.raises(BundleError, match=r"stem layer 'missing' recorded in the bundle"):
        adapt_stem(nn.Sequential(nn.Conv1d(6, 4, 3)), "missing", 3)
