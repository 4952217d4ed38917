"""Modality-agnostic backbones and heads.

Every backbone answers one small interface so methods, exports and probes never
special-case a model: ``num_features``, ``forward_features(x) -> [B, num_features]``,
``forward = forward_features``, ``accepts`` (spatial dims, channels, sizes),
``stem_name`` (the first layer, for channel adaptation) and ``config`` (the
JSON-serialisable kwargs that rebuild it).  Masked methods additionally use the
token interface described in ``sslsci.nn.tokens``.
"""

from sslsci.nn import heads
from sslsci.nn.patch_transformer import PatchTransformer
from sslsci.nn.resnet1d import ResNet1D
from sslsci.nn.tokens import TOKEN_INTERFACE, has_token_interface

__all__ = ["TOKEN_INTERFACE", "PatchTransformer", "ResNet1D", "has_token_interface", "heads"]
