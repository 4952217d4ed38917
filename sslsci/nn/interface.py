"""What a backbone's ``forward_features`` accepts, asked the same way everywhere."""

from __future__ import annotations

import inspect

from torch import nn


def accepts_lengths(backbone: nn.Module) -> bool:
    """Whether ``backbone.forward_features`` takes ``lengths=`` (valid samples per input)."""
    try:
        parameters = inspect.signature(backbone.forward_features).parameters
    except (AttributeError, TypeError, ValueError):
        return False
    return "lengths" in parameters
