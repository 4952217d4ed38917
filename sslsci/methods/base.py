"""What every SSL method returns and the little that every method shares.

A method is an ``nn.Module`` that owns a backbone, its heads and its loss, and
turns the views of one batch into a loss.  ``SSLMethod`` only holds the shared
checks and the defaults (no EMA, standard weight-decay groups); EMA updates and
schedules are plain functions from ``sslsci.schedules``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from torch import Tensor, nn

from sslsci.methods.backbone_requirements import interface_problem
from sslsci.views.kinds import ViewKind

Requirement = Callable[[nn.Module, str], "str | None"]


@dataclass
class MethodOutput:
    """The loss, scalar logs, and two views' backbone features for health metrics."""

    loss: Tensor
    logs: dict[str, Tensor] = field(default_factory=dict)
    embeddings: tuple[Tensor, Tensor] | None = None


class SSLMethod(nn.Module):
    """Base of the methods: the backbone, view checks and default hooks.

    A method declares ``view_kind`` (the views it takes, ``sslsci.views.kinds``) and the
    ``backbone_requirements`` beyond the backbone interface; ``num_views`` follows from
    the kind.
    """

    name: ClassVar[str]
    view_kind: ClassVar[ViewKind]
    num_views: ClassVar[int]
    backbone_requirements: ClassVar[tuple[Requirement, ...]] = ()
    # Small heads for quick checks (the conformance suite's 3 steps): every part of the
    # method kept, only narrower.
    check_hparams: ClassVar[dict[str, Any]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "view_kind" in cls.__dict__:
            cls.num_views = len(cls.view_kind.roles)

    @classmethod
    def backbone_problem(cls, backbone: nn.Module) -> str | None:
        """Why ``backbone`` cannot serve this method, or None when it can."""
        for requirement in (interface_problem, *cls.backbone_requirements):
            problem = requirement(backbone, cls.name)
            if problem:
                return problem
        return None

    def __init__(self, backbone: nn.Module) -> None:
        super().__init__()
        problem = self.backbone_problem(backbone)
        if problem:
            raise ValueError(problem)
        self.backbone = backbone

    def check_views(self, views: Sequence[Tensor]) -> list[Tensor]:
        """At least ``num_views`` tensors of one batch size, else a ValueError saying so."""
        if isinstance(views, Tensor) or len(views) < self.num_views:
            got = "a single tensor" if isinstance(views, Tensor) else f"{len(views)} views"
            raise ValueError(
                f"method {self.name!r} needs a list of {self.num_views} view tensor(s) "
                f"[batch, channel, ...], got {got}; the plugin's {self.view_kind.name!r} views "
                f"must give {self.num_views} transform list(s)."
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
