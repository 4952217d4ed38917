"""ingest -> pretrain -> export -> evaluate as one Prefect flow (ephemeral API by default)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flows.prefect_env import configure_prefect_env

configure_prefect_env()

from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from sslsci.catalog import load_catalog  # noqa: E402
from sslsci.evaluate.on_bundle import evaluate_bundle  # noqa: E402
from sslsci.ingest import ingest_entry  # noqa: E402
from sslsci.train.check import check_pipeline  # noqa: E402
from sslsci.train.export import export_checkpoint  # noqa: E402
from sslsci.train.pipeline import load_pipeline  # noqa: E402
from sslsci.train.pretrain import pretrain  # noqa: E402
from sslsci.train.run_folder import refuse_overwrite  # noqa: E402


@task(name="ingest", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def ingest_task(catalog_path: str, entry: str, workdir: str | None) -> dict[str, Any]:
    catalog = load_catalog(catalog_path)
    report = ingest_entry(catalog, entry, catalog.workspace(workdir))
    get_run_logger().info("ingest %s: %s", entry, report.counts)
    return {"counts": report.counts, "quarantined": report.quarantined}


@task(name="pretrain", cache_policy=NO_CACHE)
def pretrain_task(
    pipeline_path: str, catalog_path: str, workdir: str | None, output: str | None, resume: bool
) -> str:
    pipeline = load_pipeline(pipeline_path)
    result = pretrain(
        pipeline, catalog_path=catalog_path, workdir=workdir, output=output, resume=resume
    )
    return str(result.checkpoint)


@task(name="export", cache_policy=NO_CACHE)
def export_task(checkpoint: str) -> str:
    return str(export_checkpoint(checkpoint))


@task(name="evaluate", cache_policy=NO_CACHE)
def evaluate_task(
    bundle: str, pipeline_path: str, index: int, catalog_path: str, workdir: str | None
) -> dict[str, Any]:
    pipeline = load_pipeline(pipeline_path)
    return evaluate_bundle(
        bundle,
        pipeline.evaluate[index],
        catalog_path=catalog_path,
        workdir=workdir,
        seed=pipeline.seed,
    )


@flow(name="sslsci-run", log_prints=True)
def run_pipeline_flow(
    pipeline_path: str,
    catalog_path: str | None = None,
    workdir: str | None = None,
    output: str | None = None,
    resume: bool = False,
) -> dict[str, Any]:
    """The main job: every entry the pipeline names is ingested, then train, export, evaluate."""
    pipeline = load_pipeline(pipeline_path)
    check_pipeline(pipeline)  # a misspelt option fails here, before any ingest
    if not resume:
        refuse_overwrite(pipeline.output_dir(output))  # and so does a rerun over a run
    catalog = str(pipeline.catalog_path(catalog_path))
    entries = list(
        dict.fromkeys(
            pipeline.data.entries
            + [e.entry for e in pipeline.evaluate]
            + ([pipeline.online_probe.entry] if pipeline.online_probe else [])
        )
    )
    ingested = {name: ingest_task(catalog, name, workdir) for name in entries}
    checkpoint = pretrain_task(pipeline_path, catalog, workdir, output, resume)
    bundle = export_task(checkpoint)
    results = [
        evaluate_task(bundle, pipeline_path, k, catalog, workdir)
        for k in range(len(pipeline.evaluate))
    ]
    report = Path(bundle) / "report.md"
    if report.is_file():
        create_markdown_artifact(
            report.read_text(), key="sslsci-report", description=f"{pipeline.name} evaluation"
        )
    return {"bundle": bundle, "checkpoint": checkpoint, "ingest": ingested, "evaluation": results}
