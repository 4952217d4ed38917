"""One continual round as library steps the Prefect flow calls as tasks: plan (what is new
since the latest release, what to replay), train (warm start, resumable), evaluate (on the
splits frozen at the first round), and finish (gate, then publish or keep the refusal)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sslsci.bundle.atomic import write_text_atomic
from sslsci.catalog import load_catalog
from sslsci.continual.config import ContinualConfig
from sslsci.continual.diff import data_added, hours_of, manifest_diff
from sslsci.continual.gate import GateDecision, decide, task_checks
from sslsci.continual.release import history_rows, lineage, next_version, released_scores
from sslsci.continual.replay import select_replay
from sslsci.continual.state import RoundPlan
from sslsci.store import ItemRow, Workspace
from sslsci.train.pipeline import Pipeline, PipelineError
from sslsci.weights.index import ModelEntry, RegistryIndex
from sslsci.weights.names import latest_version

SPLITS_FILE = "eval_splits.json"


@dataclass(frozen=True)
class Context:
    """Where a pipeline's round reads and writes."""

    pipeline: Pipeline
    catalog_path: Path
    workspace: Workspace
    home: Path  # <output>/<pipeline>/continual

    @property
    def config(self) -> ContinualConfig:
        return self.pipeline.continual

    @classmethod
    def of(cls, pipeline: Pipeline, catalog_path=None, workdir=None, output=None) -> Context:
        if pipeline.continual is None:
            raise PipelineError(
                f"{pipeline.path}: pipeline {pipeline.name!r} has no 'continual' section; add "
                "one (registry, model, steps, ...) to train it continually"
            )
        path = pipeline.catalog_path(catalog_path)
        catalog = load_catalog(path)
        workspace = catalog.workspace(workdir or pipeline.workdir)
        return cls(pipeline, path, workspace, pipeline.output_dir(output) / "continual")


def registry_model(config: ContinualConfig) -> ModelEntry | None:
    """The model's entry in its registry's index (``None`` before its first release)."""
    from sslsci.weights.discover import fetch_index
    from sslsci.weights.locations import local_dir, registry_urls
    from sslsci.weights.publish import read_local_index
    from sslsci.weights.transfer import RetryPolicy

    folder = local_dir(config.registry)
    index: RegistryIndex
    if folder is not None:
        index = read_local_index(folder)
    else:
        index, _ = fetch_index(registry_urls(config.registry), RetryPolicy())
    model = index.models.get(config.model)
    return model if model is not None and model.versions else None


def parent_release(
    config: ContinualConfig, model: ModelEntry | None
) -> tuple[str | None, Path | None]:
    """The latest released version and its bundle folder (pulled, sha256-checked)."""
    from sslsci.weights.pull import pull

    parent = latest_version(model.versions) if model else None
    if parent is None:
        return None, None
    return parent, pull(f"{config.model}@{parent}", registry=config.registry, progress=False)


def seen_sources(bundle: Path | None) -> list[str]:
    """Source hashes the parent's lineage trained on (recorded in its bundle)."""
    if bundle is None:
        return []
    from sslsci.bundle.schema import read_metadata

    return list((read_metadata(bundle).data.model_extra or {}).get("source_sha256", []))


def item_key(item: ItemRow) -> tuple[str, str, str]:
    return (item.entry, item.uri, item.item)


def round_id(parent: str | None, items: list[ItemRow], steps: int) -> str:
    """Same parent, same selection, same steps: the same round (so a restart resumes it)."""
    digest = hashlib.sha256(f"{parent}\n{steps}\n".encode())
    for item in items:
        digest.update(f"{item.entry}\t{item.uri}\t{item.item}\t{item.sha256}\n".encode())
    return digest.hexdigest()[:16]


def training_pool(ctx: Context) -> list[ItemRow]:
    manifest = ctx.workspace.snapshot()
    try:
        return manifest.items(ctx.pipeline.data.entries, split=ctx.pipeline.data.split)
    finally:
        manifest.close()


def _relative(ctx: Context):
    catalog = load_catalog(ctx.catalog_path)
    roots = {e.name: catalog.resolve_uri(e).rstrip("/") + "/" for e in catalog.entries}

    def relative(item: ItemRow) -> str:
        return item.uri.removeprefix(roots.get(item.entry, ""))

    return relative


