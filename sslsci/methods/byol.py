"""BYOL: predict an EMA target network's projection of the other view.

Grill et al. 2020, "Bootstrap Your Own Latent": online backbone -> projector ->
predictor; target = EMA copy of backbone and projector, no gradient; symmetric
negative-cosine loss.  The target momentum follows BYOL's cosine schedule from
``momentum_start`` to ``momentum_end`` (0.99 -> 1 here; the paper's 0.996 base
suits longer runs than sensor pretraining usually has).
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from sslsci.losses import NegativeCosineSimilarity
from sslsci.methods.base import MethodOutput, SSLMethod
from sslsci.methods.ema import deactivate_requires_grad, ema_update
from sslsci.methods.schedules import cosine_schedule
from sslsci.nn.heads import BYOLPredictionHead, BYOLProjectionHead
from sslsci.views.kinds import TWO_VIEWS


class BYOL(SSLMethod):
    name = "byol"
    view_kind = TWO_VIEWS
    check_hparams: ClassVar[dict[str, Any]] = {"hidden_dim": 32, "output_dim": 16}

    def __init__(
        self,
        backbone: nn.Module,
        hidden_dim: int = 4096,
        output_dim: int = 256,
        momentum_start: float = 0.99,
        momentum_end: float = 1.0,
    ) -> None:
        super().__init__(backbone)
        self.projection_head = BYOLProjectionHead(backbone.num_features, hidden_dim, output_dim)
        self.prediction_head = BYOLPredictionHead(output_dim, hidden_dim, output_dim)
        self.target_backbone = copy.deepcopy(backbone)
        self.target_projection_head = copy.deepcopy(self.projection_head)
        deactivate_requires_grad(self.target_backbone)
        deactivate_requires_grad(self.target_projection_head)
        self.criterion = NegativeCosineSimilarity()
        self.momentum_start = momentum_start
        self.momentum_end = momentum_end
        self.momentum = momentum_start

    def online(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """Backbone features and predictions of the online network."""
        features = self.backbone(x)
        return features, self.prediction_head(self.projection_head(features))

    @torch.no_grad()
    def target(self, x: Tensor) -> Tensor:
        """Projections of the EMA target network (stop-gradient)."""
        return self.target_projection_head(self.target_backbone(x))

    def forward(self, views: Sequence[Tensor]) -> MethodOutput:
        x0, x1 = self.check_views(views)[:2]
        h0, p0 = self.online(x0)
        h1, p1 = self.online(x1)
        z0, z1 = self.target(x0), self.target(x1)
        loss = 0.5 * (self.criterion(p0, z1) + self.criterion(p1, z0))
        logs = {"momentum": torch.tensor(self.momentum)}
        return MethodOutput(loss, logs, (h0.detach(), h1.detach()))

    def momentum_update(self, step: int, max_steps: int) -> None:
        """EMA of backbone and projector into the target at the scheduled momentum."""
        self.momentum = cosine_schedule(step, max_steps, self.momentum_start, self.momentum_end)
        ema_update(self.target_backbone, self.backbone, self.momentum)
        ema_update(self.target_projection_head, self.projection_head, self.momentum)
