"""What every SSL method returns and the little that every method shares.

A method is an ``nn.Module`` that owns a backbone, its heads and its loss, and
turns the views of one batch into a loss.  ``SSLMethod`` only holds the shared
checks and the defaults (no EMA, standard weight-decay groups); EMA updates and
schedules are plain functions from ``sslsci.schedules``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from torch import Tensor, nn

BACKBONE_INTERFACE = ("num_features", "forward_features")


@dataclass
class MethodOutput:
    """The loss, scalar logs, and two views' backbone features for health metrics."""

    loss: Tensor
    logs: dict[str, Tensor] = field(default_factory=dict)
    embeddings: tuple[Tensor, Tensor] | None = None


def check_backbone(backbone: nn.Module, method: str) -> None:
    """Raise unless ``backbone`` answers the sslsci backbone interface."""
    missing = [member for member in BACKBONE_INTERFACE if not hasattr(backbone, member)]
    if missing:
        raise ValueError(
            f"method {method!r} needs a backbone with {', '.join(BACKBONE_INTERFACE)}, but "
            f"{type(backbone).__name__} lacks {', '.join(missing)}; use a backbone from "
            "sslsci.nn or a plugin's backbones()."
        )


class SSLMethod(nn.Module):
    """Base of the methods: the backbone, view checks and default hooks."""

    name: ClassVar[str]
    num_views: ClassVar[int]
    needs_tokens: ClassVar[bool] = False

    def __init__(self, backbone: nn.Module) -> None:
        super().__init__()
        check_backbone(backbone, self.name)
        self.backbone = backbone

    def check_views(self, views: Sequence[Tensor]) -> list[Tensor]:
        """At least ``num_views`` tensors of one batch size, else a ValueError saying so."""
        if isinstance(views, Tensor) or len(views) < self.num_views:
            got = "a single tensor" if isinstance(views, Tensor) else f"{len(views)} views"
            raise ValueError(
                f"method {self.name!r} needs a list of {self.num_views} view tensor(s) "
                f"[batch, channel, ...], got {got}; make the plugin's views({self.name!r}) "
                f"return {self.num_views} transform list(s)."
            )
        sizes = {int(view.shape[0]) for view in views}
        if len(sizes) != 1:
            raise ValueError(
                f"method {self.name!r} got views with different batch sizes {sorted(sizes)}; "
                "every view must hold the same samples."
            )
        return list(views)

    def momentum_update(self, step: int, max_steps: int) -> None:
        """Called after every optimiser step; methods without an EMA target do nothing."""
        return None

    def parameter_groups(self, weight_decay: float) -> list[dict[str, Any]]:
        """Decay matrices and convolution kernels; spare biases, norms and position tables."""
        decay, no_decay = [], []
        for name, parameter in self.named_parameters():
            if not parameter.requires_grad:
                continue
            skip = parameter.ndim < 2 or name.endswith(("pos_embed", "mask_token"))
            (no_decay if skip else decay).append(parameter)
        return [
            {"params": decay, "weight_decay": weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ]
