"""The conformance suite holds every plugin backbone to the backbone protocol
(``sslsci.nn.protocol``): a backbone that pools in ``forward_features`` (the convention
before it), lacks a declared layout, declares the wrong one or whose ``forward`` is not
``forward_head(forward_features)`` fails with a message naming the problem."""

from __future__ import annotations

import re

import pytest
import torch

from sslsci.nn import ResNet1D
from sslsci.plugins import Backbone, Plugin
from sslsci.testing import run_checks

from .test_kit import toy

CONFIG = {"in_channels": 2, "widths": (8, 16), "blocks_per_stage": 1}


class PooledFeatures(ResNet1D):
    """The old convention: forward_features already pooled."""

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        return super().forward_features(x).mean(dim=-1)

    def forward_head(self, features: torch.Tensor, pre_logits: bool = True) -> torch.Tensor:
        return features


class NoLayout(ResNet1D):
    def __init__(self, in_channels: int = 2) -> None:
        super().__init__(in_channels, widths=(8, 16), blocks_per_stage=1)
        del self.feature_layout


class WrongLayout(ResNet1D):
    """Says tokens, gives a channels-first map [B, 16, 20]."""

    def __init__(self, in_channels: int = 2) -> None:
        super().__init__(in_channels, widths=(8, 16), blocks_per_stage=1)
        self.feature_layout = "tokens"


class ForwardElsewhere(ResNet1D):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return 2 * super().forward(x)


def plugin_with(build) -> Plugin:
    """test_kit's toy plugin with one backbone, ``net``, built by ``build``."""
    return toy(
        backbones={"net": Backbone(build, defaults={"in_channels": 2})},
        example_window={"time": 40},
        example_backbones={"net": {} if build in (NoLayout, WrongLayout) else CONFIG},
    )


def backbones_check(build) -> tuple[str, str]:
    (result,) = run_checks(plugin_with(build), ["backbones"])
    return result.status, result.detail


def test_a_protocol_backbone_passes_and_its_layout_is_listed() -> None:
    assert backbones_check(ResNet1D) == (
        "pass",
        "net (channels_first); token interface: none",
    )


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            PooledFeatures,
            r"forward_features gave \(2, 16\) \(already pooled: pool in forward_head\)",
        ),
        (NoLayout, r"lacks feature_layout"),
        (WrongLayout, r"forward_features gave \(2, 16, 20\); feature_layout='tokens'"),
        (ForwardElsewhere, r"forward\(x\) differs from forward_head\(forward_features\(x\)\)"),
    ],
)
def test_a_backbone_breaking_the_protocol_fails_conformance(build, message) -> None:
    status, detail = backbones_check(build)
    assert status == "fail"
    assert "backbone 'net' breaks the backbone protocol (sslsci.nn.protocol)" in detail
    assert re.search(message, detail), detail
