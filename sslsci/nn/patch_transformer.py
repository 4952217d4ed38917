"""A generic N-D patch transformer: one backbone for 1D signals, 2D images and 3D volumes.

ViT (Dosovitskiy et al. 2021) with the choices MAE (He et al. 2022) made for masked
pretraining: a strided ``ConvNd`` patch embedding, fixed sine-cosine positions (or
learned ones for a fixed input size), pre-norm blocks, a final LayerNorm and no class
token. ``forward_features`` gives the encoded tokens ``[B, N, embed_dim]`` (row-major
over ``grid_shape``); ``forward_head`` pools them to their mean over the unpadded tokens
(``sslsci.nn.protocol``). The token interface (``sslsci.nn.tokens``) lets masked methods
encode only the visible tokens.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn

from sslsci.nn.patches import grid_shape, patchify
from sslsci.nn.positions import sincos_position_embedding
from sslsci.nn.transformer_block import (
    TransformerBlock,
    check_key_padding_mask,
    init_transformer_weights,
)

PATCH_EMBEDDINGS: dict[int, type[nn.Module]] = {1: nn.Conv1d, 2: nn.Conv2d, 3: nn.Conv3d}
POSITION_KINDS = ("sincos", "learned")


def check_transformer_config(
    in_channels: int,
    patch_size: tuple[int, ...],
    embed_dim: int,
    depth: int,
    pos_embed: str,
    input_size: Sequence[int] | None,
) -> None:
    """Raise a ValueError naming the argument, its value and the fix."""
    if len(patch_size) not in PATCH_EMBEDDINGS or min(patch_size) < 1:
        raise ValueError(
            f"PatchTransformer patch_size={patch_size} must hold 1, 2 or 3 positive sizes "
            "(one per spatial dim), e.g. (16,) for signals or (16, 16) for images."
        )
    if in_channels < 1 or embed_dim < 1 or depth < 0:
        raise ValueError(
            f"PatchTransformer needs in_channels >= 1, embed_dim >= 1 and depth >= 0, got "
            f"in_channels={in_channels}, embed_dim={embed_dim}, depth={depth}."
        )
    if pos_embed not in POSITION_KINDS:
        raise ValueError(
            f"PatchTransformer pos_embed={pos_embed!r} is unknown; choose one of {POSITION_KINDS}."
        )
    if pos_embed == "learned" and input_size is None:
        raise ValueError(
            "PatchTransformer pos_embed='learned' needs input_size (the spatial shape every "
            "input will have); pass it, or use pos_embed='sincos' for variable sizes."
        )
    if pos_embed == "sincos" and embed_dim < 2 * len(patch_size):
        raise ValueError(
            f"PatchTransformer embed_dim={embed_dim} is too narrow for {len(patch_size)}-D "
            f"sincos positions; use at least {2 * len(patch_size)}."
        )


class PatchTransformer(nn.Module):
    """N-D ViT backbone: [B, C, *spatial] -> pooled [B, embed_dim]; see module docstring."""

    def __init__(
        self,
        in_channels: int,
        patch_size: Sequence[int],
        embed_dim: int = 192,
        depth: int = 6,
        num_heads: int = 3,
        mlp_ratio: float = 4.0,
        pos_embed: str = "sincos",
        input_size: Sequence[int] | None = None,
        drop_path: float = 0.0,
    ) -> None:
        super().__init__()
        patch = tuple(int(p) for p in patch_size)
        check_transformer_config(in_channels, patch, embed_dim, depth, pos_embed, input_size)
        self.in_channels = in_channels
        self.patch_size = patch
        self.patch_dim = in_channels * math.prod(patch)
        self.num_features = self.feature_dim = embed_dim
        self.feature_layout = "tokens"
        self.stem_name = "patch_embed"
        self.patch_embed = PATCH_EMBEDDINGS[len(patch)](
            in_channels, embed_dim, kernel_size=patch, stride=patch
        )
        self.learned_grid: tuple[int, ...] | None = None
        self.pos_embed: nn.Parameter | None = None
        if pos_embed == "learned" and input_size is not None:
            self.learned_grid = grid_shape(input_size, patch)
            self.pos_embed = nn.Parameter(torch.zeros(1, math.prod(self.learned_grid), embed_dim))
        rates = torch.linspace(0.0, drop_path, depth).tolist() if depth else []
        self.blocks = nn.ModuleList(
            TransformerBlock(embed_dim, num_heads, mlp_ratio, rate) for rate in rates
        )
        self.norm = nn.LayerNorm(embed_dim, eps=1e-6)
        self.config: dict[str, Any] = {
            "in_channels": in_channels,
            "patch_size": list(patch),
            "embed_dim": embed_dim,
            "depth": depth,
            "num_heads": num_heads,
            "mlp_ratio": mlp_ratio,
            "pos_embed": pos_embed,
            "input_size": None if input_size is None else [int(s) for s in input_size],
            "drop_path": drop_path,
        }
        self.accepts: dict[str, Any] = {
            "spatial_dims": len(patch),
            "in_channels": in_channels,
            "min_size": list(patch),
            "multiple_of": list(patch),
            "fixed_size": self.config["input_size"],
        }
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """MAE init: xavier on the flattened patch projection, ViT init elsewhere."""
        self.apply(init_transformer_weights)
        weight = self.patch_embed.weight
        nn.init.xavier_uniform_(weight.view(weight.shape[0], -1))
        if self.pos_embed is not None:
            nn.init.trunc_normal_(self.pos_embed, std=0.02)

    def check_input(self, x: Tensor) -> None:
        """Raise unless ``x`` is [B, in_channels, *spatial] with this patch's spatial dims."""
        axes = len(self.patch_size)
        if x.ndim != axes + 2 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"PatchTransformer(in_channels={self.in_channels}, patch_size={self.patch_size}) "
                f"expects [batch, {self.in_channels}, {axes} spatial dims], got shape "
                f"{tuple(x.shape)}; reorder to channel-first or adapt the stem "
                f"'{self.stem_name}' to your channel count."
            )

    def grid_shape(self, spatial_shape: Sequence[int]) -> tuple[int, ...]:
        """Patches per spatial axis; ValueError if the shape is not a multiple of the patch."""
        return grid_shape(spatial_shape, self.patch_size)

    def patchify(self, x: Tensor) -> Tensor:
        """[B, C, *spatial] -> [B, N, patch_dim]: the reconstruction targets."""
        self.check_input(x)
        return patchify(x, self.patch_size)

    def position_embedding(self, grid: Sequence[int]) -> Tensor:
        """Positions [1, N, D] of a token grid (sincos for any grid, learned for its own)."""
        grid = tuple(int(g) for g in grid)
        if self.pos_embed is None:
            embedding = sincos_position_embedding(grid, self.num_features, self.norm.weight.device)
            return embedding.to(self.norm.weight.dtype)
        if grid != self.learned_grid:
            raise ValueError(
                f"PatchTransformer has learned positions for a token grid {self.learned_grid} "
                f"(input_size={self.config['input_size']}), got grid {grid}; feed inputs of that "
                "size or use pos_embed='sincos'."
            )
        return self.pos_embed

    def embed_tokens(self, x: Tensor) -> Tensor:
        """[B, C, *spatial] -> tokens [B, N, D] with positions added."""
        self.check_input(x)
        grid = self.grid_shape(x.shape[2:])
        tokens = self.patch_embed(x).flatten(2).transpose(1, 2)
        return tokens + self.position_embedding(grid).to(tokens.dtype)

    def encode_tokens(self, tokens: Tensor, key_padding_mask: Tensor | None = None) -> Tensor:
        """Blocks and final norm over any token set [B, N', D]; padded tokens are ignored."""
        if key_padding_mask is not None:
            check_key_padding_mask(key_padding_mask, tokens.shape[0], tokens.shape[1])
        for block in self.blocks:
            tokens = block(tokens, key_padding_mask)
        return self.norm(tokens)

    def forward_features(self, x: Tensor, key_padding_mask: Tensor | None = None) -> Tensor:
        """Encoded tokens [B, N, D], row-major over the patch grid; masked tokens are ignored."""
        return self.encode_tokens(self.embed_tokens(x), key_padding_mask)

    def forward_head(
        self, features: Tensor, pre_logits: bool = True, key_padding_mask: Tensor | None = None
    ) -> Tensor:
        """Pooled embedding [B, D]: mean over the tokens not marked True in the mask."""
        if key_padding_mask is None:
            return features.mean(dim=1)
        keep = (~key_padding_mask).to(features.dtype)[..., None]
        return (features * keep).sum(dim=1) / keep.sum(dim=1)

    def forward(self, x: Tensor, key_padding_mask: Tensor | None = None) -> Tensor:
        return self.forward_head(self.forward_features(x, key_padding_mask), True, key_padding_mask)
