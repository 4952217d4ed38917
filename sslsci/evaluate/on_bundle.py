"""`sslsci evaluate BUNDLE --task ENTRY`: frozen-feature probes of a bundle vs random init."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from sslsci.catalog import load_catalog
from sslsci.data import LabelledWindows, Standardizer, item_target, split_labels
from sslsci.evaluate.task_windows import TaskWindows, collect_task_windows, plugin_task
from sslsci.plugins.contract import TaskSpec
from sslsci.plugins.discovery import get_plugin
from sslsci.store import ItemRow, Workspace
from sslsci.train.pipeline import EvalConfig


def evaluate_bundle(
    bundle: str | Path,
    task: EvalConfig,
    *,
    catalog_path: str | Path,
    workdir: str | Path | None = None,
    seed: int = 0,
    only: tuple[set[str], set[str]] | None = None,
) -> dict[str, Any]:
    """Probe the bundle's backbone and an identical random-init one on the task's splits.

    ``only`` (train, test store keys) keeps each split to the items an earlier evaluation
    used, so a continual release is scored on the same splits as its parent.

    ``task.task`` names a plugin task; one with ``plugin_windows`` is probed on the
    labelled windows the plugin cuts from each item (e.g. CT organ patches). Writes
    report.json / report.md into the bundle (a plugin task's under reports/) and merges
    the results into its sslsci.json and model card under ``task.key``. Test files that
    were in the pretraining data are refused as leakage unless ``task.force``.
    """
    from sslsci.bundle import update_bundle_evaluation
    from sslsci.evaluate import evaluate_task, write_report

    prepared = prepare_task(
        bundle, task, catalog_path=catalog_path, workdir=workdir, seed=seed, only=only
    )
    model, meta, spec, sets, leaked = (
        prepared.model,
        prepared.meta,
        prepared.spec,
        prepared.sets,
        prepared.leaked,
    )
    pre = meta["preprocessing"]

    def random_backbone() -> torch.nn.Module:
        torch.manual_seed(seed)
        return prepared.build_backbone()

    results = evaluate_task(model.backbone, random_backbone, sets[0], sets[1], k=task.k, seed=seed)
    results.update(task=task.key, synthetic=task.synthetic, leakage=leaked)
    if not (spec is not None and spec.plugin_windows):
        results["embedding"] = pre["embedding"]
    folder = report_folder(bundle, task)
    write_report(results, folder, title=f"{meta['name']} on {task.key}")
    update_bundle_evaluation(bundle, {task.key: results})
    return {**results, "report": str(folder / "report.md")}


@dataclass
class PreparedTask:
    """A bundle's backbone and a task's train/test sets, checked for leakage."""

    model: Any
    meta: dict[str, Any]
    plugin: Any
    spec: TaskSpec | None
    kind: str  # the plugin task's, else the pipeline's for catalog labels
    sets: list[Any]
    train_items: list[ItemRow]
    test_items: list[ItemRow]
    leaked: list[str]

    def build_backbone(self) -> torch.nn.Module:
        """An untrained backbone of the bundle's architecture (seed the RNG first)."""
        backbone = self.meta["backbone"]
        return self.plugin.backbones[backbone["name"]](**backbone["config"])

    def train_groups(self) -> list[str] | None:
        """One group per train sample (the catalog's group key), or None for plugin windows."""
        if self.spec is not None and self.spec.plugin_windows:
            return None
        return [item.group_key or item.uri for item in self.train_items]


def prepare_task(
    bundle: str | Path,
    task: EvalConfig,
    *,
    catalog_path: str | Path,
    workdir: str | Path | None = None,
    seed: int = 0,
    only: tuple[set[str], set[str]] | None = None,
) -> PreparedTask:
    """Load the bundle, list the task's splits, refuse leakage, and build the two sets."""
    from sslsci.bundle import load_bundle
    from sslsci.evaluate import check_leakage

    model = load_bundle(Path(bundle))
    meta = model.metadata
    catalog = load_catalog(catalog_path)
    workspace = catalog.workspace(workdir)
    manifest = workspace.snapshot()
    train = manifest.items([task.entry], split=task.train_split)
    test = manifest.items([task.entry], split=task.test_split)
    manifest.close()
    if only is not None:
        train = [item for item in train if item.store_key in only[0]]
        test = [item for item in test if item.store_key in only[1]]
    if not train or not test:
        raise ValueError(
            f"entry {task.entry!r} has {len(train)} items in split {task.train_split!r} and "
            f"{len(test)} in {task.test_split!r}; both must be ingested and non-empty"
        )
    leaked = check_leakage(test, set(meta["data"].get("source_sha256", [])), task.force)
    pre = meta["preprocessing"]
    standardizer = Standardizer(tuple(pre["standardize"]["mean"]), tuple(pre["standardize"]["std"]))
    plugin = get_plugin(meta["plugin"]["name"])
    spec = plugin_task(plugin, task.task) if task.task is not None else None
    if spec is not None and spec.plugin_windows:
        entry = catalog.entry(task.entry)
        context = {
            "root": catalog.resolve_uri(entry),
            "window": pre["window"],
            "options": plugin.option_values(entry.options),
            "per_item": task.max_tiles,
        }
        sets = _plugin_window_sets(
            plugin, spec.name, (train, test), workspace, standardizer, seed, context
        )
    else:
        sets = item_sets(meta, (train, test), workspace, spec, kind=task.kind)
    kind = spec.kind if spec is not None else task.kind
    return PreparedTask(model, meta, plugin, spec, kind, sets, train, test, leaked)


def report_folder(bundle: str | Path, task: EvalConfig) -> Path:
    """The bundle for an entry's own labels; reports/<entry>-<task> for a plugin task, so
    its report sits beside the entry's rather than over it."""
    if task.task is None:
        return Path(bundle)
    return Path(bundle) / "reports" / task.key.replace(":", "-")


def item_sets(
    meta: dict[str, Any],
    splits: tuple[list, list],
    workspace: Workspace,
    spec: TaskSpec | None = None,
    *,
    kind: str | None = None,
) -> list[LabelledWindows]:
    """One sample per item, tiled as the bundle's ``preprocessing`` records (window,
    standardisation, embedding settings: what ``model(array)`` does), labelled by the
    catalog or, for a plugin task, by the item label its ``label_key`` names (multi-hot
    for ``multilabel``)."""
    pre = meta["preprocessing"]
    standardizer = Standardizer(tuple(pre["standardize"]["mean"]), tuple(pre["standardize"]["std"]))
    window, max_tiles = pre["window"], pre["embedding"]["max_tiles"]
    label_key = spec.label_key if spec is not None else None
    kind = spec.kind if spec is not None else (kind or "classification")
    multilabel, regression = kind == "multilabel", kind == "regression"
    targets = [item_target(i, label_key) for items in splits for i in items]
    if regression:
        classes = []
    elif multilabel:
        classes = sorted({c for t in targets if t is not None for c in split_labels(t)})
    else:
        classes = sorted({t for t in targets if t is not None})
    store = workspace.store()
    return [
        LabelledWindows(
            store,
            items,
            window,
            standardizer,
            classes,
            max_tiles,
            label_key=label_key,
            multilabel=multilabel,
            regression=regression,
        )
        for items in splits
    ]


def _plugin_window_sets(
    plugin: Any,
    task: str,
    splits: tuple[list, list],
    workspace: Workspace,
    standardizer: Standardizer,
    seed: int,
    context: dict[str, Any],
) -> list[TaskWindows]:
    """Windows the plugin cuts per item (train and test draw from different seeds)."""
    store = workspace.store()
    samples = [
        collect_task_windows(plugin, task, items, store, seed=seed + 7919 * k, **context)
        for k, items in enumerate(splits)
    ]
    classes = sorted({label for split in samples for _, label in split})
    return [TaskWindows(split, standardizer, classes) for split in samples]
