"""Tiny backbones and method settings shared by the method tests; one torch thread
per test, since oversubscribed threads make tiny models slower on a shared machine."""

from collections.abc import Callable

import pytest
import torch
from torch import nn

from sslsci.nn import PatchTransformer, ResNet1D

# Paper-sized heads are hundreds of MB; these keep every method's structure.
SMALL_HPARAMS = {
    "simclr": {"hidden_dim": 32, "output_dim": 16},
    "byol": {"hidden_dim": 32, "output_dim": 16},
    "vicreg": {"hidden_dim": 32, "output_dim": 32},
    "barlow_twins": {"hidden_dim": 32, "output_dim": 32},
    "dino": {"hidden_dim": 32, "bottleneck_dim": 8, "output_dim": 64},
    "mae": {"decoder_dim": 16, "decoder_depth": 1, "decoder_num_heads": 2},
    "multitask": {},
}


def resnet(in_channels: int = 6) -> nn.Module:
    return ResNet1D(in_channels, widths=(8, 16), blocks_per_stage=1)


def transformer(in_channels: int = 6, patch=(8,)) -> nn.Module:
    return PatchTransformer(in_channels, patch, embed_dim=16, depth=1, num_heads=2)


BACKBONES: dict[str, Callable[[], nn.Module]] = {"resnet1d": resnet, "transformer": transformer}


@pytest.fixture(autouse=True)
def single_thread():
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture
def signals() -> list[torch.Tensor]:
    """Two seeded views of a batch of 8 six-channel signals, 64 samples long."""
    generator = torch.Generator().manual_seed(0)
    base = torch.randn(8, 6, 64, generator=generator)
    return [base + 0.1 * torch.randn(8, 6, 64, generator=generator) for _ in range(2)]
