"""SimCLR: contrast two augmented views against the rest of the batch.

Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual
Representations": backbone -> 2-layer projection head -> NT-Xent.  The
temperature default 0.5 is lightly's, suited to the modest batches of sensor
pretraining (the paper's 0.1 goes with batches of 4096).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from torch import Tensor, nn

from sslsci.losses import NTXentLoss
from sslsci.methods.base import MethodOutput, SSLMethod
from sslsci.nn.heads import SimCLRProjectionHead
from sslsci.views.kinds import TWO_VIEWS


class SimCLR(SSLMethod):
    name = "simclr"
    view_kind = TWO_VIEWS
    check_hparams: ClassVar[dict[str, Any]] = {"hidden_dim": 32, "output_dim": 16}

    def __init__(
        self,
        backbone: nn.Module,
        hidden_dim: int = 2048,
        output_dim: int = 128,
        temperature: float = 0.5,
        gather_distributed: bool = False,
    ) -> None:
        super().__init__(backbone)
        self.projection_head = SimCLRProjectionHead(backbone.num_features, hidden_dim, output_dim)
        self.criterion = NTXentLoss(temperature, gather_distributed=gather_distributed)

    def forward(self, views: Sequence[Tensor]) -> MethodOutput:
        x0, x1 = self.check_views(views)[:2]
        h0, h1 = self.backbone(x0), self.backbone(x1)
        loss = self.criterion(self.projection_head(h0), self.projection_head(h1))
        return MethodOutput(loss, {}, (h0.detach(), h1.detach()))
