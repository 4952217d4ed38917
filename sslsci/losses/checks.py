"""Input checks shared by the two-view losses, so every loss fails the same clear way."""

from __future__ import annotations

from torch import Tensor


def check_pair(z0: Tensor, z1: Tensor, loss_name: str, min_batch: int = 1) -> None:
    """Raise unless z0 and z1 are two [B, D] batches of one shape with B >= min_batch."""
    if z0.ndim != 2 or z0.shape != z1.shape:
        raise ValueError(
            f"{loss_name} expects two embeddings of shape [batch, dim] with the same shape, "
            f"got {tuple(z0.shape)} and {tuple(z1.shape)}; flatten or pool the backbone "
            "output and pass both views of the same batch."
        )
    if z0.shape[0] < min_batch:
        raise ValueError(
            f"{loss_name} needs a batch of at least {min_batch} samples to estimate its "
            f"statistics, got {z0.shape[0]}; increase the batch size (or use drop_last=True)."
        )
