"""Representation health: collapse shows up here before it shows up in a probe."""

from __future__ import annotations

import torch
import torch.nn.functional as F

COLLAPSE_RATIO = 0.1  # normalised std below 10% of an isotropic embedding's means collapse


def embedding_std(z: torch.Tensor) -> torch.Tensor:
    """Per-dimension std of L2-normalised embeddings [B, D] -> [D]."""
    return F.normalize(z.float(), dim=1).std(dim=0)


def effective_rank(z: torch.Tensor, eps: float = 1e-7) -> float:
    """RankMe (Garrido et al. 2023): exp of the entropy of normalised singular values."""
    singular = torch.linalg.svdvals(z.float())
    p = singular / (singular.sum() + eps) + eps
    return float(torch.exp(-(p * p.log()).sum()))


def positive_cosine(z0: torch.Tensor, z1: torch.Tensor) -> float:
    """Mean cosine similarity of the two views of each sample."""
    return float(F.cosine_similarity(z0.float(), z1.float(), dim=1).mean())


def health_metrics(z0: torch.Tensor, z1: torch.Tensor) -> dict[str, float]:
    """The numbers logged every epoch; ``collapse`` is 1.0 when the embedding collapsed."""
    z = torch.cat([z0, z1])
    std = embedding_std(z)
    dim = z.shape[1]
    std_ratio = float(std.mean()) * dim**0.5
    return {
        "health/std_mean": float(std.mean()),
        "health/std_min": float(std.min()),
        "health/std_ratio": std_ratio,
        "health/rankme": effective_rank(z),
        "health/positive_cosine": positive_cosine(z0, z1),
        "health/collapse": float(std_ratio < COLLAPSE_RATIO),
    }
