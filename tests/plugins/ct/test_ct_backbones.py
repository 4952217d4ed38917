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


UNPOOLED = {  # 32^3 volumes: the ResNets and Swin reduce by 32, the transformer cuts 16^3
    "resnet10": (128, 1, 1, 1),
    "resnet18": (128, 1, 1, 1),
    "swin": (192, 1, 1, 1),
    "transformer": (8, 48),
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_forward_features_unpooled_and_the_head_gives_one_vector_per_volume(name: str) -> None:
    model = build(name, **SMALL[name]).eval()
    with torch.no_grad():
        features = model.forward_features(BATCH)
        pooled = model.forward_head(features)
        again = model(BATCH)
    assert features.shape == (2, *UNPOOLED[name])
    assert model.feature_layout == ("tokens" if name == "transformer" else "channels_first")
    assert pooled.shape == (2, model.num_features) and torch.isfinite(pooled).all()
    assert torch.equal(pooled, again)
    assert model.accepts["in_channels"] == 1 and model.accepts["spatial_dims"] == 3


@pytest.mark.parametrize("name", ["resnet10", "resnet18"])
def test_resnet_map_pools_to_what_monai_resnet_returns(name: str) -> None:
    model = build(name, **SMALL[name]).eval()
    volume = torch.randn(1, 1, 48, 40, 64, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        features = model.forward_features(volume)
        torch.testing.assert_close(model.forward_head(features), model.model(volume))
    assert features.shape == (1, 128, 2, 2, 2)  # ceil(48/32), ceil(40/32), 64/32


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
