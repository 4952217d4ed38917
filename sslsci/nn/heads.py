"""Projection and prediction heads as lists of blocks, each head setting its paper's defaults.

Following lightly's heads: a block is ``(in_dim, out_dim, norm_layer, activation)``
and becomes ``Linear -> norm -> activation`` (the Linear drops its bias when a norm
follows, since the norm's shift replaces it).  The input width of every head is the
backbone's ``num_features``; the per-method defaults are the papers'.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.utils.parametrizations import weight_norm

Block = tuple[int, int, nn.Module | None, nn.Module | None]


class ProjectionHead(nn.Module):
    """An MLP built from ``(in_dim, out_dim, norm_layer | None, activation | None)`` blocks."""

    def __init__(self, blocks: Sequence[Block]) -> None:
        super().__init__()
        if not blocks:
            raise ValueError("ProjectionHead needs at least one block (in, out, norm, act).")
        layers: list[nn.Module] = []
        previous_out = blocks[0][0]
        for index, (in_dim, out_dim, norm, activation) in enumerate(blocks):
            if in_dim != previous_out:
                raise ValueError(
                    f"ProjectionHead block {index} takes {in_dim} inputs but the block before "
                    f"gives {previous_out}; chain the widths."
                )
            layers.append(nn.Linear(in_dim, out_dim, bias=norm is None))
            layers += [m for m in (norm, activation) if m is not None]
            previous_out = out_dim
        self.layers = nn.Sequential(*layers)
        self.output_dim = previous_out

    def forward(self, x: Tensor) -> Tensor:
        return self.layers(x)


def mlp_blocks(
    input_dim: int, hidden_dim: int, output_dim: int, num_layers: int, batch_norm: bool = True
) -> list[Block]:
    """``num_layers`` Linear layers; BatchNorm + ReLU after all but the last."""
    if num_layers < 1:
        raise ValueError(f"a head needs num_layers >= 1, got {num_layers}.")
    widths = [input_dim] + [hidden_dim] * (num_layers - 1) + [output_dim]
    blocks: list[Block] = []
    for index in range(num_layers):
        last = index == num_layers - 1
        norm = None if last or not batch_norm else nn.BatchNorm1d(widths[index + 1])
        blocks.append((widths[index], widths[index + 1], norm, None if last else nn.ReLU()))
    return blocks


class SimCLRProjectionHead(ProjectionHead):
    """SimCLR (Chen et al. 2020, sec. 2.1): ``W2 relu(BN(W1 h))``, 2048 -> 128."""

    def __init__(
        self,
        input_dim: int = 2048,
        hidden_dim: int = 2048,
        output_dim: int = 128,
        num_layers: int = 2,
        batch_norm: bool = True,
    ) -> None:
        super().__init__(mlp_blocks(input_dim, hidden_dim, output_dim, num_layers, batch_norm))


class BYOLProjectionHead(ProjectionHead):
    """BYOL (Grill et al. 2020, sec. 3.3): Linear 4096, BN, ReLU, Linear 256."""

    def __init__(self, input_dim: int = 2048, hidden_dim: int = 4096, output_dim: int = 256):
        super().__init__(mlp_blocks(input_dim, hidden_dim, output_dim, num_layers=2))


class BYOLPredictionHead(ProjectionHead):
    """BYOL's predictor (Grill et al. 2020, sec. 3.3): the projector's shape, 256 -> 256."""

    def __init__(self, input_dim: int = 256, hidden_dim: int = 4096, output_dim: int = 256):
        super().__init__(mlp_blocks(input_dim, hidden_dim, output_dim, num_layers=2))


class VICRegProjectionHead(ProjectionHead):
    """VICReg's expander (Bardes et al. 2022, sec. 4.2): three layers of 8192, BN + ReLU."""

    def __init__(
        self,
        input_dim: int = 2048,
        hidden_dim: int = 8192,
        output_dim: int = 8192,
        num_layers: int = 3,
    ) -> None:
        super().__init__(mlp_blocks(input_dim, hidden_dim, output_dim, num_layers))


class BarlowTwinsProjectionHead(ProjectionHead):
    """Barlow Twins' projector (Zbontar et al. 2021, sec. 2): three layers of 8192."""

    def __init__(self, input_dim: int = 2048, hidden_dim: int = 8192, output_dim: int = 8192):
        super().__init__(mlp_blocks(input_dim, hidden_dim, output_dim, num_layers=3))


class DINOProjectionHead(nn.Module):
    """DINO's head (Caron et al. 2021, sec. 3.1 and official ``DINOHead``).

    A 3-layer MLP (hidden 2048, GELU, no BatchNorm by default) to a 256-d bottleneck,
    L2 normalisation, then a weight-normalised Linear to K = 65536 prototypes.  With
    ``norm_last_layer`` the weight-norm gain is fixed at 1 (every prototype a unit
    vector), which the paper reports stabilises training.
    """

    def __init__(
        self,
        input_dim: int = 2048,
        hidden_dim: int = 2048,
        bottleneck_dim: int = 256,
        output_dim: int = 65536,
        batch_norm: bool = False,
        norm_last_layer: bool = True,
    ) -> None:
        super().__init__()

        def norm() -> nn.Module | None:
            return nn.BatchNorm1d(hidden_dim) if batch_norm else None

        self.mlp = ProjectionHead(
            [
                (input_dim, hidden_dim, norm(), nn.GELU()),
                (hidden_dim, hidden_dim, norm(), nn.GELU()),
                (hidden_dim, bottleneck_dim, None, None),
            ]
        )
        for module in self.mlp.modules():
            if isinstance(module, nn.Linear):
                nn.init.trunc_normal_(module.weight, std=0.02)
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
        self.last_layer = weight_norm(nn.Linear(bottleneck_dim, output_dim, bias=False))
        gain = self.last_layer.parametrizations.weight.original0
        gain.data.fill_(1.0)
        gain.requires_grad_(not norm_last_layer)
        self.output_dim = output_dim

    def forward(self, x: Tensor) -> Tensor:
        x = F.normalize(self.mlp(x), dim=-1, p=2)
        return self.last_layer(x)
