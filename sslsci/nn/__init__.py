"""Modality-agnostic backbones and heads.

Every backbone keeps one protocol (``sslsci.nn.protocol``) so methods, exports and
probes never special-case a model: ``forward_features(x)`` -> unpooled tokens
``[B, N, D]`` or map ``[B, D, *spatial]`` as ``feature_layout`` declares,
``forward_head(features)`` -> pooled ``[B, num_features]``, ``forward`` = both, plus
``feature_dim``, ``accepts`` (spatial dims, channels, sizes), ``stem_name`` (the first
layer, for channel adaptation) and ``config`` (the JSON-serialisable kwargs that
rebuild it).  Masked methods additionally use the token interface described in
``sslsci.nn.tokens``.
"""

from sslsci.nn import heads
from sslsci.nn.patch_transformer import PatchTransformer
from sslsci.nn.protocol import FEATURE_LAYOUTS, BackboneProtocol
from sslsci.nn.resnet1d import ResNet1D
from sslsci.nn.tokens import TOKEN_INTERFACE, has_token_interface

__all__ = [
    "FEATURE_LAYOUTS",
    "TOKEN_INTERFACE",
    "BackboneProtocol",
    "PatchTransformer",
    "ResNet1D",
    "has_token_interface",
    "heads",
]
