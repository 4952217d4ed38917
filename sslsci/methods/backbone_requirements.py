"""What a method needs of a backbone, as checks that name the problem and the fix.

Each returns a sentence when ``backbone`` cannot serve ``method``, else None, so the
core can ask which of a plugin's backbones a method trains before building it.
"""

from __future__ import annotations

from torch import nn

from sslsci.nn.protocol import declaration_problem
from sslsci.nn.tokens import TOKEN_BACKBONES, TOKEN_INTERFACE, missing_token_members


def interface_problem(backbone: nn.Module, method: str) -> str | None:
    """Every method needs the sslsci backbone protocol (``sslsci.nn.protocol``)."""
    problem = declaration_problem(backbone)
    if problem is None:
        return None
    return (
        f"method {method!r} needs a backbone keeping the sslsci backbone protocol, but "
        f"{type(backbone).__name__} {problem}; use a backbone from sslsci.nn or a plugin's "
        "backbones."
    )


def token_interface_problem(backbone: nn.Module, method: str) -> str | None:
    """Masked methods encode only visible tokens, so they need the token interface."""
    missing = missing_token_members(backbone)
    if not missing:
        return None
    return (
        f"method {method!r} encodes only visible tokens, so it needs a backbone with the "
        f"token interface ({', '.join(TOKEN_INTERFACE)}); {type(backbone).__name__} lacks "
        f"{', '.join(missing)}. Backbones that support it: {', '.join(TOKEN_BACKBONES)}."
    )


def time_last_problem(backbone: nn.Module, method: str) -> str | None:
    """Time-axis pretext tasks need [batch, channel, time] inputs."""
    accepts = getattr(backbone, "accepts", {})
    if accepts.get("spatial_dims") == 1:
        return None
    return (
        f"method {method!r} transforms the time axis, so it needs a backbone for "
        f"[batch, channel, time] inputs (accepts['spatial_dims'] == 1), but "
        f"{type(backbone).__name__} accepts {accepts or 'an unstated shape'}; use a 1D "
        "backbone such as sslsci.nn.ResNet1D or a PatchTransformer with one patch size."
    )
