"""EMA targets as plain functions: the mean-teacher / momentum-encoder update of BYOL,
MoCo and DINO, and freezing the target."""

from __future__ import annotations

import torch
from torch import nn


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
