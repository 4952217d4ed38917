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


def line_token_mask(
    batch: int,
    grid: tuple[int, ...],
    axis: int,
    mask_ratio: float,
    device: torch.device | str,
    generator: torch.Generator | None = None,
) -> TokenMask:
    """Hide whole lines of the token grid: every token sharing an index along ``axis``.

    With ``axis`` the distance axis of a (distance, time) DAS window, a line is a group of
    fibre channels over the whole window, so the model must predict hidden channels from
    their neighbours (the masked-channel objective of jDAS, van den Ende et al. 2021).
    ``mask_ratio`` applies to lines; each sample draws its own.
    """
    if not 0 <= axis < len(grid):
        raise ValueError(f"line axis {axis} is not an axis of the token grid {tuple(grid)}")
    lines = grid[axis]
    keep_lines = kept_tokens(lines, mask_ratio)
    if keep_lines == lines:
        raise ValueError(
            f"mask_ratio {mask_ratio} hides none of the {lines} token lines along axis {axis}; "
            "raise it or use smaller patches along that axis"
        )
    noise_device = generator.device if generator is not None else device
    line_noise = torch.rand(batch, lines, generator=generator, device=noise_device).to(device)
    line_of_token = (
        torch.arange(lines, device=device)
        .view(*[lines if k == axis else 1 for k in range(len(grid))])
        .expand(*grid)
        .reshape(-1)
    )
    noise = line_noise[:, line_of_token]  # every token of a line shares its line's noise
    shuffle = torch.argsort(noise, dim=1, stable=True)
    restore = torch.argsort(shuffle, dim=1)
    num_keep = keep_lines * (line_of_token.numel() // lines)
    mask = torch.ones(batch, line_of_token.numel(), dtype=torch.bool, device=device)
    mask[:, :num_keep] = False
    return TokenMask(shuffle[:, :num_keep], restore, torch.gather(mask, 1, restore))
