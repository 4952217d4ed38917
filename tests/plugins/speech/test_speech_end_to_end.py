"""Speech through the core: ingest a synthetic archive, pretrain, export, reload.

SimCLR and BYOL on the log-mel CNN, MAE on the log-mel transformer and BYOL on the
wav2vec2-style encoder each train a few steps; the bundle reloads to the same weights.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from plugins.speech.generator import write_demo_archive
from plugins.speech.readers import WAV_READER
from sslsci.bundle.load import load_bundle
from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace
from sslsci.train.export import export_checkpoint, read_checkpoint, split_state
from sslsci.train.pipeline import load_pipeline
from sslsci.train.pretrain import pretrain

CATALOG = """
entries:
  - name: words
    modality: speech
    uri: archive
    include: ["*.wav"]
    labels: {regex: '(?P<label>\\d)_(?P<speaker>[a-z0-9]+)_\\d+\\.wav', group_column: speaker}
    splits: {regex: {test: "_ben_"}, default: train}
"""

PIPELINE = """
name: {name}
catalog: catalog.yaml
output: runs
plugin: speech
data: {{entries: [words], split: train, window: {{time: 4000}}, samples_per_epoch: 8,
        batch_size: 4, num_workers: 0}}
views: {{mix_ratio: 0.4}}
backbone: {{name: {backbone}, config: {config}}}
method: {{name: {method}}}
optimizer: {{lr: 0.001, warmup_steps: 0}}
trainer: {{max_steps: 2, checkpoint_every_n_steps: 2, log_every_n_steps: 1}}
"""

RECIPES = [
    ("simclr", "logmel_cnn", "{channels: 8, feature_dim: 32, train_augment: {seed: 1}}"),
    ("byol", "logmel_cnn", "{channels: 8, feature_dim: 32}"),
    ("mae", "transformer", "{embed_dim: 32, depth: 1, num_heads: 2}"),
    (
        "byol",
        "wav2vec2",
        "{conv_layers: [[16, 10, 5], [16, 3, 2], [16, 3, 2], [16, 3, 2], [16, 3, 2], [16, 2, 2],"
        " [16, 2, 2]], embed_dim: 32, num_layers: 1, num_heads: 2, ff_dim: 64}",
    ),
]


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("speech_study")
    write_demo_archive(root / "archive", speakers=2, clips_per_word=2, words=3, seed=0)
    (root / "catalog.yaml").write_text(CATALOG)
    catalog = load_catalog(root / "catalog.yaml")
    report = ingest_entry(catalog, "words", Workspace(catalog.resolve_workdir()))
    assert report.counts["ok"] == 12, report.quarantined
    return root


@pytest.mark.parametrize(("method", "backbone", "config"), RECIPES, ids=lambda v: str(v)[:12])
def test_pretrain_export_reload(study: Path, method: str, backbone: str, config: str) -> None:
    name = f"{method}-{backbone}".replace("_", "-")
    path = study / f"{name}.yaml"
    path.write_text(PIPELINE.format(name=name, backbone=backbone, config=config, method=method))
    result = pretrain(load_pipeline(path))
    assert result.steps == 2
    bundle = export_checkpoint(result.checkpoint)
    model = load_bundle(bundle)
    assert model.spec["name"] == "speech" and model.preprocessing["window"] == {"time": 4000}
    weights, _ = split_state(read_checkpoint(result.checkpoint)["state_dict"])
    reloaded = model.backbone.state_dict()
    assert all(torch.equal(reloaded[k], v) for k, v in weights.items())
    clip = next(iter(WAV_READER.read(str(study / "archive" / "1_ana_0.wav")))).array
    embedding = model.embed(clip)
    assert embedding.shape == (model.num_features,) and np.isfinite(embedding).all()
