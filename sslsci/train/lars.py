"""LARS: SGD with a layer-wise trust ratio, the large-batch optimiser of SimCLR and BYOL.

You et al. 2017, "Large Batch Training of Convolutional Networks". Each parameter
tensor's step is rescaled by ``eta * ||w|| / ||g + wd * w||``, so every layer moves by
about the same fraction of its own norm whatever its gradient scale. As in the SimCLR
and BYOL recipes, biases and norm parameters are left out of both the adaptation and
the weight decay: put them in a group with ``lars_adapt=False`` and ``weight_decay=0``
(``sslsci.methods.base.SSLMethod.parameter_groups`` builds such groups). torch ships
no LARS, and no pinned dependency provides one, hence this small optimiser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import torch
from torch import Tensor


class LARS(torch.optim.Optimizer):
    """SGD with momentum, weight decay and a per-tensor trust ratio.

    Per parameter ``w`` with gradient ``g``, in a group with ``lars_adapt`` true::

        d = g + weight_decay * w
        d = d * eta * ||w|| / ||d||        (when both norms are > 0)
        buf = momentum * buf + d
        w = w - lr * buf

    Groups with ``lars_adapt=False`` skip the rescaling (plain SGD with momentum).
    """

    def __init__(
        self,
        params: Iterable[Tensor] | Iterable[dict[str, Any]],
        lr: float,
        momentum: float = 0.9,
        weight_decay: float = 0.0,
        eta: float = 0.001,
        lars_adapt: bool = True,
    ) -> None:
        if lr <= 0 or not 0 <= momentum < 1 or weight_decay < 0 or eta <= 0:
            raise ValueError(
                f"LARS needs lr > 0, 0 <= momentum < 1, weight_decay >= 0 and eta > 0; got "
                f"lr={lr}, momentum={momentum}, weight_decay={weight_decay}, eta={eta}"
            )
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "weight_decay": weight_decay,
            "eta": eta,
            "lars_adapt": lars_adapt,
        }
        super().__init__(params, defaults)

    @torch.no_grad()
    def step(self, closure: Callable[[], Tensor] | None = None) -> Tensor | None:
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for weight in group["params"]:
                if weight.grad is not None:
                    self._update(weight, group)
        return loss

    def _update(self, weight: Tensor, group: dict[str, Any]) -> None:
        direction = weight.grad.add(weight, alpha=group["weight_decay"])
        if group["lars_adapt"]:
            direction.mul_(trust_ratio(weight, direction, group["eta"]))
        state = self.state[weight]
        if "momentum_buffer" not in state:
            state["momentum_buffer"] = torch.zeros_like(weight)
        buffer = state["momentum_buffer"]
        buffer.mul_(group["momentum"]).add_(direction)
        weight.add_(buffer, alpha=-group["lr"])


def trust_ratio(weight: Tensor, direction: Tensor, eta: float) -> Tensor:
    """``eta * ||w|| / ||d||``, or 1 where either norm is zero (fresh zeros, no gradient)."""
    weight_norm, direction_norm = (
        torch.linalg.vector_norm(weight),
        torch.linalg.vector_norm(direction),
    )
    one = torch.ones_like(weight_norm)
    ratio = eta * weight_norm / direction_norm.clamp_min(torch.finfo(weight_norm.dtype).tiny)
    return torch.where((weight_norm > 0) & (direction_norm > 0), ratio, one)
