"""Health metrics against references computed independently (numpy, by the formula)."""

import numpy as np
import pytest
import torch

from sslsci.train.health import effective_rank, embedding_std, health_metrics, positive_cosine


def _reference_rankme(z: np.ndarray, eps: float = 1e-7) -> float:
    s = np.linalg.svd(z, compute_uv=False)
    p = s / (s.sum() + eps) + eps
    return float(np.exp(-(p * np.log(p)).sum()))


def test_rankme_matches_numpy_formula():
    z = torch.randn(64, 16, generator=torch.Generator().manual_seed(0))
    assert effective_rank(z) == pytest.approx(_reference_rankme(z.numpy().astype(np.float64)),
                                              rel=1e-4)


def test_rankme_of_rank_one_embedding_is_one():
    z = torch.outer(torch.arange(1.0, 33.0), torch.randn(8))
    assert effective_rank(z) == pytest.approx(1.0, abs=0.01)


def test_rankme_of_orthonormal_embedding_is_full():
    z = torch.eye(12)
    assert effective_rank(z) == pytest.approx(12.0, rel=1e-3)


def test_embedding_std_is_std_of_unit_vectors():
    z = torch.randn(50, 4, generator=torch.Generator().manual_seed(1)) * 7 + 3
    unit = z.numpy() / np.linalg.norm(z.numpy(), axis=1, keepdims=True)
    np.testing.assert_allclose(embedding_std(z).numpy(), unit.std(axis=0, ddof=1), rtol=1e-5)


def test_positive_cosine_by_hand():
    z0 = torch.tensor([[1.0, 0.0], [0.0, 2.0]])
    z1 = torch.tensor([[1.0, 1.0], [0.0, -1.0]])
    assert positive_cosine(z0, z1) == pytest.approx((2**-0.5 + -1.0) / 2)


def test_collapse_flagged_only_for_collapsed_embeddings():
    g = torch.Generator().manual_seed(2)
    spread = torch.randn(128, 32, generator=g)
    collapsed = torch.ones(128, 32) + 1e-4 * torch.randn(128, 32, generator=g)
    assert health_metrics(spread[:64], spread[64:])["health/collapse"] == 0.0
    assert health_metrics(collapsed[:64], collapsed[64:])["health/collapse"] == 1.0
