"""Losses on half-precision inputs, under autocast, compute in float32."""

import pytest
import torch

from sslsci.losses import (
    BarlowTwinsLoss,
    MaskedReconstructionLoss,
    NegativeCosineSimilarity,
    NTXentLoss,
    VICRegLoss,
)


@pytest.mark.parametrize(
    "loss_fn", [NTXentLoss(), VICRegLoss(), BarlowTwinsLoss(), NegativeCosineSimilarity()]
)
def test_two_view_losses_match_float32_under_bfloat16_autocast(loss_fn) -> None:
    generator = torch.Generator().manual_seed(0)
    z0 = torch.randn(16, 32, generator=generator).bfloat16()
    z1 = (z0.float() + 0.1 * torch.randn(16, 32, generator=generator)).bfloat16()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mixed = loss_fn(z0, z1)
    assert mixed.dtype == torch.float32
    torch.testing.assert_close(mixed, loss_fn(z0.float(), z1.float()))


def test_masked_reconstruction_matches_float32_under_bfloat16_autocast() -> None:
    generator = torch.Generator().manual_seed(1)
    pred = torch.randn(2, 8, 16, generator=generator).bfloat16()
    target = torch.randn(2, 8, 16, generator=generator).bfloat16()
    mask = torch.rand(2, 8, generator=generator) < 0.5
    loss_fn = MaskedReconstructionLoss()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        mixed = loss_fn(pred, target, mask)
    assert mixed.dtype == torch.float32
    torch.testing.assert_close(mixed, loss_fn(pred.float(), target.float(), mask))
