"""DAS through the core: the synthetic archive (real DASDAE files) ingested, SimCLR on the
PhaseNet-DAS encoder, MAE and MAE with the masked-channel objective on the transformer
pretrained, exported and reloaded, and event detection probed SSL against random init."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from plugins.das.generator import write_demo_archive
from sslsci.bundle.load import load_bundle
from sslsci.catalog import load_catalog
from sslsci.evaluate.on_bundle import evaluate_bundle
from sslsci.ingest import ingest_entry
from sslsci.plugins.reading import read
from sslsci.store import Workspace
from sslsci.train.export import export_checkpoint, read_checkpoint, split_state
from sslsci.train.pipeline import EvalConfig, load_pipeline
from sslsci.train.pretrain import pretrain

CATALOG = """
entries:
  - name: synth
    modality: das
    uri: archive
    include: ["*.h5"]
    labels: {sidecar: labels.csv}
    splits: {fraction: {train: 0.5, test: 0.5}, seed: 0}
"""

PIPELINE = """
name: {name}
catalog: catalog.yaml
output: runs
plugin: das
data: {{entries: [synth], split: train, window: {{distance: 32, time: 128}},
        samples_per_epoch: 8, batch_size: 4, num_workers: 0}}
views: {{crop_size: [32, 128]}}
backbone: {{name: {backbone}, config: {config}}}
method: {{name: {method}{extra}}}
optimizer: {{lr: 0.001, warmup_steps: 0}}
trainer: {{max_steps: 2, checkpoint_every_n_steps: 2, log_every_n_steps: 1}}
"""

CNN = "{widths: [4, 8, 16]}"
TRANSFORMER = "{embed_dim: 32, depth: 1, num_heads: 2}"
RECIPES = [
    ("simclr", "phasenet_das", CNN, ", hidden_dim: 32, output_dim: 16"),
    ("mae", "transformer", TRANSFORMER, ", decoder_dim: 16, decoder_depth: 1"),
    ("mae", "transformer", TRANSFORMER, ", mask_unit: line, decoder_dim: 16, decoder_depth: 1"),
]


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("das_e2e")
    write_demo_archive(root / "archive", seed=0, files=16)
    (root / "catalog.yaml").write_text(CATALOG)
    catalog = load_catalog(root / "catalog.yaml")
    report = ingest_entry(catalog, "synth", Workspace(catalog.resolve_workdir()))
    assert report.counts["ok"] == 16 and not report.quarantined
    return root


@pytest.mark.parametrize(
    ("method", "backbone", "config", "extra"), RECIPES,
    ids=["simclr-phasenet_das", "mae-transformer", "mae-masked-channels"],
)
def test_pretrain_export_reload(study: Path, method, backbone, config, extra) -> None:
    name = f"{method}-{backbone}" + ("-line" if "line" in extra else "")
    path = study / f"{name}.yaml"
    path.write_text(PIPELINE.format(name=name, method=method, backbone=backbone, config=config,
                                    extra=extra))
    result = pretrain(load_pipeline(path))
    assert result.steps == 2
    model = load_bundle(export_checkpoint(result.checkpoint))
    weights, _ = split_state(read_checkpoint(result.checkpoint)["state_dict"])
    reloaded = model.backbone.state_dict()
    assert all(torch.equal(reloaded[k], v) for k, v in weights.items())
    (record,) = read(study / "archive" / "das_000.h5", "das")
    embedding = model(record.array)
    assert embedding.shape == (model.num_features,) and np.isfinite(embedding).all()
    if "line" in extra:
        assert model.metadata["method"]["hparams"]["mask_unit"] == "line"


def test_event_detection_probe_reports_ssl_and_random_init(study: Path) -> None:
    path = study / "probe.yaml"
    path.write_text(PIPELINE.format(name="probe", method="simclr", backbone="phasenet_das",
                                    config=CNN, extra=""))
    bundle = export_checkpoint(pretrain(load_pipeline(path)).checkpoint)
    task = EvalConfig(entry="synth", task="event_detection", k=3, synthetic=True)
    results = evaluate_bundle(bundle, task, catalog_path=study / "catalog.yaml")
    assert results["classes"] == ["event", "noise"]
    assert results["n_train"] + results["n_test"] == 16
    report = Path(results["report"]).read_text()
    assert "Labels are synthetic" in report
    for key, row in (("ssl", "| SSL |"), ("random_init", "| random init |")):
        line = next(line for line in report.splitlines() if line.startswith(row))
        assert f"{results[key]['linear']['accuracy']:.3f}" in line
        matrix = np.asarray(results[key]["linear"]["confusion_matrix"])
        assert matrix.sum() == results["n_test"]
        assert results[key]["linear"]["accuracy"] == pytest.approx(np.trace(matrix) / matrix.sum())
