"""Negative cosine similarity against a per-row loop, and its relation to BYOL's form."""

import math

import pytest
import torch

from sslsci.losses import NegativeCosineSimilarity


def reference_negative_cosine(p: torch.Tensor, z: torch.Tensor) -> float:
    total = 0.0
    for i in range(p.shape[0]):
        dot = float((p[i] * z[i]).sum())
        norms = math.sqrt(float((p[i] * p[i]).sum())) * math.sqrt(float((z[i] * z[i]).sum()))
        total += -dot / norms
    return total / p.shape[0]


def test_matches_loop_reference() -> None:
    generator = torch.Generator().manual_seed(0)
    p = torch.randn(5, 7, generator=generator, dtype=torch.float64)
    z = torch.randn(5, 7, generator=generator, dtype=torch.float64)
    loss = NegativeCosineSimilarity()(p, z)
    assert loss.item() == pytest.approx(reference_negative_cosine(p, z), rel=1e-12)


def test_known_values() -> None:
    z = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    loss = NegativeCosineSimilarity()
    assert loss(3 * z, z).item() == pytest.approx(-1.0)
    assert loss(-z, z).item() == pytest.approx(1.0)
    assert loss(z.flip(1), z).item() == pytest.approx(0.0)


def test_byol_form_is_two_plus_twice_this() -> None:
    # BYOL eq. 2: ||p/|p| - z/|z|||^2 = 2 - 2 cos = 2 + 2 * (-cos).
    generator = torch.Generator().manual_seed(1)
    p = torch.randn(4, 3, generator=generator, dtype=torch.float64)
    z = torch.randn(4, 3, generator=generator, dtype=torch.float64)
    p_unit = p / p.norm(dim=1, keepdim=True)
    z_unit = z / z.norm(dim=1, keepdim=True)
    byol = (p_unit - z_unit).pow(2).sum(dim=1).mean()
    assert byol.item() == pytest.approx(2 + 2 * NegativeCosineSimilarity()(p, z).item())


def test_gradient_reaches_both_inputs_unless_the_method_detaches() -> None:
    generator = torch.Generator().manual_seed(2)
    p = torch.randn(4, 3, generator=generator, requires_grad=True)
    z = torch.randn(4, 3, generator=generator, requires_grad=True)
    NegativeCosineSimilarity()(p, z.detach()).backward()
    assert p.grad is not None and torch.isfinite(p.grad).all() and p.grad.abs().sum() > 0
    assert z.grad is None


def test_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="same shape"):
        NegativeCosineSimilarity()(torch.zeros(2, 3), torch.zeros(3, 3))
