"""DAS backbones: the core 2-D patch transformer and the PhaseNet-DAS-style CNN encoder."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from plugins.das.backbones import BACKBONES, PATCH_SIZE
from plugins.das.cnn import DasCNN
from plugins.das.tasks import TASKS
from sslsci.bundle.stem import adapt_stem
from sslsci.methods.backbone_requirements import token_interface_problem

SMALL = {
    "transformer": {"embed_dim": 32, "depth": 1, "num_heads": 2},
    "phasenet_das": {"widths": [4, 8, 16]},
}
BATCH = torch.randn(2, 1, 64, 256, generator=torch.Generator().manual_seed(0))


def build(name: str, **config) -> nn.Module:
    return BACKBONES[name](**{**SMALL[name], **config})


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_the_backbone_interface(name: str) -> None:
    model = build(name).eval()
    with torch.no_grad():
        features = model.forward_head(model.forward_features(BATCH))
        again = model(BATCH)
    assert features.shape == (2, model.num_features) and torch.isfinite(features).all()
    assert torch.equal(features, again)
    assert model.accepts["spatial_dims"] == 2 and model.accepts["in_channels"] == 1
    stem = model.get_submodule(model.stem_name)
    assert isinstance(stem, nn.Conv2d) and stem.in_channels == 1


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_config_rebuilds_the_same_model(name: str) -> None:
    model = build(name)
    rebuilt = BACKBONES[name](**model.config)
    rebuilt.load_state_dict(model.state_dict())
    model.eval(), rebuilt.eval()
    with torch.no_grad():
        assert torch.equal(model(BATCH), rebuilt(BATCH))
    assert set(model.config) <= set(BACKBONES[name].parameters())


@pytest.mark.parametrize("name", sorted(BACKBONES))
def test_misspelt_config_keys_are_refused(name: str) -> None:
    with pytest.raises(ValueError, match=r"unknown backbone config key\(s\) \['widht'\]"):
        BACKBONES[name](widht=3)


@pytest.mark.parametrize("shape", [(1, 1), (7, 3), (33, 101), (65, 257), (128, 1000)])
def test_the_cnn_takes_any_window_size(shape: tuple[int, int]) -> None:
    model = build("phasenet_das").eval()
    with torch.no_grad():
        features = model(torch.randn(2, 1, *shape))
    assert features.shape == (2, 32) and torch.isfinite(features).all()


def test_the_cnn_downsamples_distance_by_2_and_time_by_4_per_level() -> None:
    model = DasCNN(widths=[4, 8, 16, 32])
    fmap = model.forward_features(torch.randn(1, 1, 64, 256))
    assert fmap.shape == (1, 32, 64 // 8, 256 // 64)
    odd = model.forward_features(torch.randn(1, 1, 65, 257))  # ceil-mode pooling keeps the edge
    assert odd.shape == (1, 32, 9, 5)


def test_the_cnn_is_the_phasenet_das_encoder_by_default() -> None:
    model = BACKBONES["phasenet_das"]()
    convs = [m for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [8, 8, 16, 16, 32, 32, 64, 64, 128, 128]
    assert all(c.kernel_size == (5, 5) for c in convs)
    assert model.num_features == 256  # mean and max of 128 channels
    pools = [m for m in model.modules() if isinstance(m, nn.MaxPool2d)]
    assert len(pools) == 4 and all(tuple(p.kernel_size) == (2, 4) for p in pools)


def test_cnn_pooling_choices() -> None:
    x = torch.randn(2, 1, 16, 32)
    mean, peak, both = (DasCNN(widths=[4, 8], pooling=p).eval() for p in ("mean", "max", "meanmax"))
    both.load_state_dict(mean.state_dict())
    peak.load_state_dict(mean.state_dict())
    with torch.no_grad():
        fmap = mean.forward_features(x)
        assert torch.allclose(mean(x), fmap.mean(dim=(2, 3)))
        assert torch.allclose(peak(x), fmap.amax(dim=(2, 3)))
        assert torch.allclose(both(x), torch.cat([mean(x), peak(x)], dim=1))


def test_cnn_refuses_bad_configs_and_inputs() -> None:
    for config, match in (
        ({"kernel_size": 4}, "must be odd"),
        ({"pooling": "sum"}, "pooling"),
        ({"pool": [0, 2]}, "positive int"),
        ({"widths": []}, "widths"),
    ):
        with pytest.raises(ValueError, match=match):
            DasCNN(**config)
    with pytest.raises(ValueError, match=r"expects \[batch, 1, distance, time\]"):
        DasCNN(widths=[4])(torch.randn(2, 64, 256))


def test_the_stem_adapts_to_more_input_channels() -> None:
    model = build("phasenet_das")
    adapt_stem(model, model.stem_name, 3)
    model.in_channels = 3
    assert model(torch.randn(2, 3, 16, 32)).shape == (2, 32)


def test_the_transformer_has_2d_patches_and_the_token_interface() -> None:
    model = build("transformer")
    assert model.patch_size == PATCH_SIZE == (8, 16)
    assert token_interface_problem(model, "mae") is None
    assert model.grid_shape((64, 256)) == (8, 16)
    assert model.patchify(BATCH).shape == (2, 128, 8 * 16)
    assert token_interface_problem(build("phasenet_das"), "mae") is not None


def test_tasks_are_the_two_label_columns() -> None:
    assert [(t.name, t.kind, t.label_key) for t in TASKS] == [
        ("event_detection", "classification", "label"),
        ("event_class", "classification", "event_class"),
    ]
