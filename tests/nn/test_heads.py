"""Projection heads: blocks become Linear -> norm -> activation; paper defaults hold."""

import inspect

import pytest
import torch
from torch import nn

from sslsci.nn.heads import (
    BarlowTwinsProjectionHead,
    BYOLPredictionHead,
    BYOLProjectionHead,
    DINOProjectionHead,
    ProjectionHead,
    SimCLRProjectionHead,
    VICRegProjectionHead,
)


def test_blocks_build_the_layers_in_order() -> None:
    head = ProjectionHead([(4, 8, nn.BatchNorm1d(8), nn.ReLU()), (8, 3, None, None)])
    kinds = [type(m) for m in head.layers]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Linear]
    assert head.layers[0].bias is None and head.layers[3].bias is not None
    assert head(torch.randn(5, 4)).shape == (5, 3)


def test_mismatched_blocks_are_refused() -> None:
    with pytest.raises(ValueError, match="block 1 takes 7 inputs"):
        ProjectionHead([(4, 8, None, nn.ReLU()), (7, 3, None, None)])


PAPER_DEFAULTS = [
    (SimCLRProjectionHead, {"input_dim": 2048, "hidden_dim": 2048, "output_dim": 128}, 2),
    (BYOLProjectionHead, {"input_dim": 2048, "hidden_dim": 4096, "output_dim": 256}, 2),
    (BYOLPredictionHead, {"input_dim": 256, "hidden_dim": 4096, "output_dim": 256}, 2),
    (VICRegProjectionHead, {"input_dim": 2048, "hidden_dim": 8192, "output_dim": 8192}, 3),
    (BarlowTwinsProjectionHead, {"input_dim": 2048, "hidden_dim": 8192, "output_dim": 8192}, 3),
]


@pytest.mark.parametrize(("head_class", "defaults", "num_linears"), PAPER_DEFAULTS)
def test_paper_defaults_and_layout(head_class, defaults, num_linears) -> None:
    parameters = inspect.signature(head_class.__init__).parameters
    assert {key: parameters[key].default for key in defaults} == defaults
    # Built small (the paper widths are hundreds of MB): BN + ReLU between linears,
    # nothing after the last one.
    head = head_class(input_dim=6, hidden_dim=10, output_dim=4)
    linears = [(m.in_features, m.out_features) for m in head.layers if isinstance(m, nn.Linear)]
    assert linears == [(6, 10)] + [(10, 10)] * (num_linears - 2) + [(10, 4)]
    kinds = [type(m) for m in head.layers]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.ReLU] * (num_linears - 1) + [nn.Linear]
    assert head(torch.randn(5, 6)).shape == (5, 4)


def test_dino_head_paper_defaults() -> None:
    parameters = inspect.signature(DINOProjectionHead.__init__).parameters
    defaults = {key: p.default for key, p in parameters.items() if key != "self"}
    assert defaults == {
        "input_dim": 2048,
        "hidden_dim": 2048,
        "bottleneck_dim": 256,
        "output_dim": 65536,
        "batch_norm": False,
        "norm_last_layer": True,
    }


def test_dino_head_shapes_and_frozen_gain() -> None:
    head = DINOProjectionHead(32, 64, 16, 100)
    out = head(torch.randn(6, 32))
    assert out.shape == (6, 100)
    gain = head.last_layer.parametrizations.weight.original0
    assert not gain.requires_grad and torch.all(gain == 1)
    # Unit gain: every prototype (row of the effective weight) has norm 1.
    norms = head.last_layer.weight.norm(dim=1)
    torch.testing.assert_close(norms, torch.ones(100))


def test_dino_head_gain_trains_without_norm_last_layer() -> None:
    head = DINOProjectionHead(8, 16, 4, 10, norm_last_layer=False)
    assert head.last_layer.parametrizations.weight.original0.requires_grad


def test_dino_head_output_is_linear_in_the_normalised_bottleneck() -> None:
    head = DINOProjectionHead(8, 16, 4, 10)
    x = torch.randn(3, 8)
    bottleneck = torch.nn.functional.normalize(head.mlp(x), dim=-1)
    weight = head.last_layer.parametrizations.weight.original1
    expected = bottleneck @ (weight / weight.norm(dim=1, keepdim=True)).T
    torch.testing.assert_close(head(x), expected)
