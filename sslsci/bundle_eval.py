"""`sslsci evaluate BUNDLE --task ENTRY`: frozen-feature probes of a bundle vs random init."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from sslsci.catalog import load_catalog
from sslsci.data import LabelledWindows, Standardizer
from sslsci.ingest import Workspace
from sslsci.pipeline import EvalConfig
from sslsci.registry import get_plugin


def evaluate_bundle(
    bundle: str | Path,
    task: EvalConfig,
    *,
    catalog_path: str | Path,
    workdir: str | Path | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Probe the bundle's backbone and an identical random-init one on the task's splits.

    Writes report.json / report.md into the bundle and merges the results into
    its sslsci.json and model card. Test files that were in the pretraining data
    are refused as leakage unless ``task.force``.
    """
    from sslsci.bundle import load_bundle, update_bundle_evaluation
    from sslsci.evaluate import check_leakage, evaluate_task, write_report

    bundle = Path(bundle)
    model = load_bundle(bundle)
    meta = model.metadata
    catalog = load_catalog(catalog_path)
    workspace = Workspace(catalog.resolve_workdir(workdir))
    manifest = workspace.manifest()
    train = manifest.items([task.entry], split=task.train_split)
    test = manifest.items([task.entry], split=task.test_split)
    manifest.close()
    if not train or not test:
        raise ValueError(
            f"entry {task.entry!r} has {len(train)} items in split {task.train_split!r} and "
            f"{len(test)} in {task.test_split!r}; both must be ingested and non-empty"
        )
    leaked = check_leakage(test, set(meta["data"].get("source_sha256", [])), task.force)
    classes = sorted({i.label for i in train + test if i.label is not None})
    pre = meta["preprocessing"]
    standardizer = Standardizer(tuple(pre["standardize"]["mean"]), tuple(pre["standardize"]["std"]))
    store = workspace.store()
    sets = [
        LabelledWindows(store, items, pre["window"], standardizer, classes, task.max_tiles)
        for items in (train, test)
    ]
    plugin = get_plugin(meta["plugin"]["name"])
    backbone_meta = meta["backbone"]

    def random_backbone() -> torch.nn.Module:
        torch.manual_seed(seed)
        return plugin.backbones()[backbone_meta["name"]](**backbone_meta["config"])

    results = evaluate_task(model.backbone, random_backbone, sets[0], sets[1], k=task.k, seed=seed)
    results.update(task=task.entry, synthetic=task.synthetic, leakage=leaked)
    write_report(results, bundle, title=f"{meta['name']} on {task.entry}")
    update_bundle_evaluation(bundle, {task.entry: results})
    return results
