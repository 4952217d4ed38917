"""Cross-rank collectives that the losses need under DDP.

Contrastive and redundancy-reduction losses see more negatives (or a better
estimate of batch statistics) when every rank's embeddings are gathered.  The
gather must carry gradients back to the rank that produced each row, which
plain ``torch.distributed.all_gather`` does not do.

``torch.distributed.nn.functional.all_gather`` does carry gradients, but it is
deprecated in torch 2.14 (it warns on every call) and its suggested successor
lives in a private module.  The autograd function below is the same few lines
that lightly's ``GatherLayer`` uses; it relies only on ``all_gather`` and
``all_reduce``, which every backend (gloo, nccl) supports.
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import Tensor


def is_distributed() -> bool:
    """True when a default process group is up (DDP, multi-node)."""
    return dist.is_available() and dist.is_initialized()


def world_size() -> int:
    """Number of ranks; 1 when not distributed."""
    return dist.get_world_size() if is_distributed() else 1


def rank() -> int:
    """This process's rank; 0 when not distributed."""
    return dist.get_rank() if is_distributed() else 0


class _GatherWithGrad(torch.autograd.Function):
    """all_gather whose backward returns to each rank the summed gradient of its rows."""

    @staticmethod
    def forward(ctx: torch.autograd.function.FunctionCtx, x: Tensor) -> tuple[Tensor, ...]:  # type: ignore[override]
        x = x.contiguous()
        gathered = [torch.empty_like(x) for _ in range(dist.get_world_size())]
        dist.all_gather(gathered, x)
        return tuple(gathered)

    @staticmethod
    def backward(ctx: torch.autograd.function.FunctionCtx, *grads: Tensor) -> Tensor:  # type: ignore[override]
        # Every rank's loss depends on every rank's rows: sum the gradients over
        # ranks, then keep the slice that belongs to this rank's input.
        stacked = torch.stack(grads).contiguous()
        dist.all_reduce(stacked, op=dist.ReduceOp.SUM)
        return stacked[dist.get_rank()]


def gather_with_grad(x: Tensor) -> Tensor:
    """Concatenate ``x`` from all ranks along dim 0, keeping gradients.

    Returns ``x`` unchanged when not distributed.  Every rank must pass a tensor
    of the same shape (DDP with equal per-rank batches, e.g. ``drop_last=True``).
    """
    if not is_distributed():
        return x
    return torch.cat(_GatherWithGrad.apply(x), dim=0)


def all_reduce_sum(x: Tensor) -> Tensor:
    """Sum ``x`` over ranks without gradient (for running statistics); returns a new tensor."""
    if not is_distributed():
        return x.clone()
    total = x.detach().clone().contiguous()
    dist.all_reduce(total, op=dist.ReduceOp.SUM)
    return total
