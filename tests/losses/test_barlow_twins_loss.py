"""Barlow Twins against BatchNorm1d(affine=False) and loops over the correlation matrix."""

import pytest
import torch
from torch import nn

from sslsci.losses import BarlowTwinsLoss
from sslsci.losses.barlow_twins import cross_correlation, off_diagonal_loss, on_diagonal_loss


def reference_barlow_twins(z0: torch.Tensor, z1: torch.Tensor, lam: float) -> float:
    """Zbontar et al. 2021, Algorithm 1, with the official BatchNorm1d normaliser."""
    n, dim = z0.shape
    bn = nn.BatchNorm1d(dim, affine=False, dtype=z0.dtype).train()
    a, b = bn(z0), bn(z1)
    total = 0.0
    for i in range(dim):
        for j in range(dim):
            c_ij = sum(float(a[k, i]) * float(b[k, j]) for k in range(n)) / n
            total += (1.0 - c_ij) ** 2 if i == j else lam * c_ij**2
    return total


@pytest.mark.parametrize("lam", [5e-3, 0.1])
def test_matches_loop_reference(lam: float) -> None:
    generator = torch.Generator().manual_seed(0)
    z0 = torch.randn(8, 4, generator=generator, dtype=torch.float64)
    z1 = z0 + 0.5 * torch.randn(8, 4, generator=generator, dtype=torch.float64)
    loss = BarlowTwinsLoss(lambda_param=lam)(z0, z1)
    assert loss.item() == pytest.approx(reference_barlow_twins(z0, z1, lam), rel=1e-8)


def test_identical_decorrelated_inputs_give_identity_correlation() -> None:
    # Zero-mean, unit-variance, orthogonal columns: C = I up to BatchNorm's eps.
    z = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]], dtype=torch.float64)
    c = cross_correlation(z, z.clone())
    assert torch.allclose(c, torch.eye(2, dtype=torch.float64), atol=1e-4)
    assert on_diagonal_loss(c).item() == pytest.approx(0.0, abs=1e-8)
    assert off_diagonal_loss(c).item() == pytest.approx(0.0, abs=1e-12)
    assert BarlowTwinsLoss()(z, z.clone()).item() == pytest.approx(0.0, abs=1e-8)


def test_terms_on_a_known_matrix() -> None:
    c = torch.tensor([[0.5, 2.0], [-1.0, 1.0]])
    assert on_diagonal_loss(c).item() == pytest.approx(0.25)
    assert off_diagonal_loss(c).item() == pytest.approx(5.0)


def test_gradients_flow_and_are_finite() -> None:
    generator = torch.Generator().manual_seed(1)
    z0 = torch.randn(6, 3, generator=generator, requires_grad=True)
    z1 = torch.randn(6, 3, generator=generator, requires_grad=True)
    BarlowTwinsLoss()(z0, z1).backward()
    for grad in (z0.grad, z1.grad):
        assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_rejects_bad_shapes() -> None:
    with pytest.raises(ValueError, match="same shape"):
        BarlowTwinsLoss()(torch.zeros(4, 3), torch.zeros(4, 3, 1))
    with pytest.raises(ValueError, match="at least 2"):
        BarlowTwinsLoss()(torch.zeros(1, 3), torch.zeros(1, 3))
