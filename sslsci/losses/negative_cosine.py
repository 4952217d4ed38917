"""Negative cosine similarity, the regression loss of BYOL and SimSiam.

This returns ``-cos(p, z)`` averaged over the batch, as SimSiam writes it
(Chen & He 2021, "Exploring Simple Siamese Representation Learning", eq. 1)
and as lightly's ``NegativeCosineSimilarity`` does.  BYOL (Grill et al. 2020,
eq. 2) writes the same objective as ``||p/|p| - z/|z|||^2 = 2 - 2 cos(p, z)``,
which is ``2 + 2 * this``: same minimiser, gradients twice as large.

The stop-gradient on the target ``z`` is the method's job: pass
``z.detach()`` (SimSiam) or the output of the EMA target network computed
under ``torch.no_grad()`` (BYOL).  This loss does not detach anything, so
that it stays a pure function of its inputs.
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn

from sslsci.losses.checks import check_pair
from sslsci.losses.precision import full_precision, upcast_half


def negative_cosine_similarity(p: Tensor, z: Tensor, eps: float = 1e-8) -> Tensor:
    """Mean over the batch of ``-cos(p_i, z_i)``; lies in [-1, 1], -1 when aligned."""
    return -F.cosine_similarity(p, z, dim=1, eps=eps).mean()


class NegativeCosineSimilarity(nn.Module):
    """``-cos(p, z)`` for predictions ``p`` and targets ``z`` of shape [B, D].

    Detach ``z`` in the method (stop-gradient); see the module docstring.
    """

    def __init__(self, eps: float = 1e-8) -> None:
        super().__init__()
        self.eps = eps

    def forward(self, p: Tensor, z: Tensor) -> Tensor:
        check_pair(p, z, "NegativeCosineSimilarity")
        with full_precision(p.device):
            p, z = upcast_half(p, z)
            return negative_cosine_similarity(p, z, self.eps)
