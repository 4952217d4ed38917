"""Run loss arithmetic in at least float32, even inside a mixed-precision region.

Batch statistics (Barlow Twins' cross-correlation, VICReg's covariance), the
similarity logits of NT-Xent and small reconstruction errors lose most of
their digits in float16/bfloat16.  Under ``torch.autocast`` a plain ``.float()``
is not enough, because autocast casts matmul inputs back down; so the losses
compute inside ``full_precision`` with autocast switched off.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import Tensor

HALF_DTYPES = (torch.float16, torch.bfloat16)


def upcast_half(*tensors: Tensor) -> tuple[Tensor, ...]:
    """Cast float16/bfloat16 tensors to float32 (differentiably); leave others as they are."""
    return tuple(t.float() if t.dtype in HALF_DTYPES else t for t in tensors)


@contextmanager
def full_precision(device: torch.device) -> Iterator[None]:
    """Disable autocast on ``device``'s type for the enclosed loss arithmetic."""
    with torch.autocast(device_type=device.type, enabled=False):
        yield
