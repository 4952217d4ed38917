"""A loaded bundle gives the backbone's unpooled features in the layout it declares
(``sslsci.nn.protocol``), their ``forward_head`` is the embedding ``model(array)`` gives,
and bundles written before the protocol still load and embed exactly as they did."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

from sslsci.bundle import BundleError, load_bundle, read_metadata, write_bundle
from sslsci.plugins.discovery import get_plugin

from .conftest import MEAN, STD, WINDOW, bundle_kwargs

OLD = Path(__file__).parent / "data" / "pre_protocol"
TRANSFORMER = {"in_channels": 6, "patch_size": [10], "embed_dim": 16, "depth": 1, "num_heads": 2}


def standardised(values: np.ndarray) -> torch.Tensor:
    scaled = (values - np.array(MEAN)[:, None]) / np.array(STD)[:, None]
    return torch.from_numpy(scaled.astype(np.float32))


def test_resnet_bundle_gives_its_time_map_and_pools_it_to_the_embedding(bundle, backbone):
    model = load_bundle(bundle)
    item = np.random.default_rng(5).standard_normal((6, WINDOW))
    dense = model.features(item)
    assert model.feature_layout == "channels_first" and model.feature_dim == 16
    assert dense.shape == (16, WINDOW // 2)  # [feature_dim, time]: one stride-2 stage
    with torch.no_grad():
        by_hand = backbone.stages(
            backbone.relu(backbone.stem_norm(backbone.stem(standardised(item)[None])))
        )
        pooled = backbone.forward_head(torch.from_numpy(dense)[None])[0].numpy()
    np.testing.assert_allclose(dense, by_hand[0].numpy(), rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(pooled, model(item), rtol=1e-5, atol=1e-6)


def test_transformer_bundle_gives_tokens_of_the_whole_item(tmp_path):
    torch.manual_seed(0)
    backbone = get_plugin("wearables").backbones["transformer"](**TRANSFORMER).eval()
    kwargs = bundle_kwargs(backbone_name="transformer", backbone_config=TRANSFORMER)
    model = load_bundle(write_bundle(tmp_path / "b", backbone=backbone, **kwargs))
    batch = np.random.default_rng(6).standard_normal((3, 6, 2 * WINDOW))
    dense = model.features(batch)
    assert model.feature_layout == "tokens"
    assert dense.shape == (3, 2 * WINDOW // 10, 16)  # [batch, tokens, feature_dim], not tiled
    with torch.no_grad():
        tokens = backbone.encode_tokens(
            backbone.embed_tokens(torch.stack([standardised(v) for v in batch]))
        )
    np.testing.assert_allclose(dense, tokens.numpy(), rtol=1e-5, atol=1e-5)
    one_window = batch[:, :, :WINDOW]
    with torch.no_grad():
        pooled = backbone.forward_head(torch.from_numpy(model.features(one_window))).numpy()
    np.testing.assert_allclose(pooled, model(one_window), rtol=1e-5, atol=1e-6)


def test_the_layout_is_recorded_and_a_disagreeing_record_is_refused(bundle, tmp_path):
    meta = read_metadata(bundle)
    assert (meta.backbone.feature_layout, meta.backbone.feature_dim) == ("channels_first", 16)
    altered = tmp_path / "altered"
    shutil.copytree(bundle, altered)
    path = altered / "sslsci.json"
    document = json.loads(path.read_text())
    document["backbone"]["feature_layout"] = "tokens"
    path.write_text(json.dumps(document))
    with pytest.raises(
        BundleError, match=r"feature_layout='channels_first', the metadata records 'tokens'"
    ):
        load_bundle(altered)


def test_a_backbone_outside_the_protocol_is_not_exported(tmp_path, backbone):
    del backbone.feature_layout
    with pytest.raises(BundleError, match=r"ResNet1D lacks feature_layout"):
        write_bundle(tmp_path / "b", backbone=backbone, **bundle_kwargs())


@pytest.mark.parametrize("name", ["resnet1d", "transformer"])
def test_a_bundle_written_before_the_protocol_loads_and_embeds_as_it_did(name):
    assert "feature_layout" not in json.loads((OLD / name / "sslsci.json").read_text())["backbone"]
    model = load_bundle(OLD / name)
    values = np.load(OLD / "input.npy")
    np.testing.assert_allclose(
        model(values), np.load(OLD / f"{name}_embedding.npy"), rtol=1e-5, atol=1e-6
    )
    assert model.feature_layout == ("tokens" if name == "transformer" else "channels_first")
    assert model.features(values).shape == ((15, 16) if name == "transformer" else (16, 75))
