"""2-D backbones for SAR tiles, each keeping the sslsci backbone protocol.

``forward_features(x)`` -> unpooled tokens or map (``feature_layout``), ``forward_head``
-> ``[B, num_features]`` (``sslsci.nn.protocol``), ``accepts`` (the input it takes),
``stem_name`` (the first layer, sized for the polarisation count) and ``config`` (its
constructor keywords). The ResNets are MONAI's ``ResNet`` with ``spatial_dims=2`` (He et
al. 2016), built without weights (nothing is downloaded) and without the classifier; the
stem is ImageNet's (7x7 stride 2, max pool).
"""

from __future__ import annotations

from plugins.sar.spec import POLARISATIONS
from sslsci.plugins.backbones import Backbone

PATCH_PIXELS = 8  # transformer patches: 8 x 8 pixels = 80 m at 10 m; 15 x 15 per BigEarthNet patch


BACKBONES = {
    "transformer": Backbone(
        "sslsci.nn:PatchTransformer",
        defaults={"in_channels": len(POLARISATIONS), "patch_size": (PATCH_PIXELS, PATCH_PIXELS)},
        description="sslsci.nn.PatchTransformer over 8 x 8-pixel patches (masked methods)",
    ),
    "resnet18": Backbone(
        "plugins.sar.resnet:MonaiResNet2d",
        {"depth": 18},
        "MONAI 2-D ResNet-18 (512 features), VV/VH stem",
    ),
    "resnet50": Backbone(
        "plugins.sar.resnet:MonaiResNet2d",
        {"depth": 50},
        "MONAI 2-D ResNet-50 (2048 features), VV/VH stem",
    ),
}
