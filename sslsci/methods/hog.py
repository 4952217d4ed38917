"""HOG targets for masked autoencoding (FG-MAE, Wang et al. 2023), computed in torch.

Speckled SAR makes raw pixels a poor reconstruction target: the noise is unpredictable,
so a pixel loss spends the model on it. FG-MAE reconstructs histograms of oriented
gradients instead, which keep edges and texture and average speckle out. Per patch and
channel: image gradients (central differences), magnitudes binned by unsigned
orientation with linear interpolation between the ``bins`` bin centres, summed over the
patch, then L2-normalised (Dalal & Triggs 2005). Token order matches ``patchify``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import Tensor

EPS = 1e-6


def gradients(x: Tensor) -> tuple[Tensor, Tensor]:
    """Central-difference gradients along y and x of [B, C, H, W] (edges replicated)."""
    padded = F.pad(x, (1, 1, 1, 1), mode="replicate")
    gy = (padded[:, :, 2:, 1:-1] - padded[:, :, :-2, 1:-1]) / 2
    gx = (padded[:, :, 1:-1, 2:] - padded[:, :, 1:-1, :-2]) / 2
    return gy, gx


def orientation_histograms(x: Tensor, bins: int) -> Tensor:
    """Per-pixel magnitude spread over ``bins`` unsigned orientations: [B, C, bins, H, W]."""
    gy, gx = gradients(x)
    magnitude = torch.sqrt(gx**2 + gy**2)
    angle = torch.remainder(torch.atan2(gy, gx), math.pi)  # unsigned: [0, pi)
    position = angle / (math.pi / bins) - 0.5  # bin centres at (k + 0.5) * pi / bins
    lower = torch.floor(position)
    weight_upper = position - lower
    lower_bin = torch.remainder(lower, bins).long()
    upper_bin = torch.remainder(lower + 1, bins).long()
    histograms = x.new_zeros(*x.shape[:2], bins, *x.shape[2:])
    lower_share = (magnitude * (1 - weight_upper)).unsqueeze(2)
    histograms.scatter_add_(2, lower_bin.unsqueeze(2), lower_share)
    histograms.scatter_add_(2, upper_bin.unsqueeze(2), (magnitude * weight_upper).unsqueeze(2))
    return histograms


def hog_targets(x: Tensor, patch_size: Sequence[int], bins: int = 9) -> Tensor:
    """[B, C, H, W] -> [B, N, C * bins]: each patch's normalised HOG, in grid order."""
    if x.ndim != 4 or len(patch_size) != 2:
        raise ValueError(
            f"HOG targets need 2-D windows [batch, channel, y, x] and 2-D patches, got input "
            f"{tuple(x.shape)} and patch {tuple(patch_size)}; use target 'pixels' otherwise"
        )
    ph, pw = (int(p) for p in patch_size)
    if x.shape[2] % ph or x.shape[3] % pw:
        raise ValueError(f"input {tuple(x.shape[2:])} is not a multiple of patch {(ph, pw)}")
    histograms = orientation_histograms(x.float(), bins)  # [B, C, bins, H, W]
    batch, channels = x.shape[:2]
    pooled = histograms.reshape(batch, channels * bins, x.shape[2], x.shape[3])
    pooled = F.avg_pool2d(pooled, (ph, pw)) * (ph * pw)  # sum of magnitudes per patch
    pooled = pooled.reshape(batch, channels, bins, -1)
    pooled = pooled / pooled.norm(dim=2, keepdim=True).clamp_min(EPS)  # per patch and channel
    return pooled.permute(0, 3, 1, 2).reshape(batch, -1, channels * bins).to(x.dtype)
