"""Masked reconstruction against a loop over masked patches (He et al. 2022, MAE)."""

import math

import pytest
import torch

from sslsci.losses import MaskedReconstructionLoss


def reference_masked_loss(pred, target, mask, norm_pix: bool, eps: float = 1e-6) -> float:
    total, count = 0.0, 0
    batch, patches, size = pred.shape
    for b in range(batch):
        for n in range(patches):
            if not bool(mask[b, n]):
                continue
            values = [float(v) for v in target[b, n]]
            if norm_pix:
                mean = sum(values) / size
                var = sum((v - mean) ** 2 for v in values) / (size - 1)
                values = [(v - mean) / math.sqrt(var + eps) for v in values]
            total += sum((float(p) - v) ** 2 for p, v in zip(pred[b, n], values, strict=True))
            count += 1
    return total / (count * size)


def sample(seed: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    pred = torch.randn(2, 6, 4, generator=generator, dtype=torch.float64)
    target = 3.0 + 2.0 * torch.randn(2, 6, 4, generator=generator, dtype=torch.float64)
    mask = torch.rand(2, 6, generator=generator) < 0.5
    mask[0, 0] = True
    return pred, target, mask


@pytest.mark.parametrize("norm_pix", [True, False])
def test_matches_loop_reference(norm_pix: bool) -> None:
    pred, target, mask = sample(0)
    loss = MaskedReconstructionLoss(norm_pix=norm_pix)(pred, target, mask)
    assert loss.item() == pytest.approx(reference_masked_loss(pred, target, mask, norm_pix))


def test_unmasked_patches_do_not_count() -> None:
    pred, target, mask = sample(1)
    loss_fn = MaskedReconstructionLoss()
    before = loss_fn(pred, target, mask)
    changed = pred.clone()
    changed[~mask] += 100.0
    changed_target = target.clone()
    changed_target[~mask] -= 50.0
    assert loss_fn(changed, changed_target, mask).item() == pytest.approx(before.item())


def test_perfect_prediction_of_normalised_patches_is_zero() -> None:
    _, target, mask = sample(2)
    mean = target.mean(dim=-1, keepdim=True)
    std = target.std(dim=-1, keepdim=True)
    loss = MaskedReconstructionLoss(norm_pix=True, eps=0.0)((target - mean) / std, target, mask)
    assert loss.item() == pytest.approx(0.0, abs=1e-20)


def test_gradient_only_on_masked_predictions() -> None:
    pred, target, mask = sample(3)
    pred.requires_grad_(True)
    MaskedReconstructionLoss()(pred, target, mask).backward()
    assert pred.grad is not None and torch.isfinite(pred.grad).all()
    assert pred.grad[~mask].abs().sum() == 0
    assert pred.grad[mask].abs().sum() > 0


def test_rejects_bad_inputs() -> None:
    pred, target, mask = sample(4)
    loss_fn = MaskedReconstructionLoss()
    with pytest.raises(ValueError, match="no masked patch"):
        loss_fn(pred, target, torch.zeros_like(mask))
    with pytest.raises(ValueError, match="bool mask"):
        loss_fn(pred, target, mask.float())
    with pytest.raises(ValueError, match="same shape"):
        loss_fn(pred, target[:, :, :2], mask)
    with pytest.raises(ValueError, match="at least 2 values"):
        loss_fn(pred[:, :, :1], target[:, :, :1], mask)
