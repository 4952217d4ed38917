"""Random token masking for masked autoencoders (MAE's ``random_masking``).

Each sample gets its own mask: uniform noise per token, ``argsort`` to shuffle,
keep the first ``N - round(N * ratio)`` tokens.  Noise is drawn from the given
``torch.Generator`` (on its device) or the global torch RNG, so masks are seeded.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor


@dataclass
class TokenMask:
    """``keep``: [B, N_keep] indices of visible tokens; ``restore``: [B, N] inverse
    shuffle; ``mask``: [B, N] bool, True where a token is hidden."""

    keep: Tensor
    restore: Tensor
    mask: Tensor


def kept_tokens(num_tokens: int, mask_ratio: float) -> int:
    """How many of ``num_tokens`` stay visible at ``mask_ratio`` (at least one)."""
    if not 0.0 <= mask_ratio < 1.0:
        raise ValueError(f"mask_ratio must lie in [0, 1), got {mask_ratio}; MAE uses 0.75.")
    return max(1, num_tokens - round(num_tokens * mask_ratio))


def random_token_mask(
    batch: int,
    num_tokens: int,
    mask_ratio: float,
    device: torch.device | str,
    generator: torch.Generator | None = None,
) -> TokenMask:
    """Draw an independent random mask for each of ``batch`` samples."""
    num_keep = kept_tokens(num_tokens, mask_ratio)
    noise_device = generator.device if generator is not None else device
    noise = torch.rand(batch, num_tokens, generator=generator, device=noise_device).to(device)
    shuffle = torch.argsort(noise, dim=1)
    restore = torch.argsort(shuffle, dim=1)
    mask = torch.ones(batch, num_tokens, dtype=torch.bool, device=device)
    mask[:, :num_keep] = False
    return TokenMask(shuffle[:, :num_keep], restore, torch.gather(mask, 1, restore))


def gather_tokens(tokens: Tensor, index: Tensor) -> Tensor:
    """Pick tokens [B, N, D] at ``index`` [B, K] -> [B, K, D]."""
    return torch.gather(tokens, 1, index[..., None].expand(-1, -1, tokens.shape[-1]))
