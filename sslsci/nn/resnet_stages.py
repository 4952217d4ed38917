"""The unpooled map of a MONAI ``ResNet`` (any ``spatial_dims``), for ``forward_features``.

MONAI's ``ResNet.forward`` pools and flattens; the SAR and CT backbones need its map
before ``avgpool``, so this runs the same submodules in the same order and stops there.
"""

from __future__ import annotations

from torch import Tensor, nn


def resnet_feature_map(resnet: nn.Module, x: Tensor) -> Tensor:
    """``[B, C, *spatial]`` -> the last stage's map ``[B, features, *spatial / 32]``."""
    x = resnet.act(resnet.bn1(resnet.conv1(x)))
    if not resnet.no_max_pool:
        x = resnet.maxpool(x)
    for stage in (resnet.layer1, resnet.layer2, resnet.layer3, resnet.layer4):
        x = stage(x)
    return x
