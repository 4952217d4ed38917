"""NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR.

Chen et al. 2020, "A Simple Framework for Contrastive Learning of Visual
Representations", eq. 1 and Algorithm 1: each of the 2N views in a batch has
one positive (the other view of its sample) and 2N-2 negatives (every other
view); the loss is averaged over all 2N anchors, i.e. over both directions.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from sslsci.losses.checks import check_pair
from sslsci.losses.distributed import gather_with_grad, rank
from sslsci.losses.precision import full_precision, upcast_half


def nt_xent(
    z0: Tensor,
    z1: Tensor,
    temperature: float,
    z0_all: Tensor | None = None,
    z1_all: Tensor | None = None,
    offset: int = 0,
) -> Tensor:
    """Mean NT-Xent over the local anchors of both views.

    z0, z1: local views [b, D].  z0_all, z1_all: the views of the whole (gathered)
    batch [B, D], of which the local rows are ``offset:offset + b``; default: the
    local views themselves.  Embeddings are L2-normalised here.
    """
    z0_all = z0 if z0_all is None else z0_all
    z1_all = z1 if z1_all is None else z1_all
    b, total = z0.shape[0], z0_all.shape[0]
    anchors = F.normalize(torch.cat([z0, z1]), dim=1)
    keys = F.normalize(torch.cat([z0_all, z1_all]), dim=1)
    logits = anchors @ keys.T / temperature  # [2b, 2B]

    local = torch.arange(b, device=z0.device) + offset
    self_index = torch.cat([local, local + total])
    positive_index = torch.cat([local + total, local])
    # An anchor is never its own negative: drop its self-similarity.
    is_self = F.one_hot(self_index, num_classes=2 * total).bool()
    logits = logits.masked_fill(is_self, float("-inf"))
    return F.cross_entropy(logits, positive_index)


class NTXentLoss(nn.Module):
    """SimCLR's contrastive loss over two views ``z0``, ``z1`` of shape [B, D].

    With ``gather_distributed=True`` and a process group up, each rank's anchors
    are contrasted against the views of every rank (gradients flow back through
    the gather), so the negatives per anchor are 2*B_total - 2.
    """

    def __init__(self, temperature: float = 0.1, gather_distributed: bool = False) -> None:
        super().__init__()
        if temperature <= 0:
            raise ValueError(
                f"NTXentLoss temperature must be > 0, got {temperature}; SimCLR uses 0.1 to 0.5."
            )
        self.temperature = temperature
        self.gather_distributed = gather_distributed

    def forward(self, z0: Tensor, z1: Tensor) -> Tensor:
        check_pair(z0, z1, "NTXentLoss")
        if not self.gather_distributed:
            z0_all, z1_all, offset = z0, z1, 0
        else:
            z0_all, z1_all = gather_with_grad(z0), gather_with_grad(z1)
            offset = rank() * z0.shape[0]
        if z0_all.shape[0] < 2:
            raise ValueError(
                "NTXentLoss needs at least 2 samples in the (gathered) batch to have "
                f"negatives, got {z0_all.shape[0]}; increase the batch size."
            )
        with full_precision(z0.device):
            z0, z1, z0_all, z1_all = upcast_half(z0, z1, z0_all, z1_all)
            return nt_xent(z0, z1, self.temperature, z0_all, z1_all, offset)
