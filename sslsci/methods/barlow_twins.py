"""Barlow Twins: make the cross-correlation of two views' embeddings the identity.

Zbontar et al. 2021, "Barlow Twins: Self-Supervised Learning via Redundancy
Reduction": backbone -> 3-layer projector (8192) -> Barlow Twins loss with
lambda = 5e-3.  The invariance (on-diagonal) and redundancy (off-diagonal) terms
are logged separately.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from sslsci.losses import BarlowTwinsLoss
from sslsci.losses.barlow_twins import cross_correlation, off_diagonal_loss, on_diagonal_loss
from sslsci.methods.base import MethodOutput, SSLMethod
from sslsci.nn.heads import BarlowTwinsProjectionHead
from sslsci.views.kinds import TWO_VIEWS


class BarlowTwins(SSLMethod):
    name = "barlow_twins"
    view_kind = TWO_VIEWS
    check_hparams: ClassVar[dict[str, Any]] = {"hidden_dim": 32, "output_dim": 32}

    def __init__(
        self,
        backbone: nn.Module,
        hidden_dim: int = 8192,
        output_dim: int = 8192,
        lambda_param: float = 5e-3,
        gather_distributed: bool = False,
    ) -> None:
        super().__init__(backbone)
        self.projection_head = BarlowTwinsProjectionHead(
            backbone.num_features, hidden_dim, output_dim
        )
        self.criterion = BarlowTwinsLoss(lambda_param, gather_distributed=gather_distributed)

    def forward(self, views: Sequence[Tensor]) -> MethodOutput:
        x0, x1 = self.check_views(views)[:2]
        h0, h1 = self.backbone(x0), self.backbone(x1)
        z0, z1 = self.projection_head(h0), self.projection_head(h1)
        loss = self.criterion(z0, z1)
        with torch.no_grad():
            correlation = cross_correlation(z0.detach().float(), z1.detach().float())
            logs = {
                "on_diagonal": on_diagonal_loss(correlation),
                "off_diagonal": off_diagonal_loss(correlation),
            }
        return MethodOutput(loss, logs, (h0.detach(), h1.detach()))
