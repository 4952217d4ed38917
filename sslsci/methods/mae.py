"""MAE: reconstruct the pixels of randomly masked patches from the visible ones.

He et al. 2022, "Masked Autoencoders Are Scalable Vision Learners": mask
``mask_ratio`` (0.75) of the tokens per sample, encode only the visible tokens
(so encoder cost falls with the ratio), then a lightweight transformer decoder
fills in mask tokens with positions and predicts each patch's values; the loss is
the MSE on masked patches against per-patch normalised targets. ``mask_unit: line``
hides whole lines of the patch grid instead (all patches sharing an index along
``mask_line_axis``): for DAS, whole groups of fibre channels, as in jDAS.  Works for 1D, 2D
and 3D through the backbone's token interface (``sslsci.nn.tokens``).  The
decoder is narrower than the paper's 512 x 8 because sensor backbones are small;
Table 1 of the paper shows a narrow decoder loses little.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import torch
from torch import Tensor, nn

from sslsci.losses import MaskedReconstructionLoss
from sslsci.methods.backbone_requirements import token_interface_problem
from sslsci.methods.base import MethodOutput, SSLMethod
from sslsci.methods.hog import hog_targets
from sslsci.methods.masking import (
    TokenMask,
    gather_tokens,
    kept_tokens,
    line_token_mask,
    random_token_mask,
)
from sslsci.nn.positions import sincos_position_embedding
from sslsci.nn.transformer_block import TransformerBlock, init_transformer_weights
from sslsci.views.kinds import MASKED


class MAEDecoder(nn.Module):
    """Encoded visible tokens + mask tokens, unshuffled, with positions -> patch values."""

    def __init__(
        self, embed_dim: int, decoder_dim: int, depth: int, num_heads: int, patch_dim: int
    ) -> None:
        super().__init__()
        self.decoder_dim = decoder_dim
        self.embed = nn.Linear(embed_dim, decoder_dim)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, decoder_dim))
        self.blocks = nn.ModuleList(TransformerBlock(decoder_dim, num_heads) for _ in range(depth))
        self.norm = nn.LayerNorm(decoder_dim, eps=1e-6)
        self.predict = nn.Linear(decoder_dim, patch_dim)
        self.apply(init_transformer_weights)
        nn.init.normal_(self.mask_token, std=0.02)

    def forward(self, encoded: Tensor, restore: Tensor, grid: Sequence[int]) -> Tensor:
        """encoded [B, N_keep, D], restore [B, N] -> predictions [B, N, patch_dim]."""
        x = self.embed(encoded)
        batch, num_tokens = restore.shape
        fill = self.mask_token.to(x.dtype).expand(batch, num_tokens - x.shape[1], -1)
        x = gather_tokens(torch.cat([x, fill], dim=1), restore)
        positions = sincos_position_embedding(grid, self.decoder_dim, x.device)
        x = x + positions.to(x.dtype)
        for block in self.blocks:
            x = block(x)
        return self.predict(self.norm(x))


class MAE(SSLMethod):
    name = "mae"
    view_kind = MASKED
    backbone_requirements = (token_interface_problem,)
    check_hparams: ClassVar[dict[str, Any]] = {
        "decoder_dim": 16,
        "decoder_depth": 1,
        "decoder_num_heads": 2,
    }

    def __init__(
        self,
        backbone: nn.Module,
        mask_ratio: float = 0.75,
        decoder_dim: int = 128,
        decoder_depth: int = 4,
        decoder_num_heads: int = 4,
        norm_pix: bool = True,
        mask_unit: str = "token",
        mask_line_axis: int = 0,
        target: str = "pixels",
        hog_bins: int = 9,
    ) -> None:
        super().__init__(backbone)
        if target not in ("pixels", "hog"):
            raise ValueError(
                f"mae target {target!r} must be 'pixels' (MAE) or 'hog' (FG-MAE: histograms "
                "of oriented gradients per patch, for speckled or noisy 2-D data)"
            )
        self.target, self.hog_bins = target, hog_bins
        if mask_unit not in ("token", "line"):
            raise ValueError(
                f"mae mask_unit {mask_unit!r} must be 'token' (random patches) or 'line' "
                "(whole lines of the patch grid along mask_line_axis, e.g. DAS channels)"
            )
        self.mask_unit = mask_unit
        self.mask_line_axis = mask_line_axis
        if not 0.0 < mask_ratio < 1.0:
            raise ValueError(
                f"mae mask_ratio must lie strictly between 0 and 1 (something must be hidden "
                f"and something seen), got {mask_ratio}; the paper uses 0.75."
            )
        self.mask_ratio = mask_ratio
        target_dim = backbone.patch_dim
        if target == "hog":
            target_dim = backbone.patch_dim // math.prod(backbone.patch_size) * hog_bins
        self.decoder = MAEDecoder(
            backbone.num_features,
            decoder_dim,
            decoder_depth,
            decoder_num_heads,
            target_dim,
        )
        # HOG targets are normalised per patch already; per-patch pixel norm is MAE's.
        self.criterion = MaskedReconstructionLoss(norm_pix and target == "pixels")

    def encode_visible(
        self,
        x: Tensor,
        mask_ratio: float | None = None,
        generator: torch.Generator | None = None,
    ) -> tuple[Tensor, TokenMask]:
        """Mask tokens per sample and encode only the visible ones -> ([B, N_keep, D], mask)."""
        tokens = self.backbone.embed_tokens(x)
        batch, num_tokens = tokens.shape[:2]
        ratio = self.mask_ratio if mask_ratio is None else mask_ratio
        if num_tokens < 2 or (ratio > 0 and kept_tokens(num_tokens, ratio) == num_tokens):
            raise ValueError(
                f"mae needs more tokens to mask: input {tuple(x.shape)} gives {num_tokens} "
                f"token(s), and mask_ratio {ratio} hides none; use larger inputs or "
                "smaller patches."
            )
        if self.mask_unit == "line":
            grid = tuple(self.backbone.grid_shape(x.shape[2:]))
            token_mask = line_token_mask(
                batch, grid, self.mask_line_axis, ratio, tokens.device, generator
            )
        else:
            token_mask = random_token_mask(batch, num_tokens, ratio, tokens.device, generator)
        encoded = self.backbone.encode_tokens(gather_tokens(tokens, token_mask.keep))
        return encoded, token_mask

    def reconstruct(
        self, x: Tensor, generator: torch.Generator | None = None
    ) -> tuple[Tensor, TokenMask]:
        """Predicted patches [B, N, patch_dim] (in ``patchify`` layout) and the mask used."""
        encoded, token_mask = self.encode_visible(x, generator=generator)
        grid = self.backbone.grid_shape(x.shape[2:])
        return self.decoder(encoded, token_mask.restore, grid), token_mask

    def forward(
        self, views: Sequence[Tensor], generator: torch.Generator | None = None
    ) -> MethodOutput:
        x = self.check_views(views)[0]
        prediction, token_mask = self.reconstruct(x, generator)
        loss = self.criterion(prediction, self.targets(x), token_mask.mask)
        return MethodOutput(loss, {}, None)

    def targets(self, x: Tensor) -> Tensor:
        """What the decoder predicts per patch: the pixels, or their HOG (FG-MAE)."""
        if self.target == "hog":
            return hog_targets(x, self.backbone.patch_size, self.hog_bins)
        return self.backbone.patchify(x)