def _new_hours(ctx: Context, items: list[ItemRow]) -> float | None:
    from sslsci.plugins.discovery import get_plugin

    spec = get_plugin(ctx.pipeline.plugin).spec
    dim = spec.window_dims[0] if spec.window_dims else ""
    return hours_of(items, dim, spec.sampling.get(dim))


def plan_round(ctx: Context) -> tuple[RoundPlan | None, str]:
    """The round to run now, or ``None`` and why not (too little new data, already tried)."""
    config = ctx.config
    parent, bundle = parent_release(config, registry_model(config))
    seen = seen_sources(bundle)
    diff = manifest_diff(seen, training_pool(ctx))
    hours = _new_hours(ctx, diff.new)
    since = f"version {parent}" if parent else "nothing (no release yet)"
    if len(diff.new) < config.min_new_items:
        return None, (
            f"{len(diff.new)} new training items since {since}; continual.min_new_items is "
            f"{config.min_new_items}"
        )
    if config.min_new_hours is not None and (hours is None or hours < config.min_new_hours):
        return None, (
            f"{hours if hours is not None else 'unknown'} new hours since {since}; "
            f"continual.min_new_hours is {config.min_new_hours}"
        )
    replay = select_replay(diff.new, diff.old, config.replay, ctx.pipeline.seed)
    chosen = diff.new + replay
    rid = round_id(parent, chosen, config.steps)
    folder = ctx.home / "rounds" / rid
    if (folder / "round.json").is_file():
        plan = RoundPlan.load(folder)
        if plan.status in ("released", "refused"):
            return None, f"round {rid} on this data was already {plan.status}: {plan.reason}"
        return plan, f"resuming round {rid} ({plan.status})"
    added = data_added(diff, _relative(ctx), hours, len(replay))
    plan = RoundPlan(
        round_id=rid,
        folder=str(folder),
        parent=parent,
        parent_bundle=str(bundle) if bundle else None,
        items=[item_key(i) for i in chosen],
        seen_sha256=seen,
        added=added.model_dump(mode="json"),
    )
    plan.save("planned")
    return plan, f"round {rid}: {len(diff.new)} new + {len(replay)} replayed items"


def round_pipeline(ctx: Context) -> Pipeline:
    """The pipeline with the round's step count (checkpoints record it, so export agrees)."""
    trainer = ctx.pipeline.trainer.model_copy(update={"max_steps": ctx.config.steps})
    pipeline = ctx.pipeline.model_copy(update={"trainer": trainer})
    pipeline.path = ctx.pipeline.path
    return pipeline


def resumable_step(run: Path) -> int | None:
    """The step a round killed mid-training resumes from, or None when it has no
    checkpoint. A kill can land after Lightning wrote ``stepN.ckpt`` but before
    ``last.ckpt``: any checkpoint counts, and the newest readable one is chosen."""
    from sslsci.train.pretrain import read_checkpoint_file
    from sslsci.train.run_folder import resume_checkpoint

    if not any((run / "checkpoints").glob("*.ckpt")):
        return None
    _, checkpoint = resume_checkpoint(
        run, lambda p: read_checkpoint_file(p, "resume from", "Delete the round folder.", mmap=True)
    )
    return int(checkpoint.get("global_step", 0))


def train_round(ctx: Context, plan: RoundPlan) -> Path:
    """Train the round's selection; a round with a checkpoint resumes from it."""
    from sslsci.train.pretrain import WarmStart, pretrain

    by_key = {item_key(i): i for i in training_pool(ctx)}
    missing = [key for key in plan.items if key not in by_key]
    if missing:
        raise ValueError(
            f"round {plan.round_id}: {len(missing)} planned items left the store (first: "
            f"{missing[0][1]}); delete {plan.folder} so the next trigger plans afresh"
        )
    step = resumable_step(plan.path)
    resume = step is not None
    if resume:
        plan.resumed_from_step = step
    plan.save("training")
    warm = WarmStart(
        items=[by_key[key] for key in plan.items],
        run_dir=plan.path,
        bundle=Path(plan.parent_bundle) if plan.parent_bundle else None,
        seen_sha256=tuple(plan.seen_sha256),
    )
    result = pretrain(
        round_pipeline(ctx),
        catalog_path=ctx.catalog_path,
        workdir=ctx.workspace.root,
        resume=resume,
        warm=warm,
    )
    plan.save("trained")
    return result.checkpoint


