"""Adapt a pretrained stem convolution to a different number of input channels.

Follows timm's ``adapt_input_conv``, generalised from RGB to any channel count:
more channels repeat the pretrained kernel cyclically and scale it by
``old / new``; fewer channels fold (sum) the kernels of channels ``i`` with
``i % new == j`` into channel ``j``. Either way an input whose channels are all
equal gives the same response as before whenever ``new`` divides or is divided
evenly, so the pretrained features stay meaningful.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from sslsci.bundle.errors import BundleError

CONV_TYPES = (nn.Conv1d, nn.Conv2d, nn.Conv3d)


def adapted_kernel(weight: torch.Tensor, in_channels: int) -> torch.Tensor:
    """A ``[out, in_channels, *k]`` kernel made from a pretrained ``[out, old, *k]`` one."""
    old = weight.shape[1]
    if in_channels == old:
        return weight.clone()
    if in_channels < old:
        folded = weight.new_zeros((weight.shape[0], in_channels, *weight.shape[2:]))
        for source in range(old):
            folded[:, source % in_channels] += weight[:, source]
        return folded
    repeats = math.ceil(in_channels / old)
    tiled = weight.repeat(1, repeats, *([1] * (weight.ndim - 2)))[:, :in_channels]
    return tiled * (old / in_channels)


def _parent_of(model: nn.Module, qualified_name: str) -> tuple[nn.Module, str]:
    parent_name, _, child = qualified_name.rpartition(".")
    return (model.get_submodule(parent_name) if parent_name else model), child


def find_stem(model: nn.Module, stem_name: str) -> nn.Module:
    """The module called ``stem_name``, or an error naming the layers that exist."""
    try:
        return model.get_submodule(stem_name)
    except AttributeError:
        first = [name for name, _ in model.named_modules() if name][:5]
        raise BundleError(
            f"stem layer {stem_name!r} recorded in the bundle is not in the rebuilt "
            f"{type(model).__name__} (first layers: {first}); the bundle and the installed "
            "backbone code disagree. Install the plugin version that wrote the bundle."
        ) from None


def adapt_stem(model: nn.Module, stem_name: str, in_channels: int) -> nn.Module:
    """Replace the stem convolution in place by one taking ``in_channels`` channels."""
    if isinstance(in_channels, bool) or not isinstance(in_channels, int) or in_channels < 1:
        raise BundleError(f"adapt_in_channels={in_channels!r} must be a positive integer")
    stem = find_stem(model, stem_name)
    if type(stem) not in CONV_TYPES or stem.groups != 1:
        raise BundleError(
            f"stem layer {stem_name!r} is a {type(stem).__name__}"
            f"{' with groups' if isinstance(stem, CONV_TYPES) else ''}; adapt_in_channels "
            "supports plain Conv1d/Conv2d/Conv3d stems. Load without adapt_in_channels and "
            "select the recorded channels instead."
        )
    replacement = type(stem)(
        in_channels,
        stem.out_channels,
        kernel_size=stem.kernel_size,
        stride=stem.stride,
        padding=stem.padding,
        dilation=stem.dilation,
        bias=stem.bias is not None,
        padding_mode=stem.padding_mode,
        device=stem.weight.device,
        dtype=stem.weight.dtype,
    )
    with torch.no_grad():
        replacement.weight.copy_(adapted_kernel(stem.weight, in_channels))
        if stem.bias is not None:
            replacement.bias.copy_(stem.bias)
    replacement.train(stem.training)
    parent, child = _parent_of(model, stem_name)
    setattr(parent, child, replacement)
    record_in_channels(model, in_channels)
    return replacement


def record_in_channels(model: nn.Module, in_channels: int) -> None:
    """Keep the backbone interface truthful: ``in_channels``, ``accepts`` and ``config``."""
    old = getattr(model, "in_channels", None)
    if isinstance(old, int):
        patch_dim = getattr(model, "patch_dim", None)  # token interface: channels x patch volume
        if isinstance(patch_dim, int) and patch_dim % old == 0:
            model.patch_dim = patch_dim // old * in_channels
        model.in_channels = in_channels
    for field in ("accepts", "config"):
        described = getattr(model, field, None)
        if isinstance(described, dict) and "in_channels" in described:
            described["in_channels"] = in_channels


def stem_in_channels(model: nn.Module, stem_name: str) -> int | None:
    """Input channels of the stem when it is a convolution, else ``None``."""
    stem = find_stem(model, stem_name)
    return stem.in_channels if isinstance(stem, CONV_TYPES) else None
