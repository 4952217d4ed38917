"""3-D backbones for CT, each keeping the sslsci backbone protocol (``sslsci.nn.protocol``).

``forward_features(x)`` is the unpooled map ``[B, feature_dim, d, h, w]`` (or tokens for
the patch transformer), ``forward_head`` pools it to ``[B, num_features]``; ``accepts``
(the input it takes), ``stem_name`` (the first layer, for adapting input channels) and
``config`` (its constructor keywords).
MONAI models are built with ``pretrained=False``: nothing is downloaded.
"""

from __future__ import annotations

from typing import Any, ClassVar

import torch
from monai.networks.nets import resnet10 as monai_resnet10
from monai.networks.nets import resnet18 as monai_resnet18
from monai.networks.nets.swin_unetr import SwinTransformer
from torch import nn

from plugins.ct.spec import DIMS
from sslsci.nn.protocol import spatial_mean
from sslsci.nn.resnet_stages import resnet_feature_map


def _accepts(in_channels: int, multiple_of: int, min_size: int) -> dict[str, Any]:
    """The input description every sslsci backbone gives (same keys as PatchTransformer)."""
    return {
        "spatial_dims": 3,
        "dims": list(DIMS),
        "in_channels": in_channels,
        "min_size": [min_size] * 3,
        "multiple_of": [multiple_of] * 3,
        "fixed_size": None,
    }


class MonaiResNet(nn.Module):
    """MONAI's 3-D ResNet without its classifier; the stem is MedicalNet's (stride 2).

    Chen et al. 2019, "Med3D: Transfer learning for 3D medical image analysis". The
    parameters after ``in_channels`` are MONAI ``ResNet``'s; ``depth`` is set by the
    backbone's name (resnet10, resnet18) and kept out of ``config``.
    """

    builders: ClassVar[dict[str, Any]] = {"resnet10": monai_resnet10, "resnet18": monai_resnet18}

    def __init__(
        self,
        depth: str = "resnet18",
        in_channels: int = 1,
        widen_factor: float = 1.0,
        conv1_t_size: int = 7,
        conv1_t_stride: int = 2,
        no_max_pool: bool = False,
        shortcut_type: str = "B",
        bias_downsample: bool = True,
    ) -> None:
        super().__init__()
        if depth not in self.builders:
            raise ValueError(f"depth={depth!r} is not one of {sorted(self.builders)}")
        self.config = {
            "in_channels": in_channels,
            "widen_factor": widen_factor,
            "conv1_t_size": conv1_t_size,
            "conv1_t_stride": conv1_t_stride,
            "no_max_pool": no_max_pool,
            "shortcut_type": shortcut_type,
            "bias_downsample": bias_downsample,
        }
        self.in_channels = in_channels
        self.model = self.builders[depth](
            pretrained=False,
            spatial_dims=3,
            n_input_channels=in_channels,
            feed_forward=False,
            widen_factor=widen_factor,
            conv1_t_size=conv1_t_size,
            conv1_t_stride=conv1_t_stride,
            no_max_pool=no_max_pool,
            shortcut_type=shortcut_type,
            bias_downsample=bias_downsample,
        )
        self.num_features = self.feature_dim = int(self.model.layer4[-1].conv2.out_channels)
        self.feature_layout = "channels_first"
        self.stem_name = "model.conv1"
        self.accepts = _accepts(in_channels, multiple_of=1, min_size=16)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The last stage's map ``[B, num_features, D / 32, H / 32, W / 32]`` (default stem)."""
        return resnet_feature_map(self.model, x)

    def forward_head(self, features: torch.Tensor, pre_logits: bool = True) -> torch.Tensor:
        """Global average pooling, as MONAI's ``avgpool``: ``[B, num_features]``."""
        return spatial_mean(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))


class SwinEncoder(nn.Module):
    """The Swin transformer encoder of SwinUNETR (Hatamizadeh et al. 2022), last stage
    layer-normed and average-pooled. Parameter names match ``SwinUNETR.swinViT``, so its
    weights load into a SwinUNETR for segmentation fine-tuning."""

    def __init__(
        self,
        in_channels: int = 1,
        feature_size: int = 24,
        depths: tuple[int, ...] = (2, 2, 2, 2),
        num_heads: tuple[int, ...] = (3, 6, 12, 24),
        window_size: int = 7,
        drop_path_rate: float = 0.0,
    ) -> None:
        super().__init__()
        self.in_channels = in_channels
        self.config = {
            "in_channels": in_channels,
            "feature_size": feature_size,
            "depths": list(depths),
            "num_heads": list(num_heads),
            "window_size": window_size,
            "drop_path_rate": drop_path_rate,
        }
        self.swinViT = SwinTransformer(
            in_chans=in_channels,
            embed_dim=feature_size,
            window_size=(window_size,) * 3,
            patch_size=(2, 2, 2),
            depths=tuple(depths),
            num_heads=tuple(num_heads),
            drop_path_rate=drop_path_rate,
            spatial_dims=3,
        )
        self.num_features = self.feature_dim = feature_size * 2 ** len(depths)
        self.feature_layout = "channels_first"
        self.stem_name = "swinViT.patch_embed.proj"
        self.accepts = _accepts(in_channels, multiple_of=2 ** (len(depths) + 1), min_size=32)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """The layer-normed last stage ``[B, num_features, D / 32, H / 32, W / 32]``."""
        return self.swinViT(x, normalize=True)[-1]

    def forward_head(self, features: torch.Tensor, pre_logits: bool = True) -> torch.Tensor:
        """Global average pooling: ``[B, num_features]``."""
        return spatial_mean(features)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_head(self.forward_features(x))