def frozen_splits(ctx: Context) -> tuple[dict[str, dict[str, list[str]]], str]:
    """Each task's train/test store keys, fixed at the first round so every version is
    scored on the same items; and the file's sha256 (recorded in each release)."""
    path = ctx.home / SPLITS_FILE
    splits = json.loads(path.read_text()) if path.is_file() else {}
    manifest = ctx.workspace.snapshot()
    try:
        for task in ctx.pipeline.evaluate:
            if task.key not in splits:
                splits[task.key] = {
                    role: [i.store_key for i in manifest.items([task.entry], split=name)]
                    for role, name in (("train", task.train_split), ("test", task.test_split))
                }
    finally:
        manifest.close()
    text = json.dumps(splits, indent=1, sort_keys=True) + "\n"
    if not path.is_file() or path.read_text() != text:
        write_text_atomic(path, text)
    return splits, hashlib.sha256(text.encode()).hexdigest()


def evaluate_round(ctx: Context, bundle: Path) -> dict[str, dict[str, Any]]:
    """Every evaluate task of the pipeline, on the frozen splits: task key -> results."""
    from sslsci.evaluate.on_bundle import evaluate_bundle

    splits, _ = frozen_splits(ctx)
    return {
        task.key: evaluate_bundle(
            bundle,
            task,
            catalog_path=ctx.catalog_path,
            workdir=ctx.workspace.root,
            seed=ctx.pipeline.seed,
            only=(set(splits[task.key]["train"]), set(splits[task.key]["test"])),
        )
        for task in ctx.pipeline.evaluate
    }


@dataclass(frozen=True)
class Outcome:
    """How a round ended, with everything its report, table, link and event show."""

    released: bool
    version: str  # the released version, or the version it would have been
    parent: str | None
    reason: str
    bundle: Path
    decision: GateDecision
    rows: list[dict[str, Any]]

    def summary(self) -> dict[str, Any]:
        return {
            "outcome": "released" if self.released else "refused",
            "version": self.version,
            "parent": self.parent,
            "reason": self.reason,
            "bundle": str(self.bundle),
            "metrics": {c.task: c.score for c in self.decision.checks},
            "deltas": {c.task: c.delta for c in self.decision.checks},
        }


def finish_round(ctx: Context, plan: RoundPlan, bundle: Path, results: dict) -> Outcome:
    """Gate the candidate; publish it with its lineage, or keep it with the refusal."""
    from sslsci.bundle.schema import read_metadata
    from sslsci.bundle.write import write_metadata_and_card
    from sslsci.weights.publish import publish

    config = ctx.config
    model = registry_model(config)
    previous = released_scores(model, plan.parent, config.metric) if plan.parent else None
    decision = decide(task_checks(results, previous, config.metric), config.tolerance)
    version = next_version(model.versions if model else [])
    rows = history_rows(model, config.metric, version, decision)
    _, splits_sha = frozen_splits(ctx)
    record = lineage(plan.parent, plan.data_added, decision, config.metric, splits_sha)
    meta = read_metadata(bundle).model_copy(update={"lineage": record})
    write_metadata_and_card(bundle, meta)
    if not decision.accepted:
        write_text_atomic(
            plan.path / "refused.json",
            json.dumps(
                {
                    "version": version,
                    "reason": decision.reason,
                    "lineage": record.model_dump(mode="json"),
                },
                indent=2,
            )
            + "\n",
        )
        plan.reason = decision.reason
        plan.save("refused")
        return Outcome(False, version, plan.parent, decision.reason, bundle, decision, rows)
    publish(bundle, config.registry, config.model, version)
    plan.version, plan.reason = version, decision.reason
    plan.save("released")
    return Outcome(True, version, plan.parent, decision.reason, bundle, decision, rows)
