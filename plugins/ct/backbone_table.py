"""The CT backbones by name, their networks imported on first build (monai stays unloaded
while plugins are listed)."""

from __future__ import annotations

from sslsci.plugins.backbones import Backbone

PATCH_VOXELS = 16  # core transformer patches: 16^3 voxels = 24 mm at 1.5 mm

BACKBONES = {
    "resnet10": Backbone(
        "plugins.ct.backbones:MonaiResNet",
        {"depth": "resnet10"},
        "MONAI 3-D ResNet-10 (512 features), 1 input channel",
    ),
    "resnet18": Backbone(
        "plugins.ct.backbones:MonaiResNet",
        {"depth": "resnet18"},
        "MONAI 3-D ResNet-18 (512 features), 1 input channel",
    ),
    "swin": Backbone(
        "plugins.ct.backbones:SwinEncoder",
        description="SwinUNETR's Swin encoder (feature_size 24 -> 384 features); "
        "inputs divisible by 32",
    ),
    "transformer": Backbone(
        "sslsci.nn:PatchTransformer",
        {"in_channels": 1, "patch_size": (PATCH_VOXELS,) * 3},
        "sslsci.nn.PatchTransformer over 16^3-voxel patches",
    ),
}
