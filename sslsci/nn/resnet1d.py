"""A 1D ResNet for multichannel signals [B, C, T].

He et al. 2016 ("Deep Residual Learning") with 1D convolutions, as used for wearable
sensing (e.g. Yuan et al. 2024's ResNet-V2 for accelerometry): a stem convolution,
stages of BasicBlocks with stride-2 downsampling between stages, BatchNorm, and global
average pooling over time (``forward_head``; ``forward_features`` is the last stage's
map ``[B, widths[-1], T']``, see ``sslsci.nn.protocol``). The last BatchNorm of each
residual branch starts at zero (Goyal et al. 2017) so every block starts as the
identity, which steadies early training.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import Tensor, nn

from sslsci.nn.protocol import spatial_mean


class BasicBlock1D(nn.Module):
    """Two ``kernel_size`` convolutions with a residual; a 1x1 projection when shapes change."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int) -> None:
        super().__init__()
        pad = kernel_size // 2
        self.conv1 = nn.Conv1d(in_channels, out_channels, kernel_size, stride, pad, bias=False)
        self.bn1 = nn.BatchNorm1d(out_channels)
        self.conv2 = nn.Conv1d(out_channels, out_channels, kernel_size, 1, pad, bias=False)
        self.bn2 = nn.BatchNorm1d(out_channels)
        nn.init.zeros_(self.bn2.weight)
        self.relu = nn.ReLU(inplace=True)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or in_channels != out_channels:
            self.shortcut = nn.Sequential(
                nn.Conv1d(in_channels, out_channels, 1, stride, bias=False),
                nn.BatchNorm1d(out_channels),
            )

    def forward(self, x: Tensor) -> Tensor:
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + self.shortcut(x))


def check_resnet_config(
    in_channels: int, widths: Sequence[int], blocks_per_stage: int, kernels: Sequence[int]
) -> None:
    """Raise a ValueError naming the argument, its value and the fix."""
    if in_channels < 1 or not widths or min(widths) < 1 or blocks_per_stage < 1:
        raise ValueError(
            f"ResNet1D needs in_channels >= 1, at least one positive width and "
            f"blocks_per_stage >= 1, got in_channels={in_channels}, widths={tuple(widths)}, "
            f"blocks_per_stage={blocks_per_stage}."
        )
    if any(k < 1 or k % 2 == 0 for k in kernels):
        raise ValueError(
            f"ResNet1D kernel sizes must be odd and positive so padding keeps lengths, got "
            f"kernel_size/stem_kernel={tuple(kernels)}; use e.g. 5 and 7."
        )


class ResNet1D(nn.Module):
    """[B, in_channels, T] -> pooled [B, widths[-1]]; see module docstring."""

    def __init__(
        self,
        in_channels: int,
        widths: Sequence[int] = (64, 128, 256),
        blocks_per_stage: int = 2,
        kernel_size: int = 5,
        stem_kernel: int = 7,
    ) -> None:
        super().__init__()
        widths = [int(w) for w in widths]
        check_resnet_config(in_channels, widths, blocks_per_stage, (kernel_size, stem_kernel))
        self.in_channels = in_channels
        self.num_features = self.feature_dim = widths[-1]
        self.feature_layout = "channels_first"
        self.stem_name = "stem"
        self.stem = nn.Conv1d(in_channels, widths[0], stem_kernel, 1, stem_kernel // 2, bias=False)
        self.stem_norm = nn.BatchNorm1d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        stages, previous = [], widths[0]
        for index, width in enumerate(widths):
            blocks = [
                BasicBlock1D(
                    previous if block == 0 else width,
                    width,
                    kernel_size,
                    stride=2 if index > 0 and block == 0 else 1,
                )
                for block in range(blocks_per_stage)
            ]
            stages.append(nn.Sequential(*blocks))
            previous = width
        self.stages = nn.Sequential(*stages)
        self.config: dict[str, Any] = {
            "in_channels": in_channels,
            "widths": widths,
            "blocks_per_stage": blocks_per_stage,
            "kernel_size": kernel_size,
            "stem_kernel": stem_kernel,
        }
        self.accepts: dict[str, Any] = {
            "spatial_dims": 1,
            "in_channels": in_channels,
            "min_size": [2 ** (len(widths) - 1)],
            "multiple_of": [1],
            "fixed_size": None,
        }
        for module in self.modules():
            if isinstance(module, nn.Conv1d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def check_input(self, x: Tensor) -> None:
        """Raise unless ``x`` is [B, in_channels, T] with T at least the minimum length."""
        if x.ndim != 3 or x.shape[1] != self.in_channels:
            raise ValueError(
                f"ResNet1D(in_channels={self.in_channels}) expects [batch, {self.in_channels}, "
                f"time], got shape {tuple(x.shape)}; reorder to channel-first or adapt the stem "
                f"'{self.stem_name}' to your channel count."
            )
        if x.shape[2] < self.accepts["min_size"][0]:
            raise ValueError(
                f"ResNet1D with {len(self.config['widths'])} stages needs at least "
                f"{self.accepts['min_size'][0]} time samples, got {x.shape[2]}; use longer windows."
            )

    def forward_features(self, x: Tensor) -> Tensor:
        """The last stage's map [B, num_features, T'] (T' = T / 2 ** (stages - 1), rounded up)."""
        self.check_input(x)
        x = self.relu(self.stem_norm(self.stem(x)))
        return self.stages(x)

    def forward_head(self, features: Tensor, pre_logits: bool = True) -> Tensor:
        """Pooled embedding [B, num_features]: the time average of the map."""
        return spatial_mean(features)

    def forward(self, x: Tensor) -> Tensor:
        return self.forward_head(self.forward_features(x))
