"""Masked reconstruction loss of masked autoencoders.

He et al. 2022, "Masked Autoencoders Are Scalable Vision Learners", sec. 3
(official code: facebookresearch/mae, ``MaskedAutoencoderViT.forward_loss``):
the mean squared error between predicted and true patches, computed on the
masked patches only; with ``norm_pix`` each target patch is first normalised
by its own mean and (unbiased) standard deviation, which the paper reports
improves representations.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from sslsci.losses.precision import full_precision, upcast_half


def normalize_patches(target: Tensor, eps: float = 1e-6) -> Tensor:
    """Standardise each patch over its P values: ``(x - mean) / sqrt(var + eps)``."""
    mean = target.mean(dim=-1, keepdim=True)
    var = target.var(dim=-1, keepdim=True)
    return (target - mean) / torch.sqrt(var + eps)


def masked_mse(pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """Mean over masked patches of the per-patch mean squared error.

    pred, target: [B, N, P]; mask: [B, N], True where the patch was hidden.
    """
    per_patch = (pred - target).pow(2).mean(dim=-1)
    weights = mask.to(per_patch.dtype)
    return (per_patch * weights).sum() / weights.sum()


def check_masked_inputs(pred: Tensor, target: Tensor, mask: Tensor, norm_pix: bool) -> None:
    """Raise a clear error for shape, dtype or empty-mask problems."""
    if pred.ndim != 3 or pred.shape != target.shape:
        raise ValueError(
            "MaskedReconstructionLoss expects pred and target of the same shape "
            f"[batch, patches, patch_dim], got {tuple(pred.shape)} and {tuple(target.shape)}; "
            "patchify the target the same way the decoder's output is laid out."
        )
    if mask.dtype != torch.bool or mask.shape != pred.shape[:2]:
        raise ValueError(
            "MaskedReconstructionLoss expects a bool mask of shape [batch, patches] = "
            f"{tuple(pred.shape[:2])} (True = masked), got dtype {mask.dtype} and shape "
            f"{tuple(mask.shape)}; convert with mask.bool() after checking its layout."
        )
    if not bool(mask.any()):
        raise ValueError(
            "MaskedReconstructionLoss got a mask with no masked patch, so there is nothing "
            "to reconstruct; use a mask ratio > 0 (MAE uses 0.75)."
        )
    if norm_pix and pred.shape[-1] < 2:
        raise ValueError(
            "MaskedReconstructionLoss with norm_pix=True needs patches of at least 2 values "
            f"to normalise, got patch_dim={pred.shape[-1]}; use larger patches or norm_pix=False."
        )


class MaskedReconstructionLoss(nn.Module):
    """MSE on masked patches, optionally against per-patch normalised targets (MAE).

    The target is treated as a constant (detached): gradients reach only ``pred``.
    """

    def __init__(self, norm_pix: bool = True, eps: float = 1e-6) -> None:
        super().__init__()
        self.norm_pix = norm_pix
        self.eps = eps

    def forward(self, pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
        check_masked_inputs(pred, target, mask, self.norm_pix)
        with full_precision(pred.device):
            pred, target = upcast_half(pred, target)
            if self.norm_pix:
                target = normalize_patches(target, self.eps)
            return masked_mse(pred, target.detach(), mask)
