"""Pre-norm transformer block on PyTorch's fused attention.

The layout of ViT (Dosovitskiy et al. 2021) as timm writes it: ``x + attn(norm(x))``
then ``x + mlp(norm(x))``, with stochastic depth (Huang et al. 2016) on each branch.
Attention goes through ``F.scaled_dot_product_attention`` so the fastest kernel for
the device is used; a key padding mask keeps padded tokens out of every softmax.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def check_key_padding_mask(mask: Tensor, batch: int, tokens: int) -> None:
    """Raise unless ``mask`` is bool [batch, tokens] (True = padded) with a real token per row."""
    if mask.dtype != torch.bool or tuple(mask.shape) != (batch, tokens):
        raise ValueError(
            f"key_padding_mask must be a bool tensor of shape [batch, tokens] = "
            f"({batch}, {tokens}) with True marking padded tokens, got dtype {mask.dtype} "
            f"and shape {tuple(mask.shape)}."
        )
    if bool(mask.all(dim=1).any()):
        raise ValueError(
            "key_padding_mask pads every token of at least one sample, which leaves nothing "
            "to attend to; drop fully padded samples from the batch."
        )


class DropPath(nn.Module):
    """Stochastic depth: drop a whole residual branch per sample while training."""

    def __init__(self, drop_prob: float = 0.0) -> None:
        super().__init__()
        self.drop_prob = drop_prob

    def forward(self, x: Tensor) -> Tensor:
        if not self.training or self.drop_prob == 0.0:
            return x
        keep = 1.0 - self.drop_prob
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        return x * x.new_empty(shape).bernoulli_(keep) / keep


class SelfAttention(nn.Module):
    """Multi-head self-attention with an optional key padding mask (True = ignore)."""

    def __init__(self, dim: int, num_heads: int) -> None:
        super().__init__()
        if dim % num_heads:
            raise ValueError(
                f"embedding width {dim} is not divisible by num_heads={num_heads}; "
                "choose num_heads dividing the width (e.g. width 192 with 3 heads)."
            )
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: Tensor, key_padding_mask: Tensor | None = None) -> Tensor:
        batch, tokens, dim = x.shape
        qkv = self.qkv(x).reshape(batch, tokens, 3, self.num_heads, dim // self.num_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        attn_mask = None if key_padding_mask is None else ~key_padding_mask[:, None, None, :]
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask)
        return self.proj(out.transpose(1, 2).reshape(batch, tokens, dim))


class TransformerBlock(nn.Module):
    """``x + attn(norm1(x))``, then ``x + mlp(norm2(x))``, each branch with drop-path."""

    def __init__(
        self, dim: int, num_heads: int, mlp_ratio: float = 4.0, drop_path: float = 0.0
    ) -> None:
        super().__init__()
        hidden = int(dim * mlp_ratio)
        self.norm1 = nn.LayerNorm(dim, eps=1e-6)
        self.attn = SelfAttention(dim, num_heads)
        self.norm2 = nn.LayerNorm(dim, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim))
        self.drop_path = DropPath(drop_path)

    def forward(self, x: Tensor, key_padding_mask: Tensor | None = None) -> Tensor:
        x = x + self.drop_path(self.attn(self.norm1(x), key_padding_mask))
        return x + self.drop_path(self.mlp(self.norm2(x)))


def init_transformer_weights(module: nn.Module) -> None:
    """ViT/MAE init: truncated-normal linears (std 0.02), unit LayerNorms, zero biases."""
    if isinstance(module, nn.Linear):
        nn.init.trunc_normal_(module.weight, std=0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, nn.LayerNorm):
        nn.init.ones_(module.weight)
        nn.init.zeros_(module.bias)
