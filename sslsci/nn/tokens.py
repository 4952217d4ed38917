"""The token interface that masked methods (MAE) drive a backbone through.

A backbone offering it turns an input into a grid of tokens and encodes any subset
of them, so a method can drop masked tokens before the encoder:

- ``patch_dim: int``: values per patch (channels x patch volume), the width of targets;
- ``grid_shape(spatial_shape) -> tuple[int, ...]``: patches per spatial axis;
- ``patchify(x) -> [B, N, patch_dim]``: the pixels of each patch (reconstruction targets);
- ``embed_tokens(x) -> [B, N, D]``: patch embedding plus positions;
- ``position_embedding(grid) -> [1, N, D]``: positions of a grid's tokens;
- ``encode_tokens(tokens, key_padding_mask=None) -> [B, N', D]``: blocks and final norm.
"""

from __future__ import annotations

from torch import nn

TOKEN_INTERFACE = (
    "patch_dim",
    "grid_shape",
    "patchify",
    "embed_tokens",
    "position_embedding",
    "encode_tokens",
)
TOKEN_BACKBONES = ("sslsci.nn.PatchTransformer (plugin backbones such as 'transformer')",)


def has_token_interface(backbone: nn.Module) -> bool:
    """True when ``backbone`` offers every member of ``TOKEN_INTERFACE``."""
    return all(hasattr(backbone, member) for member in TOKEN_INTERFACE)


def missing_token_members(backbone: nn.Module) -> list[str]:
    """The members of ``TOKEN_INTERFACE`` that ``backbone`` lacks."""
    return [member for member in TOKEN_INTERFACE if not hasattr(backbone, member)]
