"""MONAI's 2-D ResNet as a SAR backbone (imported only when a ResNet is built: MONAI
alone adds ~250 MB to a process, which ingest workers never need)."""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from monai.networks.nets import ResNet
from torch import nn

from plugins.sar.spec import DIMS, POLARISATIONS
from sslsci.nn.protocol import spatial_mean
from sslsci.nn.resnet_stages import resnet_feature_map

RESNET_MIN_SIZE = 32  # five stride-2 stages: 32 pixels reach 1 x 1


class MonaiResNet2d(nn.Module):
    """MONAI ``ResNet`` in 2-D, classifier dropped: ``depth`` 18 (basic blocks, 512 features)
    or 50 (bottlenecks, 2048 features), ``in_channels`` the polarisation count."""

    depths: ClassVar[dict[int, tuple[str, list[int], int]]] = {
        18: ("basic", [2, 2, 2, 2], 1),
        50: ("bottleneck", [3, 4, 6, 3], 4),
    }

    def __init__(
        self,
        depth: int = 18,
        in_channels: int = len(POLARISATIONS),
        widen_factor: float = 1.0,
        conv1_t_size: int = 7,
        conv1_t_stride: int = 2,
        no_max_pool: bool = False,
        norm: str = "batch",
    ) -> None:
        super().__init__()
        if depth not in self.depths:
            raise ValueError(f"depth={depth!r} is not one of {sorted(self.depths)}")
        if in_channels < 1:
            raise ValueError(f"in_channels={in_channels} must be >= 1 (one per polarisation)")
        block, layers, expansion = self.depths[depth]
        self.config = {
            "depth": depth,
            "in_channels": in_channels,
            "widen_factor": widen_factor,
            "conv1_t_size": conv1_t_size,
            "conv1_t_stride": conv1_t_stride,
            "no_max_pool": no_max_pool,
            "norm": norm,
        }
        self.in_channels = in_channels
        self.model = ResNet(
            block=block,
            layers=layers,
            block_inplanes=[64, 128, 256, 512],
            spatial_dims=2,
            n_input_channels=in_channels,
            conv1_t_size=conv1_t_size,
            conv1_t_stride=conv1_t_stride,
            no_max_pool=no_max_pool,
            widen_factor=widen_factor,
            feed_forward=False,
            norm=norm,
        )
        self.num_features = self.feature_dim = int(512 * widen_factor) * expansion
        self.feature_layout = "channels_first"
        self.stem_name = "model.conv1"
        self.accepts: dict[str, Any] = {
            "spatial_dims": 2,
            "dims": list(DIMS),
            "in_channels": in_channels,
            "min_size": [RESNET_MIN_SIZE] * 2,
            "multiple_of": [1, 1],
            "fixed_size": None,
        }

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The last stage's map ``[B, num_features, H / 32, W / 32]``."""
        return resnet_feature_map(self.model, x)

    def forward_head(self, features: torch.Tensor, pre_logits: bool = True) -> torch.Tensor:
        """Global average pooling, as MONAI's ``avgpool``: ``[B, num_features]``."""
        return spatial_mean(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))
