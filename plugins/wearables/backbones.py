"""Backbone constructors with wearables defaults; the core's models are imported lazily
so loading the plugin never needs ``sslsci.nn``."""

from __future__ import annotations

from typing import Any

from torch import nn

from plugins.wearables.spec import DEFAULT_CHANNELS

PATCH_SAMPLES = 10  # 1/3 s at 30 Hz: a few patches per step cycle


def resnet1d(**config: Any) -> nn.Module:
    """``sslsci.nn.ResNet1D`` for 6-channel IMU windows; keyword config overrides defaults."""
    from sslsci.nn import ResNet1D

    config.setdefault("in_channels", len(DEFAULT_CHANNELS))
    return ResNet1D(**config)


def transformer(**config: Any) -> nn.Module:
    """``sslsci.nn.PatchTransformer`` over patches of 10 samples; config overrides defaults."""
    from sslsci.nn import PatchTransformer

    config.setdefault("in_channels", len(DEFAULT_CHANNELS))
    config.setdefault("patch_size", (PATCH_SAMPLES,))
    return PatchTransformer(**config)


BACKBONES = {"resnet1d": resnet1d, "transformer": transformer}
