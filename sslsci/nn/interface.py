"""What a backbone's ``forward_features`` accepts, asked the same way everywhere."""

from __future__ import annotations

import inspect

from torch import Tensor, nn


def accepts_lengths(backbone: nn.Module) -> bool:
    """Whether ``backbone.forward_features`` takes ``lengths=`` (valid samples per input)."""
    try:
        parameters = inspect.signature(backbone.forward_features).parameters
    except (AttributeError, TypeError, ValueError):
        return False
    return "lengths" in parameters


def pooled_embedding(backbone: nn.Module, x: Tensor, lengths: Tensor | None = None) -> Tensor:
    """The backbone's pooled embedding ``[B, num_features]`` of a batch of windows:
    ``forward_head`` of ``forward_features`` (``sslsci.nn.protocol``)."""
    padding = {} if lengths is None else {"lengths": lengths}
    return backbone.forward_head(backbone.forward_features(x, **padding), **padding)
