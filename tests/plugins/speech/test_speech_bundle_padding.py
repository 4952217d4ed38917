"""A released speech model embeds a clip shorter than its window as the clip alone.

``embed`` zero-pads a short clip to the window; backbones that take ``lengths=`` must be
told where the clip ends, or the padding is embedded as silence. ``features`` gives the
clip's unpooled frames, whose ``forward_head`` is the same embedding.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from plugins.speech.backbones import BACKBONES
from sslsci.bundle import load_bundle, write_bundle

WINDOW = 16000
SMALL = {
    "logmel_cnn": {"channels": 8, "feature_dim": 32},
    "wav2vec2": {"embed_dim": 32, "num_layers": 1, "num_heads": 2, "ff_dim": 64},
}


@pytest.mark.parametrize("name", sorted(SMALL))
def test_padded_short_clip_embeds_like_the_clip_alone(tmp_path, name):
    torch.manual_seed(0)
    backbone = BACKBONES[name](**SMALL[name]).eval()
    folder = write_bundle(
        tmp_path / "bundle",
        backbone=backbone,
        name=f"speech-{name}-test",
        plugin_name="speech",
        backbone_name=name,
        backbone_config=dict(SMALL[name]),
        preprocessing={"normalize": {}, "standardize": None, "window": {"time": WINDOW}},
        input_contract={},
        method={"name": "byol", "hparams": {}},
        training={"max_steps": 1},
        data={"manifest_sha256": "ab" * 32, "rows": 1},
    )
    model = load_bundle(folder)
    clip = (0.1 * np.random.default_rng(0).standard_normal((1, 7000))).astype(np.float32)
    with torch.no_grad():
        expected = backbone(torch.from_numpy(clip)[None])[0].numpy()
        frames = model.features(clip)
        pooled = backbone.forward_head(torch.from_numpy(frames)[None])[0].numpy()
    np.testing.assert_allclose(model.embed(clip), expected, rtol=1e-4, atol=1e-5)
    assert model.feature_layout == "tokens" and frames.shape[1] == backbone.feature_dim
    np.testing.assert_allclose(pooled, expected, rtol=1e-4, atol=1e-5)
