"""The operator's flows: watch an archive (ingest, then an event when it changed) and one
continual round (plan, train, export, evaluate, gate, publish or refuse). The work is in
``sslsci.ingest`` and ``sslsci.continual``; these flows add retries, events and artifacts."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

from flows.prefect_env import configure_prefect_env

configure_prefect_env()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.events import emit_event  # noqa: E402

from flows.local_server import die_with_parent  # noqa: E402
from flows.release_artifacts import publish_artifacts  # noqa: E402
from sslsci.catalog import load_catalog  # noqa: E402
from sslsci.continual import round as rounds  # noqa: E402
from sslsci.ingest import ingest_entry  # noqa: E402
from sslsci.train.export import export_checkpoint  # noqa: E402
from sslsci.train.pipeline import load_pipeline  # noqa: E402

ARCHIVE_UPDATED = "sslsci.archive.updated"
RELEASE_PUBLISHED = "sslsci.release.published"
RELEASE_REFUSED = "sslsci.release.refused"


def archive_resource(entry: str) -> str:
    """The event resource id naming one catalog entry (what round triggers match on)."""
    return f"sslsci.archive.{entry}"


def model_resource(model: str) -> str:
    return f"sslsci.model.{model}"


@flow(name="sslsci-watch", log_prints=True)
def watch_archive_flow(catalog_path: str, entry: str, workdir: str | None = None) -> dict[str, Any]:
    """Ingest one entry; if anything was new, changed or gone, say so with an event."""
    catalog = load_catalog(catalog_path)
    workspace = catalog.workspace(workdir)
    report = ingest_entry(catalog, entry, workspace)
    manifest = workspace.snapshot()
    try:
        manifest_hash, rows = manifest.data_hash([entry])
    finally:
        manifest.close()
    changes = {k: report.counts[k] for k in ("new", "changed", "gone")}
    payload = {"entry": entry, **changes, "items": rows, "manifest_sha256": manifest_hash}
    payload["quarantined"] = report.counts["quarantined"]
    logger = get_run_logger()
    if not any(changes.values()):
        logger.info("%s: unchanged (%d items)", entry, rows)
        return {**payload, "event": None}
    emit_event(
        event=ARCHIVE_UPDATED,
        resource={"prefect.resource.id": archive_resource(entry), "sslsci.entry": entry},
        payload=payload,
    )
    logger.info("%s: %s; emitted %s", entry, changes, ARCHIVE_UPDATED)
    return {**payload, "event": ARCHIVE_UPDATED}


@task(name="plan-round", cache_policy=NO_CACHE)
def plan_task(ctx: rounds.Context) -> tuple[rounds.RoundPlan | None, str]:
    return rounds.plan_round(ctx)


@task(name="train-round", cache_policy=NO_CACHE)
def train_task(ctx: rounds.Context, plan: rounds.RoundPlan) -> str:
    return str(rounds.train_round(ctx, plan))


@task(name="export", cache_policy=NO_CACHE)
def export_task(checkpoint: str, folder: str) -> str:
    return str(export_checkpoint(checkpoint, Path(folder) / "bundle"))


@task(name="evaluate-round", cache_policy=NO_CACHE)
def evaluate_task(ctx: rounds.Context, bundle: str) -> dict[str, Any]:
    return rounds.evaluate_round(ctx, Path(bundle))


@task(name="gate-and-release", cache_policy=NO_CACHE)
def finish_task(
    ctx: rounds.Context, plan: rounds.RoundPlan, bundle: str, results: dict
) -> rounds.Outcome:
    return rounds.finish_round(ctx, plan, Path(bundle), results)


@flow(name="sslsci-continual", log_prints=True)
def continual_round_flow(
    pipeline_path: str,
    catalog_path: str | None = None,
    workdir: str | None = None,
    output: str | None = None,
) -> dict[str, Any]:
    """One round, or a skip saying why (too little new data; a coalesced trigger whose data
    the previous round already took). A killed round is planned again with the same id and
    resumes from its last checkpoint; training retries the same way."""
    die_with_parent(signal.SIGKILL)  # a killed serve must not leave this round training on its own
    pipeline = load_pipeline(pipeline_path)
    ctx = rounds.Context.of(pipeline, catalog_path, workdir, output)
    logger = get_run_logger()
    plan, why = plan_task(ctx)
    logger.info("%s", why)
    if plan is None:
        return {"outcome": "skipped", "reason": why}
    train = train_task.with_options(retries=ctx.config.retries, retry_delay_seconds=2)
    checkpoint = train(ctx, plan)
    bundle = export_task(checkpoint, plan.folder)
    outcome = finish_task(ctx, plan, bundle, evaluate_task(ctx, bundle))
    summary = outcome.summary() | {"model": ctx.config.model, "round": plan.round_id}
    publish_artifacts(pipeline.name, ctx.config, outcome, plan)
    emit_event(
        event=RELEASE_PUBLISHED if outcome.released else RELEASE_REFUSED,
        resource={
            "prefect.resource.id": model_resource(ctx.config.model),
            "sslsci.version": outcome.version,
        },
        payload=summary,
    )
    logger.info("%s %s: %s", summary["outcome"], outcome.version, outcome.reason)
    return summary
