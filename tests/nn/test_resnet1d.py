"""ResNet1D: the backbone interface, shapes and its input checks."""

import json

import pytest
import torch

from sslsci.nn import ResNet1D


def test_output_shape_and_interface() -> None:
    model = ResNet1D(6, widths=(8, 16, 24), blocks_per_stage=1).eval()
    x = torch.randn(4, 6, 50, generator=torch.Generator().manual_seed(0))
    features = model.forward_features(x)
    assert model.feature_layout == "channels_first" and model.feature_dim == 24
    assert features.shape == (4, 24, 13)  # 50 -> 25 -> 13 over two stride-2 stages
    by_hand = model.stages(model.relu(model.stem_norm(model.stem(x))))
    torch.testing.assert_close(features, by_hand)
    assert model.forward_head(features, pre_logits=True).shape == (4, model.num_features)
    torch.testing.assert_close(model(x), by_hand.mean(dim=-1))
    assert model.accepts["spatial_dims"] == 1 and model.accepts["in_channels"] == 6
    stem = model.get_submodule(model.stem_name)
    assert isinstance(stem, torch.nn.Conv1d) and stem.in_channels == 6


def test_config_rebuilds_the_same_architecture() -> None:
    model = ResNet1D(3, widths=(8, 16), blocks_per_stage=2, kernel_size=3, stem_kernel=5)
    config = json.loads(json.dumps(model.config))
    clone = ResNet1D(**config)
    assert {k: v.shape for k, v in clone.state_dict().items()} == {
        k: v.shape for k, v in model.state_dict().items()
    }


def test_downsamples_between_stages() -> None:
    model = ResNet1D(2, widths=(4, 8, 16), blocks_per_stage=1)
    x = torch.randn(2, 2, 64)
    out = model.stages(model.stem(x))
    assert out.shape == (2, 16, 16)  # 64 -> 32 -> 16 over two stride-2 stages


def test_variable_lengths_are_accepted() -> None:
    model = ResNet1D(2, widths=(4, 8), blocks_per_stage=1).eval()
    assert model(torch.randn(2, 2, 33)).shape == model(torch.randn(2, 2, 100)).shape == (2, 8)


@pytest.mark.parametrize(
    ("shape", "message"),
    [
        ((2, 5, 40), r"expects \[batch, 6, time\], got shape \(2, 5, 40\)"),
        ((2, 6, 8, 8), "got shape"),
        ((2, 6, 2), "at least 4 time samples"),
    ],
)
def test_bad_inputs_are_named(shape, message) -> None:
    model = ResNet1D(6, widths=(4, 8, 16), blocks_per_stage=1)
    with pytest.raises(ValueError, match=message):
        model(torch.randn(*shape))


def test_even_kernel_is_refused() -> None:
    with pytest.raises(ValueError, match="odd"):
        ResNet1D(6, kernel_size=4)
