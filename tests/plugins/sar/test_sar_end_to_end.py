"""SAR through the core: the demo archive ingested with block-aware splits, SimCLR, MAE
and FG-MAE (HOG targets) pretrained, exported and reloaded, and the multi-label land-cover
probe scored SSL against random init (mAP, micro and macro F1) on held-out blocks."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from plugins.sar.generator import write_demo_archive
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
    modality: sar
    uri: archive
    include: ["SYNTH_*"]
    splits: {fraction: {train: 0.67, test: 0.33}, group_by: block, seed: 0}
"""

PIPELINE = """
name: {name}
catalog: catalog.yaml
output: runs
plugin: sar
data: {{entries: [synth], split: train, window: {{y: 32, x: 32}}, samples_per_epoch: 8,
        batch_size: 4, num_workers: 0}}
views: {{crop_size: [32, 32]}}
backbone: {{name: {backbone}, config: {config}}}
method: {{name: {method}{extra}}}
optimizer: {{lr: 0.001, warmup_steps: 0}}
trainer: {{max_steps: 2, checkpoint_every_n_steps: 2, log_every_n_steps: 1}}
"""

TRANSFORMER = "{embed_dim: 32, depth: 1, num_heads: 2}"
RECIPES = [
    ("simclr", "resnet18", "{widen_factor: 0.25}", ", hidden_dim: 32, output_dim: 16"),
    ("mae", "transformer", TRANSFORMER, ", decoder_dim: 16, decoder_depth: 1"),
    ("mae", "transformer", TRANSFORMER, ", target: hog, decoder_dim: 16, decoder_depth: 1"),
]


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("sar_e2e")
    write_demo_archive(root / "archive", seed=0)
    (root / "catalog.yaml").write_text(CATALOG)
    catalog = load_catalog(root / "catalog.yaml")
    report = ingest_entry(catalog, "synth", Workspace(catalog.resolve_workdir()))
    assert report.counts["ok"] == 36 and not report.quarantined
    return root


def test_neighbouring_patches_share_a_split(study: Path) -> None:
    catalog = load_catalog(study / "catalog.yaml")
    manifest = Workspace(catalog.resolve_workdir()).manifest()
    items = manifest.items(["synth"])
    manifest.close()
    by_block: dict[str, set[str]] = {}
    for item in items:
        by_block.setdefault(item.labels["block"], set()).add(item.split)
    assert all(len(splits) == 1 for splits in by_block.values())
    assert {s for splits in by_block.values() for s in splits} == {"train", "test"}


@pytest.mark.parametrize(
    ("method", "backbone", "config", "extra"), RECIPES,
    ids=["simclr-resnet18", "mae-transformer", "fgmae-transformer"],
)
def test_pretrain_export_reload(study: Path, method, backbone, config, extra) -> None:
    name = f"{method}-{backbone}" + ("-hog" if "hog" in extra else "")
    path = study / f"{name}.yaml"
    path.write_text(PIPELINE.format(name=name, method=method, backbone=backbone, config=config,
                                    extra=extra))
    result = pretrain(load_pipeline(path))
    assert result.steps == 2
    model = load_bundle(export_checkpoint(result.checkpoint))
    weights, _ = split_state(read_checkpoint(result.checkpoint)["state_dict"])
    reloaded = model.backbone.state_dict()
    assert all(torch.equal(reloaded[k], v) for k, v in weights.items())
    patch = next((study / "archive").glob("SYNTH_*"))
    (record,) = read(patch, "sar")
    embedding = model(record.array)
    assert embedding.shape == (model.num_features,) and np.isfinite(embedding).all()
    if "hog" in extra:
        assert json.loads((model.source / "sslsci.json").read_text())["method"]["hparams"][
            "target"] == "hog"


def test_multilabel_probe_reports_ssl_and_random_init(study: Path) -> None:
    path = study / "probe.yaml"
    path.write_text(PIPELINE.format(name="probe", method="simclr", backbone="resnet18",
                                    config="{widen_factor: 0.25}", extra=""))
    bundle = export_checkpoint(pretrain(load_pipeline(path)).checkpoint)
    task = EvalConfig(entry="synth", task="land_cover", k=3, synthetic=True)
    results = evaluate_bundle(bundle, task, catalog_path=study / "catalog.yaml")
    assert results["kind"] == "multilabel"
    assert set(results["classes"]) <= {"water", "forest", "urban", "fields"}
    report = Path(results["report"]).read_text()
    assert "linear mAP" in report and "Labels are synthetic" in report
    for key, row in (("ssl", "| SSL |"), ("random_init", "| random init |")):
        for probe in ("linear", "knn"):
            scores = results[key][probe]
            per_class = list(scores["average_precision"].values())
            assert scores["mean_average_precision"] == pytest.approx(np.mean(per_class))
            assert scores["classes_scored"] == len(per_class) >= 2
        line = next(line for line in report.splitlines() if line.startswith(row))
        assert f"{results[key]['linear']['mean_average_precision']:.3f}" in line
        assert f"{results[key]['knn']['micro_f1']:.3f}" in line
