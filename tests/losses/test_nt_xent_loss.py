"""NT-Xent against a loop over anchors written from SimCLR's eq. 1."""

import math

import pytest
import torch

from sslsci.losses import NTXentLoss
from sslsci.losses.nt_xent import nt_xent


def reference_nt_xent(z0: torch.Tensor, z1: torch.Tensor, temperature: float) -> float:
    """Loop over the 2N anchors: -log(exp(s_pos / T) / sum_{m != k} exp(s_km / T))."""
    n = z0.shape[0]
    views = [z0[i] for i in range(n)] + [z1[i] for i in range(n)]
    views = [v / math.sqrt(float((v * v).sum())) for v in views]
    total = 0.0
    for k in range(2 * n):
        positive = (k + n) % (2 * n)
        denominator = 0.0
        for m in range(2 * n):
            if m != k:
                denominator += math.exp(float((views[k] * views[m]).sum()) / temperature)
        numerator = math.exp(float((views[k] * views[positive]).sum()) / temperature)
        total += -math.log(numerator / denominator)
    return total / (2 * n)


@pytest.mark.parametrize("temperature", [0.1, 0.5])
def test_matches_loop_reference(temperature: float) -> None:
    generator = torch.Generator().manual_seed(0)
    z0 = torch.randn(6, 5, generator=generator, dtype=torch.float64)
    z1 = torch.randn(6, 5, generator=generator, dtype=torch.float64)
    loss = NTXentLoss(temperature=temperature)(z0, z1)
    assert loss.item() == pytest.approx(reference_nt_xent(z0, z1, temperature), rel=1e-10)


def test_identical_pairs_with_orthogonal_negatives() -> None:
    # Positives have similarity 1, all 2N-2 negatives similarity 0.
    n, temperature = 4, 0.2
    z = torch.eye(n, dtype=torch.float64) * 3.0
    loss = NTXentLoss(temperature=temperature)(z, z.clone())
    expected = math.log(1.0 + (2 * n - 2) * math.exp(-1.0 / temperature))
    assert loss.item() == pytest.approx(expected, rel=1e-12)


def test_offset_selects_local_rows_of_a_larger_batch() -> None:
    # The rank-local form (used under DDP) averages to the full-batch loss.
    generator = torch.Generator().manual_seed(1)
    z0 = torch.randn(6, 4, generator=generator, dtype=torch.float64)
    z1 = torch.randn(6, 4, generator=generator, dtype=torch.float64)
    halves = [nt_xent(z0[s : s + 3], z1[s : s + 3], 0.3, z0, z1, offset=s) for s in (0, 3)]
    assert ((halves[0] + halves[1]) / 2).item() == pytest.approx(
        reference_nt_xent(z0, z1, 0.3), rel=1e-10
    )


def test_gradients_flow_and_are_finite() -> None:
    generator = torch.Generator().manual_seed(2)
    z0 = torch.randn(4, 3, generator=generator, requires_grad=True)
    z1 = torch.randn(4, 3, generator=generator, requires_grad=True)
    NTXentLoss()(z0, z1).backward()
    for grad in (z0.grad, z1.grad):
        assert grad is not None and torch.isfinite(grad).all() and grad.abs().sum() > 0


def test_rejects_bad_inputs() -> None:
    with pytest.raises(ValueError, match="temperature"):
        NTXentLoss(temperature=0.0)
    with pytest.raises(ValueError, match="same shape"):
        NTXentLoss()(torch.zeros(4, 3), torch.zeros(4, 2))
    with pytest.raises(ValueError, match="at least 2 samples"):
        NTXentLoss()(torch.ones(1, 3), torch.ones(1, 3))
