"""Schedules as plain functions (no mixins, no scheduler classes).

- ``cosine_schedule``: BYOL's target-momentum schedule (Grill et al. 2020,
  sec. 3.2): tau = 1 - (1 - tau_base) * (cos(pi k / K) + 1) / 2, i.e. from
  ``start`` at step 0 to ``end`` at ``max_steps``.
- ``linear_warmup_cosine``: the learning-rate shape of SimCLR, DINO and MAE;
  wrap it in ``torch.optim.lr_scheduler.LambdaLR`` with ``base=1.0`` to use it
  as a multiplier.
"""

from __future__ import annotations

import math


def check_step(step: int, max_steps: int, caller: str) -> None:
    """Raise a clear error for a negative step or a non-positive schedule length."""
    if max_steps < 1:
        raise ValueError(
            f"{caller} max_steps must be >= 1, got {max_steps}; pass the total number of "
            "optimiser steps (e.g. trainer.estimated_stepping_batches)."
        )
    if step < 0:
        raise ValueError(f"{caller} step must be >= 0, got {step}.")


def cosine_schedule(step: int, max_steps: int, start: float, end: float) -> float:
    """Cosine from ``start`` (step 0) to ``end`` (step ``max_steps``); ``end`` beyond it.

    BYOL's momentum: ``cosine_schedule(step, max_steps, 0.996, 1.0)``.
    """
    check_step(step, max_steps, "cosine_schedule")
    if step >= max_steps:
        return end
    return end - (end - start) * (math.cos(math.pi * step / max_steps) + 1.0) / 2.0


def linear_warmup_cosine(
    step: int, max_steps: int, warmup_steps: int, base: float, final: float = 0.0
) -> float:
    """Linear warm-up to ``base``, then cosine decay to ``final`` at ``max_steps``.

    Warm-up gives ``base * (step + 1) / warmup_steps`` so that the very first
    optimiser step already moves (reaching ``base`` at ``warmup_steps - 1``);
    from ``warmup_steps`` the value follows a half cosine from ``base`` to
    ``final``, and stays at ``final`` after ``max_steps``.
    """
    check_step(step, max_steps, "linear_warmup_cosine")
    if not 0 <= warmup_steps <= max_steps:
        raise ValueError(
            f"linear_warmup_cosine warmup_steps must lie in [0, max_steps={max_steps}], "
            f"got {warmup_steps}; shorten the warm-up or train longer."
        )
    if step < warmup_steps:
        return base * (step + 1) / warmup_steps
    if step >= max_steps:
        return final
    progress = (step - warmup_steps) / (max_steps - warmup_steps)
    return final + (base - final) * (math.cos(math.pi * progress) + 1.0) / 2.0
