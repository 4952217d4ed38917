"""VICReg against loops written from Bardes et al. 2022 (eq. 1-6, official code's weighting)."""

import math

import pytest
import torch

from sslsci.losses import VICRegLoss
from sslsci.losses.vicreg import covariance_loss, invariance_loss, variance_loss


def column(z: torch.Tensor, j: int) -> list[float]:
    return [float(z[i, j]) for i in range(z.shape[0])]


def reference_std(values: list[float], eps: float) -> float:
    mean = sum(values) / len(values)
    var = sum((v - mean) ** 2 for v in values) / (len(values) - 1)
    return math.sqrt(var + eps)


def reference_variance(z: torch.Tensor, eps: float) -> float:
    dim = z.shape[1]
    return sum(max(0.0, 1.0 - reference_std(column(z, j), eps)) for j in range(dim)) / dim


def reference_covariance(z: torch.Tensor) -> float:
    n, dim = z.shape
    means = [sum(column(z, j)) / n for j in range(dim)]
    total = 0.0
    for j in range(dim):
        for k in range(dim):
            if j != k:
                cov = sum(
                    (float(z[i, j]) - means[j]) * (float(z[i, k]) - means[k]) for i in range(n)
                ) / (n - 1)
                total += cov**2
    return total / dim


def reference_invariance(z0: torch.Tensor, z1: torch.Tensor) -> float:
    n, dim = z0.shape
    squares = [(float(z0[i, j]) - float(z1[i, j])) ** 2 for i in range(n) for j in range(dim)]
    return sum(squares) / (n * dim)


def seeded_pair(seed: int, scale: float = 0.5) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(seed)
    z0 = scale * torch.randn(8, 4, generator=generator, dtype=torch.float64)
    z1 = scale * torch.randn(8, 4, generator=generator, dtype=torch.float64)
    return z0, z1


def test_terms_match_loop_references() -> None:
    z0, z1 = seeded_pair(0)
    assert invariance_loss(z0, z1).item() == pytest.approx(reference_invariance(z0, z1))
    assert variance_loss(z0, 1e-4).item() == pytest.approx(reference_variance(z0, 1e-4))
    assert covariance_loss(z0).item() == pytest.approx(reference_covariance(z0))


def test_total_matches_weighted_reference() -> None:
    z0, z1 = seeded_pair(1)
    lam, mu, nu, eps = 25.0, 20.0, 2.0, 1e-4
    expected = (
        lam * reference_invariance(z0, z1)
        + mu * 0.5 * (reference_variance(z0, eps) + reference_variance(z1, eps))
        + nu * (reference_covariance(z0) + reference_covariance(z1))
    )
    loss = VICRegLoss(lambda_param=lam, mu_param=mu, nu_param=nu, eps=eps)(z0, z1)
    assert loss.item() == pytest.approx(expected, rel=1e-10)


def test_variance_term_is_zero_when_every_std_is_at_least_one() -> None:
    z0, _ = seeded_pair(2, scale=10.0)
    assert variance_loss(z0).item() == 0.0
    collapsed = torch.ones(8, 4)
    assert variance_loss(collapsed, eps=0.0).item() == pytest.approx(1.0)


def test_covariance_term_is_zero_for_decorrelated_columns() -> None:
    z = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    assert covariance_loss(z).item() == pytest.approx(0.0, abs=1e-12)


def test_gradients_flow_and_are_finite() -> None:
    z0, z1 = seeded_pair(3)
    z0.requires_grad_(True)
    z1.requires_grad_(True)
    VICRegLoss()(z0, z1).backward()
    for grad in (z0.grad, z1.grad):
        assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_rejects_a_batch_of_one() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        VICRegLoss()(torch.zeros(1, 3), torch.zeros(1, 3))
