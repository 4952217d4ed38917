"""DINO: self-distillation from an EMA teacher with centring and sharpening.

Caron et al. 2021, "Emerging Properties in Self-Supervised Vision Transformers":
student = backbone + DINO head; teacher = EMA copy (no gradient) seeing only the
global views; the loss is the cross-entropy between the centred, sharpened
teacher and the student over pairs of different views (``DINOLoss``).  The first
two views are the global crops; any further views are local crops seen by the
student only (multi-crop).  Teacher momentum follows a cosine schedule
0.996 -> 1 and the teacher temperature can warm up, both as in the paper.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from sslsci.losses import DINOLoss
from sslsci.losses.dino import teacher_temperature
from sslsci.methods.base import MethodOutput, SSLMethod
from sslsci.methods.ema import deactivate_requires_grad, ema_update
from sslsci.methods.schedules import cosine_schedule
from sslsci.nn.heads import DINOProjectionHead
from sslsci.views.kinds import TWO_VIEWS

GLOBAL_VIEWS = 2


class DINO(SSLMethod):
    name = "dino"
    view_kind = TWO_VIEWS
    check_hparams: ClassVar[dict[str, Any]] = {
        "hidden_dim": 32,
        "bottleneck_dim": 8,
        "output_dim": 64,
    }

    step: Tensor

    def __init__(
        self,
        backbone: nn.Module,
        hidden_dim: int = 2048,
        bottleneck_dim: int = 256,
        output_dim: int = 65536,
        batch_norm: bool = False,
        norm_last_layer: bool = True,
        warmup_teacher_temp: float = 0.04,
        teacher_temp: float = 0.04,
        warmup_teacher_temp_steps: int = 0,
        student_temp: float = 0.1,
        center_momentum: float = 0.9,
        momentum_start: float = 0.996,
        momentum_end: float = 1.0,
    ) -> None:
        super().__init__(backbone)
        self.student_head = DINOProjectionHead(
            backbone.num_features,
            hidden_dim,
            bottleneck_dim,
            output_dim,
            batch_norm,
            norm_last_layer,
        )
        self.teacher_backbone = copy.deepcopy(backbone)
        self.teacher_head = copy.deepcopy(self.student_head)
        deactivate_requires_grad(self.teacher_backbone)
        deactivate_requires_grad(self.teacher_head)
        self.criterion = DINOLoss(
            output_dim,
            warmup_teacher_temp,
            teacher_temp,
            warmup_teacher_temp_steps,
            student_temp,
            center_momentum,
        )
        self.momentum_start = momentum_start
        self.momentum_end = momentum_end
        self.momentum = momentum_start
        # The optimiser step drives the teacher-temperature warm-up; kept in the
        # state dict so a resumed run continues the warm-up where it stopped.
        self.register_buffer("step", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def teacher(self, x: Tensor) -> Tensor:
        """Teacher head output of one global view (stop-gradient)."""
        return self.teacher_head(self.teacher_backbone(x))

    def forward(self, views: Sequence[Tensor]) -> MethodOutput:
        views = self.check_views(views)
        teacher_out = [self.teacher(view) for view in views[:GLOBAL_VIEWS]]
        features = [self.backbone(view) for view in views]
        student_out = [self.student_head(feature) for feature in features]
        step = int(self.step)
        loss = self.criterion(teacher_out, student_out, step=step)
        temperature = teacher_temperature(
            step,
            self.criterion.warmup_teacher_temp,
            self.criterion.teacher_temp,
            self.criterion.warmup_teacher_temp_steps,
        )
        logs = {
            "momentum": torch.tensor(self.momentum),
            "teacher_temp": torch.tensor(temperature),
        }
        return MethodOutput(loss, logs, (features[0].detach(), features[1].detach()))

    def momentum_update(self, step: int, max_steps: int) -> None:
        """EMA of student backbone and head into the teacher; advance the step counter."""
        self.momentum = cosine_schedule(step, max_steps, self.momentum_start, self.momentum_end)
        ema_update(self.teacher_backbone, self.backbone, self.momentum)
        ema_update(self.teacher_head, self.student_head, self.momentum)
        self.step.fill_(step)
