"""CT backbones: MONAI ResNet-10/18, SwinUNETR's encoder, the core transformer."""

from __future__ import annotations

import pytest
import torch
from monai.networks.nets import SwinUNETR
from torch import nn

from plugins.ct.plugin import plugin

BATCH = torch.randn(2, 1, 32, 32, 32, generator=torch.Generator().manual_seed(0))
SMALL = {
    "resnet10": {"widen_factor": 0.25},
    "resnet18": {"widen_factor": 0.25},
    "swin": {"feature_size": 12, "num_heads": [1, 2, 3, 6]},
    "transformer": {"embed_dim": 48, "depth": 1, "num_heads": 2},
}


def build(name: str, **config) -> nn.Module:
    return plugin.backbones[name](**config)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_forward_features_give_one_vector_per_volume(name: str) -> None:
    model = build(name, **SMALL[name]).eval()
    with torch.no_grad():
        features = model.forward_features(BATCH)
        again = model(BATCH)
    assert features.shape == (2, model.num_features)
    assert torch.isfinite(features).all()
    assert torch.equal(features, again)
    assert model.accepts["in_channels"] == 1 and model.accepts["spatial_dims"] == 3


@pytest.mark.parametrize("name", sorted(SMALL))
def test_config_rebuilds_the_same_architecture(name: str) -> None:
    model = build(name, **SMALL[name])
    rebuilt = build(name, **model.config)
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == {k: tuple(v.shape) for k, v in rebuilt.state_dict().items()}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_stem_is_the_first_convolution_taking_one_channel(name: str) -> None:
    model = build(name, **SMALL[name])
    stem = model.get_submodule(model.stem_name)
    assert isinstance(stem, nn.Conv3d) and stem.in_channels == 1


def test_default_feature_widths() -> None:
    assert build("resnet10").num_features == 512
    assert build("resnet18").num_features == 512
    assert build("swin").num_features == 384


def test_swin_weights_load_into_swinunetr() -> None:
    encoder = build("swin", feature_size=12, num_heads=[1, 2, 3, 6])
    unetr = SwinUNETR(in_channels=1, out_channels=3, feature_size=12, num_heads=(1, 2, 3, 6))
    unetr.swinViT.load_state_dict(encoder.swinViT.state_dict(), strict=True)
    for key, value in encoder.swinViT.state_dict().items():
        assert torch.equal(unetr.swinViT.state_dict()[key], value)


def test_resnet_depth_is_the_backbone_name() -> None:
    ten, eighteen = build("resnet10", widen_factor=0.25), build("resnet18", widen_factor=0.25)
    assert len(ten.model.layer1) == 1 and len(eighteen.model.layer1) == 2


@pytest.mark.parametrize("name", sorted(SMALL))
def test_unknown_config_keys_are_refused_naming_the_accepted_ones(name: str) -> None:
    backbone = plugin.backbones[name]
    assert backbone.parameters() is not None, "config must be checkable (no **kwargs)"
    assert set(build(name, **SMALL[name]).config) <= set(backbone.parameters())
    with pytest.raises(ValueError, match=r"unknown backbone config key\(s\) \['widht'\]; accepted"):
        build(name, widht=2)


def test_resnet_config_names_every_constructor_choice_but_the_depth() -> None:
    model = build("resnet10", widen_factor=0.25, shortcut_type="A")
    assert "depth" not in model.config
    assert model.config["widen_factor"] == 0.25 and model.config["shortcut_type"] == "A"
