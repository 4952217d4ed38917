"""VICReg: variance-invariance-covariance regularisation.

Bardes, Ponce & LeCun 2022, "VICReg", eq. 1-6 and Algorithm 1:

    loss = lambda * s(Z, Z') + mu * [v(Z) + v(Z')] / 2 + nu * [c(Z) + c(Z')]

with s the mean squared error, v the hinge on the per-dimension standard
deviation (target 1), c the sum of squared off-diagonal covariances over D.
The halving of the variance term (and not of the covariance term) follows
the official code (facebookresearch/vicreg, main_vicreg.py), which the
paper's defaults were tuned with, as lightly's VICRegLoss also does; the
paper's eq. 6 writes the plain sum.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from sslsci.losses.checks import check_pair
from sslsci.losses.distributed import gather_with_grad
from sslsci.losses.precision import full_precision, upcast_half


def invariance_loss(z0: Tensor, z1: Tensor) -> Tensor:
    """Mean squared distance between the two views' embeddings (eq. 5)."""
    return F.mse_loss(z0, z1)


def variance_loss(z: Tensor, eps: float = 1e-4) -> Tensor:
    """Hinge ``mean_j relu(1 - sqrt(Var(z_j) + eps))`` over dimensions (eq. 1-2).

    Zero once every dimension has a standard deviation of at least 1, so the
    embedding cannot collapse to a point.  Uses the unbiased variance.
    """
    std = torch.sqrt(z.var(dim=0) + eps)
    return F.relu(1.0 - std).mean()


def covariance_loss(z: Tensor) -> Tensor:
    """Sum of squared off-diagonal covariances divided by D (eq. 3-4)."""
    batch, dim = z.shape
    centred = z - z.mean(dim=0)
    cov = centred.T @ centred / (batch - 1)
    off_diagonal = cov - torch.diag_embed(torch.diagonal(cov))
    return off_diagonal.pow(2).sum() / dim


class VICRegLoss(nn.Module):
    """VICReg loss for two views ``z0``, ``z1`` of shape [B, D], B >= 2.

    The paper's defaults are lambda = mu = 25, nu = 1.  With
    ``gather_distributed=True`` the statistics are taken over the batch of all
    ranks, as the official code does.
    """

    def __init__(
        self,
        lambda_param: float = 25.0,
        mu_param: float = 25.0,
        nu_param: float = 1.0,
        eps: float = 1e-4,
        gather_distributed: bool = False,
    ) -> None:
        super().__init__()
        self.lambda_param = lambda_param
        self.mu_param = mu_param
        self.nu_param = nu_param
        self.eps = eps
        self.gather_distributed = gather_distributed

    def forward(self, z0: Tensor, z1: Tensor) -> Tensor:
        check_pair(z0, z1, "VICRegLoss", min_batch=2)
        if self.gather_distributed:
            z0, z1 = gather_with_grad(z0), gather_with_grad(z1)
        with full_precision(z0.device):
            z0, z1 = upcast_half(z0, z1)
            invariance = invariance_loss(z0, z1)
            variance = 0.5 * (variance_loss(z0, self.eps) + variance_loss(z1, self.eps))
            covariance = covariance_loss(z0) + covariance_loss(z1)
        return (
            self.lambda_param * invariance + self.mu_param * variance + self.nu_param * covariance
        )
