"""Schedules and EMA updates as plain functions (no mixins, no scheduler classes).

- ``cosine_schedule``: BYOL's target-momentum schedule (Grill et al. 2020,
  sec. 3.2): tau = 1 - (1 - tau_base) * (cos(pi k / K) + 1) / 2, i.e. from
  ``start`` at step 0 to ``end`` at ``max_steps``.
- ``linear_warmup_cosine``: the learning-rate shape of SimCLR, DINO and MAE;
  wrap it in ``torch.optim.lr_scheduler.LambdaLR`` with ``base=1.0`` to use it
  as a multiplier.
- ``ema_update``: the mean-teacher / momentum-encoder update of BYOL, MoCo and DINO.
"""

from __future__ import annotations

import math

import torch
from torch import nn


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


def check_same_structure(names_a: list[str], names_b: list[str], kind: str) -> None:
    """Raise unless two modules list the same parameter or buffer names in order."""
    if names_a != names_b:
        missing = sorted(set(names_a) ^ set(names_b))
        raise ValueError(
            f"ema_update needs target and online modules with the same {kind}, but they "
            f"differ in {missing[:5] or 'order'}; build the target with copy.deepcopy(online)."
        )


@torch.no_grad()
def ema_update(target: nn.Module, online: nn.Module, momentum: float) -> None:
    """In place: ``target = momentum * target + (1 - momentum) * online``.

    Applies to every parameter and every floating-point buffer (e.g. BatchNorm
    running statistics); integer buffers such as ``num_batches_tracked`` are left
    as they are.  Momentum 0 copies the online weights, momentum 1 keeps the target.
    """
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(
            f"ema_update momentum must lie in [0, 1], got {momentum}; BYOL uses 0.996 -> 1."
        )
    target_params, online_params = dict(target.named_parameters()), dict(online.named_parameters())
    target_buffers, online_buffers = dict(target.named_buffers()), dict(online.named_buffers())
    check_same_structure(list(target_params), list(online_params), "parameters")
    check_same_structure(list(target_buffers), list(online_buffers), "buffers")
    pairs = [(target_params[n], online_params[n]) for n in target_params]
    pairs += [
        (target_buffers[n], online_buffers[n])
        for n in target_buffers
        if target_buffers[n].is_floating_point()
    ]
    for target_tensor, online_tensor in pairs:
        # lerp with weight 1 - momentum is exact at both ends (0 copies, 1 keeps).
        target_tensor.lerp_(online_tensor.to(target_tensor.dtype), 1.0 - momentum)


def deactivate_requires_grad(module: nn.Module) -> None:
    """Freeze every parameter of ``module`` (EMA targets and teachers get no gradient)."""
    for parameter in module.parameters():
        parameter.requires_grad_(False)
