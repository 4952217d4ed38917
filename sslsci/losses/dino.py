"""DINO: self-distillation with a centred, sharpened teacher.

Caron et al. 2021, "Emerging Properties in Self-Supervised Vision
Transformers", Algorithm 1 and eq. 2-4 (official code:
facebookresearch/dino, ``DINOLoss``):

    P_t = softmax((t - C) / tau_t),   log P_s = log_softmax(s / tau_s)
    loss = mean over pairs (teacher view i, student view j), i != j, of
           mean_batch sum_k -P_t[k] log P_s[k]
    C <- m * C + (1 - m) * mean_batch(t)

Centering stops one dimension from dominating, sharpening (tau_t < tau_s) stops
the uniform collapse.  The teacher temperature warms up linearly from
``warmup_teacher_temp`` to ``teacher_temp`` over ``warmup_teacher_temp_steps``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from sslsci.losses.distributed import all_reduce_sum, world_size


def teacher_temperature(
    step: int, warmup_teacher_temp: float, teacher_temp: float, warmup_steps: int
) -> float:
    """Teacher temperature at ``step``: linear warm-up, then constant."""
    if step >= warmup_steps:
        return teacher_temp
    return warmup_teacher_temp + (teacher_temp - warmup_teacher_temp) * step / warmup_steps


def dino_cross_entropy(
    teacher_out: list[Tensor],
    student_out: list[Tensor],
    center: Tensor,
    teacher_temp: float,
    student_temp: float,
) -> Tensor:
    """Mean cross-entropy between teacher and student over pairs of different views.

    ``student_out[i]`` for ``i < len(teacher_out)`` must be the same view as
    ``teacher_out[i]`` (the global crops come first); that pair is skipped.
    The teacher is detached: gradients reach only the student.
    """
    teacher_probs = [F.softmax((t.detach() - center) / teacher_temp, dim=-1) for t in teacher_out]
    student_log_probs = [F.log_softmax(s / student_temp, dim=-1) for s in student_out]
    total = torch.zeros((), device=center.device, dtype=student_log_probs[0].dtype)
    pairs = 0
    for i, probs in enumerate(teacher_probs):
        for j, log_probs in enumerate(student_log_probs):
            if i == j:
                continue
            total = total + torch.sum(-probs * log_probs, dim=-1).mean()
            pairs += 1
    return total / pairs


def ema_center(center: Tensor, batch_center: Tensor, momentum: float) -> Tensor:
    """``momentum * center + (1 - momentum) * batch_center``."""
    return center * momentum + batch_center * (1.0 - momentum)


def check_views(teacher_out: list[Tensor], student_out: list[Tensor], output_dim: int) -> None:
    """Raise a clear error unless the views are non-empty [B, output_dim] tensors with a pair."""
    if not teacher_out or not student_out:
        raise ValueError(
            "DINOLoss needs at least one teacher view and one student view, got "
            f"{len(teacher_out)} and {len(student_out)}; pass lists of [batch, dim] tensors."
        )
    if len(teacher_out) == 1 and len(student_out) == 1:
        raise ValueError(
            "DINOLoss compares only different views, but one teacher view and one student "
            "view (the same view) leave no pair; pass at least two views."
        )
    batch = teacher_out[0].shape[0]
    for name, views in (("teacher_out", teacher_out), ("student_out", student_out)):
        for k, view in enumerate(views):
            if view.ndim != 2 or view.shape != (batch, output_dim):
                raise ValueError(
                    f"DINOLoss {name}[{k}] has shape {tuple(view.shape)}, expected "
                    f"({batch}, {output_dim}); every view must be the head output "
                    "[batch, output_dim] of the same batch (set output_dim to the head's)."
                )


class DINOLoss(nn.Module):
    """DINO loss over lists of teacher views and student views, each [B, output_dim].

    ``forward`` computes the loss with the current center, then updates the
    center from the teacher outputs (averaged over all ranks under DDP).
    Defaults follow the official code; DINO's ViT recipes warm the teacher
    temperature from 0.04 to 0.04-0.07 over the first 30 epochs.
    """

    center: Tensor

    def __init__(
        self,
        output_dim: int,
        warmup_teacher_temp: float = 0.04,
        teacher_temp: float = 0.04,
        warmup_teacher_temp_steps: int = 0,
        student_temp: float = 0.1,
        center_momentum: float = 0.9,
    ) -> None:
        super().__init__()
        if output_dim < 1:
            raise ValueError(f"DINOLoss output_dim must be >= 1, got {output_dim}.")
        if min(warmup_teacher_temp, teacher_temp, student_temp) <= 0:
            raise ValueError(
                "DINOLoss temperatures must be > 0, got "
                f"warmup_teacher_temp={warmup_teacher_temp}, teacher_temp={teacher_temp}, "
                f"student_temp={student_temp}."
            )
        if not 0.0 <= center_momentum <= 1.0:
            raise ValueError(
                f"DINOLoss center_momentum must lie in [0, 1], got {center_momentum}; "
                "DINO uses 0.9."
            )
        if warmup_teacher_temp_steps < 0:
            raise ValueError(
                f"DINOLoss warmup_teacher_temp_steps must be >= 0, got {warmup_teacher_temp_steps}."
            )
        self.output_dim = output_dim
        self.warmup_teacher_temp = warmup_teacher_temp
        self.teacher_temp = teacher_temp
        self.warmup_teacher_temp_steps = warmup_teacher_temp_steps
        self.student_temp = student_temp
        self.center_momentum = center_momentum
        self.register_buffer("center", torch.zeros(1, output_dim))

    def forward(self, teacher_out: list[Tensor], student_out: list[Tensor], step: int) -> Tensor:
        check_views(teacher_out, student_out, self.output_dim)
        temp = teacher_temperature(
            step, self.warmup_teacher_temp, self.teacher_temp, self.warmup_teacher_temp_steps
        )
        loss = dino_cross_entropy(teacher_out, student_out, self.center, temp, self.student_temp)
        self.update_center(teacher_out)
        return loss

    @torch.no_grad()
    def update_center(self, teacher_out: list[Tensor]) -> None:
        """EMA of the teacher's mean output over views, batch and ranks."""
        stacked = torch.cat([t.detach() for t in teacher_out])
        total = all_reduce_sum(stacked.sum(dim=0, keepdim=True))
        batch_center = total / (stacked.shape[0] * world_size())
        self.center.copy_(
            ema_center(self.center, batch_center.to(self.center), self.center_momentum)
        )
