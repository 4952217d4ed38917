"""Barlow Twins: make the cross-correlation of two views the identity.

Zbontar et al. 2021, "Barlow Twins", eq. 1-2 and Algorithm 1:

    C = BN(z0).T @ BN(z1) / N
    loss = sum_i (1 - C_ii)^2 + lambda * sum_{i != j} C_ij^2

BN is batch normalisation without affine parameters, in training mode
(biased variance, eps 1e-5), as in the official code
(facebookresearch/barlowtwins), which uses ``nn.BatchNorm1d(affine=False)``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from sslsci.losses.checks import check_pair
from sslsci.losses.distributed import gather_with_grad
from sslsci.losses.precision import full_precision, upcast_half


def batch_normalize(z: Tensor, eps: float = 1e-5) -> Tensor:
    """Standardise each dimension over the batch, as ``BatchNorm1d(affine=False)`` trains."""
    mean = z.mean(dim=0)
    var = z.var(dim=0, unbiased=False)
    return (z - mean) / torch.sqrt(var + eps)


def cross_correlation(z0: Tensor, z1: Tensor, eps: float = 1e-5) -> Tensor:
    """Empirical cross-correlation [D, D] of the batch-normalised views."""
    return batch_normalize(z0, eps).T @ batch_normalize(z1, eps) / z0.shape[0]


def on_diagonal_loss(c: Tensor) -> Tensor:
    """Invariance term: ``sum_i (1 - C_ii)^2``."""
    return (torch.diagonal(c) - 1.0).pow(2).sum()


def off_diagonal_loss(c: Tensor) -> Tensor:
    """Redundancy-reduction term: ``sum_{i != j} C_ij^2``."""
    return c.pow(2).sum() - torch.diagonal(c).pow(2).sum()


class BarlowTwinsLoss(nn.Module):
    """Barlow Twins loss for two views ``z0``, ``z1`` of shape [B, D], B >= 2.

    With ``gather_distributed=True`` the correlation is taken over the batch of
    all ranks (the official code uses SyncBatchNorm and an all_reduce of C).
    """

    def __init__(
        self, lambda_param: float = 5e-3, eps: float = 1e-5, gather_distributed: bool = False
    ) -> None:
        super().__init__()
        self.lambda_param = lambda_param
        self.eps = eps
        self.gather_distributed = gather_distributed

    def forward(self, z0: Tensor, z1: Tensor) -> Tensor:
        check_pair(z0, z1, "BarlowTwinsLoss", min_batch=2)
        if self.gather_distributed:
            z0, z1 = gather_with_grad(z0), gather_with_grad(z1)
        with full_precision(z0.device):
            z0, z1 = upcast_half(z0, z1)
            c = cross_correlation(z0, z1, self.eps)
            return on_diagonal_loss(c) + self.lambda_param * off_diagonal_loss(c)
