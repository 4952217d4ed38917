"""The backbone protocol: one contract every backbone keeps, named as timm names it.

- ``forward_features(x, **padding)`` returns the **unpooled** features, after the final
  norm and before any pooling: tokens ``[B, N, feature_dim]`` when ``feature_layout`` is
  ``"tokens"``, a feature map ``[B, feature_dim, *spatial]`` when it is
  ``"channels_first"``. Dense tasks (segmentation, picking, frame labels) start here.
- ``forward_head(features, pre_logits=True, **padding)`` pools them to the embedding
  ``[B, num_features]``. sslsci backbones carry no classifier (timm's ``num_classes=0``),
  so ``pre_logits`` changes nothing; it is accepted so timm-style calls work.
- ``forward(x, **padding)`` is ``forward_head(forward_features(x, **padding), **padding)``.
- ``padding``: a backbone that masks padded input takes ``lengths=`` (valid samples along
  the last dim) in all three, so the head pools only valid tokens or frames.

Declared attributes, so no caller infers them from tensor shapes: ``num_features`` (the
pooled width: timm's ``head_hidden_size``), ``feature_dim`` (the unpooled width: timm's
``num_features``; they differ only where the head concatenates poolings),
``feature_layout``, ``accepts``, ``stem_name`` and ``config``.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol, runtime_checkable

import torch
from torch import Tensor, nn

FeatureLayout = Literal["tokens", "channels_first"]
FEATURE_LAYOUTS: tuple[str, ...] = ("tokens", "channels_first")
BACKBONE_MEMBERS = (
    "num_features",
    "feature_dim",
    "feature_layout",
    "forward_features",
    "forward_head",
    "accepts",
    "stem_name",
    "config",
)


@runtime_checkable
class BackboneProtocol(Protocol):
    """What methods, evaluation, export and ``PretrainedModel`` use of a backbone."""

    num_features: int
    feature_dim: int
    feature_layout: FeatureLayout
    accepts: dict[str, Any]
    stem_name: str
    config: dict[str, Any]

    def forward_features(self, x: Tensor, **padding: Any) -> Tensor: ...

    def forward_head(self, features: Tensor, pre_logits: bool = True, **padding: Any) -> Tensor: ...


def spatial_mean(features: Tensor) -> Tensor:
    """Global average of a channels-first map ``[B, C, *spatial]`` -> ``[B, C]``."""
    return features.mean(dim=tuple(range(2, features.ndim)))


def declaration_problem(backbone: nn.Module) -> str | None:
    """Why ``backbone`` does not declare the protocol (members, layout, widths), or None."""
    missing = [member for member in BACKBONE_MEMBERS if not hasattr(backbone, member)]
    if missing:
        return f"lacks {', '.join(missing)} (see sslsci.nn.protocol)"
    layout = backbone.feature_layout
    if layout not in FEATURE_LAYOUTS:
        return f"declares feature_layout={layout!r}; use one of {', '.join(FEATURE_LAYOUTS)}"
    for width in ("num_features", "feature_dim"):
        value = getattr(backbone, width)
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            return f"declares {width}={value!r}; it must be a positive int"
    return None


def features_problem(backbone: nn.Module, batch: int, features: Tensor) -> str | None:
    """Why unpooled ``features`` of ``batch`` inputs break the declared layout, or None."""
    shape, width = tuple(features.shape), backbone.feature_dim
    if backbone.feature_layout == "tokens":
        expected = f"[{batch}, tokens, {width}]"
        fits = features.ndim == 3 and shape[0] == batch and shape[2] == width
    else:
        expected = f"[{batch}, {width}, *spatial]"
        fits = features.ndim >= 3 and shape[0] == batch and shape[1] == width
    if fits:
        return None
    pooled = " (already pooled: pool in forward_head)" if features.ndim == 2 else ""
    return (
        f"forward_features gave {shape}{pooled}; feature_layout={backbone.feature_layout!r} "
        f"and feature_dim={width} promise {expected}"
    )


def head_problem(backbone: nn.Module, batch: int, pooled: Tensor, direct: Tensor) -> str | None:
    """Why ``forward_head``'s ``pooled`` or ``forward``'s ``direct`` output is wrong, or None."""
    expected = (batch, backbone.num_features)
    if tuple(pooled.shape) != expected:
        return f"forward_head gave {tuple(pooled.shape)}, not {expected} ([batch, num_features])"
    if direct.shape != pooled.shape or not torch.allclose(direct, pooled, atol=1e-5, rtol=1e-4):
        return "forward(x) differs from forward_head(forward_features(x))"
    return None
