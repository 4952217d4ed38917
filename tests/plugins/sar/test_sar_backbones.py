"""SAR backbones: MONAI 2-D ResNet-18/50 sized for the polarisation count, and the core
patch transformer with 8 x 8 patches."""

from __future__ import annotations

import pytest
import torch

from plugins.sar.backbones import BACKBONES
from plugins.sar.resnet import MonaiResNet2d

BATCH = torch.randn(3, 2, 64, 64, generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize(("name", "features"), [("resnet18", 512), ("resnet50", 2048)])
def test_resnet_features_and_stem(name: str, features: int) -> None:
    model = BACKBONES[name]().eval()
    assert model.num_features == features
    with torch.no_grad():
        fmap = model.forward_features(BATCH)
        out = model(BATCH)
        torch.testing.assert_close(out, model.model(BATCH))  # MONAI's own pooled forward
    assert model.feature_layout == "channels_first"
    assert fmap.shape == (3, features, 2, 2)  # 64 pixels / 32
    assert out.shape == (3, features) and torch.isfinite(out).all()
    assert torch.equal(out, model.forward_head(fmap))
    stem = dict(model.named_modules())[model.stem_name]
    assert isinstance(stem, torch.nn.Conv2d) and stem.in_channels == 2
    assert model.accepts["spatial_dims"] == 2 and model.accepts["in_channels"] == 2


def test_resnet_first_layer_follows_the_polarisation_count() -> None:
    model = BACKBONES["resnet18"](in_channels=1, widen_factor=0.25).eval()
    assert dict(model.named_modules())[model.stem_name].in_channels == 1
    with torch.no_grad():
        assert model(BATCH[:, :1]).shape == (3, 128)


def test_resnet_config_rebuilds_the_architecture() -> None:
    model = BACKBONES["resnet50"](widen_factor=0.25)
    rebuilt = MonaiResNet2d(**model.config)
    assert [p.shape for p in model.parameters()] == [p.shape for p in rebuilt.parameters()]


def test_unknown_config_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown backbone config key"):
        BACKBONES["resnet18"](in_chans=2)
    with pytest.raises(ValueError, match="depth=34"):
        MonaiResNet2d(depth=34)


def test_transformer_has_2d_patches_and_the_token_interface() -> None:
    model = BACKBONES["transformer"](embed_dim=32, depth=1, num_heads=2).eval()
    assert model.config["patch_size"] == [8, 8] and model.config["in_channels"] == 2
    with torch.no_grad():
        tokens = model.embed_tokens(BATCH)
        assert tokens.shape[:2] == (3, 64)  # 8 x 8 patches of 8 x 8 pixels
        assert model.forward_features(BATCH).shape == (3, 64, 32)
        assert model(BATCH).shape == (3, 32)
