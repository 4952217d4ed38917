"""A 2-D CNN encoder for (distance, time) DAS windows: the encoder half of PhaseNet-DAS.

PhaseNet-DAS (Zhu et al. 2023, "Seismic arrival-time picking on distributed acoustic
sensing data using semi-supervised learning") extends PhaseNet's U-Net to 2-D: each
level is two 5x5 convolutions with batch norm and ReLU, levels are joined by
max-pooling, and widths double from 8 (AI4EPS/EQNet ``phasenet_das``). This is that encoder
(stem and levels) with a global pooling instead of the decoder: ``forward_features`` is
the last level's map (the input a picking decoder would take), ``forward_head`` the
pooling. PhaseNet-DAS pools time by 2 and channels by 4 on windows thousands of channels
wide; the default ``pool`` here is (distance 2, time 4), for windows longer in time than
along the fibre (64 x 256 by default); ``pool: [4, 2]`` restores its ratio. Max-pooling
uses ``ceil_mode``, so any window size works (odd sizes too); mean+max pooling keeps
both the window's level and its strongest transient, which is what tells a short arrival
from noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import torch
from torch import Tensor, nn

from plugins.das.spec import WINDOW_DIMS

POOLINGS = ("mean", "max", "meanmax")


def _pair(value: int | Sequence[int], name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(int(v) for v in value)
    if len(pair) != 2 or min(pair) < 1:
        raise ValueError(
            f"DasCNN {name}={value!r} must be a positive int or two of them [distance, time]"
        )
    return pair  # type: ignore[return-value]


def conv_bn_relu(in_channels: int, out_channels: int, kernel: tuple[int, int]) -> list[nn.Module]:
    padding = (kernel[0] // 2, kernel[1] // 2)
    return [
        nn.Conv2d(in_channels, out_channels, kernel, padding=padding, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    ]


class DasCNN(nn.Module):
    """[B, in_channels, distance, time] -> pooled [B, num_features]; see module docstring."""

    def __init__(
        self,
        in_channels: int = 1,
        widths: Sequence[int] = (8, 16, 32, 64, 128),
        kernel_size: int | Sequence[int] = (5, 5),
        pool: int | Sequence[int] = (2, 4),
        pooling: str = "meanmax",
    ) -> None:
        super().__init__()
        widths = [int(w) for w in widths]
        kernel, pool_size = _pair(kernel_size, "kernel_size"), _pair(pool, "pool")
        if in_channels < 1 or not widths or min(widths) < 1:
            raise ValueError(
                f"DasCNN needs in_channels >= 1 and positive widths, got "
                f"in_channels={in_channels}, widths={widths}"
            )
        if kernel[0] % 2 == 0 or kernel[1] % 2 == 0:
            raise ValueError(
                f"DasCNN kernel_size={list(kernel)} must be odd so padding keeps "
                "sizes; use e.g. [5, 5]"
            )
        if pooling not in POOLINGS:
            raise ValueError(f"DasCNN pooling={pooling!r} must be one of {POOLINGS}")
        self.in_channels, self.pooling = in_channels, pooling
        self.stem_name = "stem"
        self.stem = nn.Conv2d(
            in_channels, widths[0], kernel, padding=(kernel[0] // 2, kernel[1] // 2), bias=False
        )
        first = nn.Sequential(
            nn.BatchNorm2d(widths[0]),
            nn.ReLU(inplace=True),
            *conv_bn_relu(widths[0], widths[0], kernel),
        )
        levels = [first]
        for previous, width in pairwise(widths):
            levels.append(
                nn.Sequential(
                    nn.MaxPool2d(pool_size, pool_size, ceil_mode=True),
                    *conv_bn_relu(previous, width, kernel),
                    *conv_bn_relu(width, width, kernel),
                )
            )
        self.levels = nn.Sequential(*levels)
        self.feature_dim, self.feature_layout = widths[-1], "channels_first"
        self.num_features = widths[-1] * (2 if pooling == "meanmax" else 1)
        self.config: dict[str, Any] = {
            "in_channels": in_channels,
            "widths": widths,
            "kernel_size": list(kernel),
            "pool": list(pool_size),
            "pooling": pooling,
        }
        self.accepts: dict[str, Any] = {
            "spatial_dims": 2,
            "dims": list(WINDOW_DIMS),
            "in_channels": in_channels,
            "min_size": [1, 1],
            "multiple_of": [1, 1],
            "fixed_size": None,
        }
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def check_input(self, x: Tensor) -> None:
        if x.ndim != 4 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"DasCNN(in_channels={self.in_channels}) expects [batch, {self.in_channels}, "
                f"distance, time], got shape {tuple(x.shape)}; reorder to channel-first or "
                f"adapt the stem '{self.stem_name}' to your channel count."
            )

    def forward_features(self, x: Tensor) -> Tensor:
        """The last level's map [B, widths[-1], distance', time'] (for dense heads)."""
        self.check_input(x)
        return self.levels(self.stem(x))

    def forward_head(self, fmap: Tensor, pre_logits: bool = True) -> Tensor:
        """Pooled embedding [B, num_features] over distance and time."""
        if self.pooling == "mean":
            return fmap.mean(dim=(2, 3))
        if self.pooling == "max":
            return fmap.amax(dim=(2, 3))
        return torch.cat([fmap.mean(dim=(2, 3)), fmap.amax(dim=(2, 3))], dim=1)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_head(self.forward_features(x))
