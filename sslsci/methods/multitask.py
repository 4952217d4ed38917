"""Multi-task self-supervision: which of three time transforms was applied?

Yuan et al. 2024, "Self-supervised learning for human activity recognition
using 700,000 person-days of wearable data": on one view [B, C, T], apply arrow
of time, segment permutation and time warp independently with p = 0.5 per sample;
a shared backbone feeds one binary head per task and the loss is the mean of the
three binary cross-entropies.  Segment count (4), minimum segment length (10
samples) and warp (sigma 0.2, 4 knots) follow the authors' ssl-wearables code.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from sslsci.methods.backbone_requirements import time_last_problem
from sslsci.methods.base import MethodOutput, SSLMethod
from sslsci.methods.time_pretext import PRETEXT_TASKS, apply_pretext_tasks
from sslsci.views.kinds import PRETEXT


class MultiTask(SSLMethod):
    name = "multitask"
    view_kind = PRETEXT
    backbone_requirements = (time_last_problem,)

    def __init__(
        self,
        backbone: nn.Module,
        probability: float = 0.5,
        num_segments: int = 4,
        min_segment_length: int = 10,
        warp_sigma: float = 0.2,
        warp_knots: int = 4,
    ) -> None:
        super().__init__(backbone)
        if not 0.0 < probability < 1.0:
            raise ValueError(
                f"multitask probability must lie strictly between 0 and 1 so both labels "
                f"occur, got {probability}; the paper uses 0.5."
            )
        self.options = {
            "probability": probability,
            "num_segments": num_segments,
            "min_segment_length": min_segment_length,
            "warp_sigma": warp_sigma,
            "warp_knots": warp_knots,
        }
        self.heads = nn.ModuleDict(
            {task: nn.Linear(backbone.num_features, 1) for task in PRETEXT_TASKS}
        )

    def logits(self, x: Tensor) -> Tensor:
        """One logit per task [B, 3] for already transformed inputs."""
        features = self.backbone(x)
        return torch.cat([self.heads[task](features) for task in PRETEXT_TASKS], dim=1)

    def forward(
        self, views: Sequence[Tensor], generator: torch.Generator | None = None
    ) -> MethodOutput:
        x = self.check_views(views)[0]
        transformed, labels = apply_pretext_tasks(x, generator=generator, **self.options)
        logits = self.logits(transformed)
        per_task = F.binary_cross_entropy_with_logits(
            logits.float(), labels.float(), reduction="none"
        ).mean(dim=0)
        correct = ((logits.detach() > 0).float() == labels).float().mean(dim=0)
        logs = {}
        for index, task in enumerate(PRETEXT_TASKS):
            logs[f"{task}_bce"] = per_task[index].detach()
            logs[f"{task}_accuracy"] = correct[index]
        return MethodOutput(per_task.mean(), logs, None)
