"""CT organ patches through the core evaluation path: a bundle probed on plugin-cut windows.

The phantom archive is kept at its source spacing (``target_spacing: null``), so the
stored grid is the segmentation's own grid and the expected windows per item can be
counted from the label files with nibabel alone, independent of the plugin.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from plugins.ct.phantom import write_phantom_archive
from sslsci.catalog import load_catalog
from sslsci.evaluate.on_bundle import evaluate_bundle, report_folder
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace
from sslsci.train.export import export_checkpoint
from sslsci.train.pipeline import EvalConfig, load_pipeline
from sslsci.train.pretrain import pretrain

CATALOG = """
entries:
  - name: phantoms
    modality: ct
    uri: archive
    include: ["series/*"]
    options: {target_spacing: null, expect_single_series: true}
    labels: {sidecar: labels.csv, group_column: subject}
    splits: {fraction: {train: 0.5, test: 0.5}, group_by: subject, seed: 0}
"""
PIPELINE = """
name: organ-probe
catalog: catalog.yaml
output: runs
plugin: ct
data: {entries: [phantoms], split: train, window: {x: 8, y: 8, z: 8}, samples_per_epoch: 4,
       batch_size: 2, num_workers: 0}
views: {crop_size: 8}
backbone: {name: resnet10, config: {widen_factor: 0.125}}
method: {name: simclr}
optimizer: {lr: 0.001, warmup_steps: 0}
trainer: {max_steps: 1, checkpoint_every_n_steps: 1, log_every_n_steps: 1}
"""
PER_ITEM = 3


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("ct_eval")
    write_phantom_archive(root / "archive", n=4, size=(24, 20, 12), seed=3)
    (root / "catalog.yaml").write_text(CATALOG)
    (root / "pipeline.yaml").write_text(PIPELINE)
    catalog = load_catalog(root / "catalog.yaml")
    report = ingest_entry(catalog, "phantoms", Workspace(catalog.resolve_workdir()))
    assert report.counts["ok"] == 4, report.quarantined
    result = pretrain(load_pipeline(root / "pipeline.yaml"))
    return root, export_checkpoint(result.checkpoint)


def expected_windows(root: Path, split: str) -> tuple[int, set[str]]:
    """min(PER_ITEM, voxels of the class) per class per item of the split, from nibabel."""
    workspace = Workspace(load_catalog(root / "catalog.yaml").resolve_workdir())
    manifest = workspace.manifest()
    uris = {Path(i.uri).name for i in manifest.items(["phantoms"], split=split)}
    manifest.close()
    with (root / "archive" / "labels.csv").open() as handle:
        rows = [r for r in csv.DictReader(handle) if Path(r["file"]).name in uris]
    count, classes = 0, set()
    for row in rows:
        grid = np.asarray(nib.load(root / "archive" / row["segmentation"]).dataobj)
        ids, voxels = np.unique(grid[grid > 0], return_counts=True)
        count += int(np.minimum(voxels, PER_ITEM).sum())
        classes |= {str(int(i)) for i in ids}
    return count, classes


def test_organ_patch_probes_ssl_and_random_init_on_plugin_windows(bundle) -> None:
    root, path = bundle
    task = EvalConfig(entry="phantoms", task="organ_patch", k=3, max_tiles=PER_ITEM)
    results = evaluate_bundle(path, task, catalog_path=root / "catalog.yaml")
    train_count, train_classes = expected_windows(root, "train")
    test_count, test_classes = expected_windows(root, "test")
    assert (results["n_train"], results["n_test"]) == (train_count, test_count)
    assert set(results["classes"]) == train_classes | test_classes
    for backbone in ("ssl", "random_init"):
        assert results[backbone]["linear"]["n_train"] == train_count
        assert 0.0 <= results[backbone]["knn"]["accuracy"] <= 1.0
    assert results["task"] == "phantoms:organ_patch"
    folder = report_folder(path, task)
    assert folder == path / "reports" / "phantoms-organ_patch"
    assert json.loads((folder / "report.json").read_text())["n_test"] == test_count
    evaluation = json.loads((path / "sslsci.json").read_text())["evaluation"]
    assert evaluation["phantoms:organ_patch"]["n_train"] == train_count


def test_unknown_task_names_the_plugin_tasks(bundle) -> None:
    root, path = bundle
    task = EvalConfig(entry="phantoms", task="tumour")
    with pytest.raises(ValueError, match=r"'tumour' is not a ct task; choose one of \["):
        evaluate_bundle(path, task, catalog_path=root / "catalog.yaml")


def test_a_missing_segmentation_file_is_named(bundle, tmp_path) -> None:
    root, path = bundle
    moved = root / "archive" / "segmentations"
    moved.rename(tmp_path / "segmentations")
    try:
        task = EvalConfig(entry="phantoms", task="organ_patch")
        with pytest.raises(ValueError, match=r"segmentation .*case_00\d\.nii\.gz .* does not"):
            evaluate_bundle(path, task, catalog_path=root / "catalog.yaml")
    finally:
        (tmp_path / "segmentations").rename(moved)
