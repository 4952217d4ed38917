"""VICReg: invariance, variance and covariance terms on an expanded embedding.

Bardes et al. 2022, "VICReg: Variance-Invariance-Covariance Regularization for
Self-Supervised Learning": backbone -> 3-layer expander (8192) -> VICReg loss
with lambda = mu = 25, nu = 1.  The three unweighted terms are logged as the
loss combines them (on one rank).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from sslsci.losses import VICRegLoss
from sslsci.losses.vicreg import covariance_loss, invariance_loss, variance_loss
from sslsci.methods.base import MethodOutput, SSLMethod
from sslsci.nn.heads import VICRegProjectionHead
from sslsci.views.kinds import TWO_VIEWS


class VICReg(SSLMethod):
    name = "vicreg"
    view_kind = TWO_VIEWS
    check_hparams: ClassVar[dict[str, Any]] = {"hidden_dim": 32, "output_dim": 32}

    def __init__(
        self,
        backbone: nn.Module,
        hidden_dim: int = 8192,
        output_dim: int = 8192,
        num_layers: int = 3,
        lambda_param: float = 25.0,
        mu_param: float = 25.0,
        nu_param: float = 1.0,
        gather_distributed: bool = False,
    ) -> None:
        super().__init__(backbone)
        self.projection_head = VICRegProjectionHead(
            backbone.num_features, hidden_dim, output_dim, num_layers
        )
        self.criterion = VICRegLoss(
            lambda_param, mu_param, nu_param, gather_distributed=gather_distributed
        )

    def forward(self, views: Sequence[Tensor]) -> MethodOutput:
        x0, x1 = self.check_views(views)[:2]
        h0, h1 = self.backbone(x0), self.backbone(x1)
        z0, z1 = self.projection_head(h0), self.projection_head(h1)
        loss = self.criterion(z0, z1)
        with torch.no_grad():
            z0d, z1d = z0.detach().float(), z1.detach().float()
            logs = {
                "invariance": invariance_loss(z0d, z1d),
                "variance": 0.5 * (variance_loss(z0d) + variance_loss(z1d)),
                "covariance": covariance_loss(z0d) + covariance_loss(z1d),
            }
        return MethodOutput(loss, logs, (h0.detach(), h1.detach()))
