"""Checks that a backbone can serve a method, failing with which backbones can."""

from __future__ import annotations

from torch import nn

from sslsci.nn.tokens import TOKEN_BACKBONES, TOKEN_INTERFACE, missing_token_members


def require_token_interface(backbone: nn.Module, method: str) -> None:
    """Raise a ValueError unless ``backbone`` offers the token interface of masked methods."""
    missing = missing_token_members(backbone)
    if missing:
        raise ValueError(
            f"method {method!r} encodes only visible tokens, so it needs a backbone with the "
            f"token interface ({', '.join(TOKEN_INTERFACE)}); {type(backbone).__name__} lacks "
            f"{', '.join(missing)}. Backbones that support it: {', '.join(TOKEN_BACKBONES)}."
        )


def require_time_last(backbone: nn.Module, method: str) -> None:
    """Raise a ValueError unless ``backbone`` takes [B, C, T] inputs (time last)."""
    accepts = getattr(backbone, "accepts", {})
    if accepts.get("spatial_dims") != 1:
        raise ValueError(
            f"method {method!r} transforms the time axis, so it needs a backbone for "
            f"[batch, channel, time] inputs (accepts['spatial_dims'] == 1), but "
            f"{type(backbone).__name__} accepts {accepts or 'an unstated shape'}; use a 1D "
            "backbone such as sslsci.nn.ResNet1D or a PatchTransformer with one patch size."
        )
