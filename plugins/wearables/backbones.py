"""Backbones with wearables defaults: the core's models, imported on first use so the
plugin loads without ``sslsci.nn``; their config is checked against the constructor."""

from __future__ import annotations

from plugins.wearables.spec import DEFAULT_CHANNELS
from sslsci.plugins import Backbone

PATCH_SAMPLES = 10  # 1/3 s at 30 Hz: a few patches per step cycle

BACKBONES = {
    "resnet1d": Backbone(
        "sslsci.nn:ResNet1D",
        defaults={"in_channels": len(DEFAULT_CHANNELS)},
        description="1-D ResNet for 6-channel IMU windows",
    ),
    "transformer": Backbone(
        "sslsci.nn:PatchTransformer",
        defaults={"in_channels": len(DEFAULT_CHANNELS), "patch_size": (PATCH_SAMPLES,)},
        description="patch transformer over 10-sample patches (masked methods)",
    ),
}
