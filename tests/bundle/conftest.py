"""A tiny wearables ResNet1D bundle, written with seeded weights and non-trivial stats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch
from torch import nn

from sslsci.bundle import write_bundle
from sslsci.plugins.discovery import get_plugin

WINDOW = 60
MEAN = [0.1, -0.2, 0.9, 0.0, 0.05, -0.05]
STD = [0.5, 0.4, 0.3, 1.5, 2.0, 1.0]
CONFIG = {"in_channels": 6, "widths": [8, 16], "blocks_per_stage": 1}


def make_backbone(seed: int = 0) -> nn.Module:
    """A small ResNet1D whose every parameter and BatchNorm statistic is seeded and non-trivial."""
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        backbone = get_plugin("wearables").backbones["resnet1d"](**CONFIG)
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for module in backbone.modules():
            if isinstance(module, nn.BatchNorm1d):
                module.weight.uniform_(0.5, 1.5, generator=generator)
                module.bias.uniform_(-0.2, 0.2, generator=generator)
                module.running_mean.uniform_(-0.3, 0.3, generator=generator)
                module.running_var.uniform_(0.5, 2.0, generator=generator)
    return backbone.eval()


def bundle_kwargs(**overrides: Any) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "name": "wearables-resnet1d-test",
        "plugin_name": "wearables",
        "backbone_name": "resnet1d",
        "backbone_config": dict(CONFIG),
        "preprocessing": {
            "normalize": {"target_rate": 30},
            "standardize": {"mean": MEAN, "std": STD},
            "window": {"time": WINDOW},
        },
        "input_contract": {},
        "method": {"name": "simclr", "hparams": {"temperature": 0.1}},
        "training": {"max_steps": 20, "batch_size": 8},
        "data": {"manifest_sha256": "ab" * 32, "rows": 12, "catalog": [{"name": "demo"}]},
        "evaluation": {"activity": {"ssl": {"linear_probe": {"accuracy": 0.75}}}},
    }
    kwargs.update(overrides)
    return kwargs


@pytest.fixture
def backbone() -> nn.Module:
    return make_backbone()


@pytest.fixture
def bundle(tmp_path: Path, backbone: nn.Module) -> Path:
    heads = {"projector.weight": torch.arange(12.0).reshape(3, 4)}
    return write_bundle(tmp_path / "bundle", backbone=backbone, heads=heads, **bundle_kwargs())
