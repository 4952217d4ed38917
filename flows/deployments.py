"""The deployments of a catalog: one watch per scheduled entry, one continual round per
pipeline with a ``continual`` section, triggered by its entries' update events and limited
to one run at a time (later triggers wait in the queue; a round that finds nothing new
skips, so triggers that arrive during a round are coalesced into one more round)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy
from prefect.deployments.runner import RunnerDeployment
from prefect.events.schemas.deployment_triggers import DeploymentEventTrigger

from flows.continual import (
    ARCHIVE_UPDATED,
    archive_resource,
    continual_round_flow,
    watch_archive_flow,
)
from sslsci.catalog import load_catalog
from sslsci.catalog.schedule import parse_schedule
from sslsci.continual.pipelines import continual_pipelines
from sslsci.train.pipeline import Pipeline


@dataclass(frozen=True)
class ServicePlan:
    """What ``sslsci serve`` / ``sslsci deploy`` register, with the pipelines behind it."""

    deployments: list[RunnerDeployment]
    pipelines: list[Pipeline]
    catalog_path: Path
    workdir: str | None


def watch_deployments(catalog_path: Path, workdir: str | None) -> list[RunnerDeployment]:
    catalog = load_catalog(catalog_path)
    found = []
    for entry in catalog.entries:
        if entry.schedule is None:
            continue
        schedule = parse_schedule(entry.schedule)
        found.append(
            watch_archive_flow.to_deployment(
                name=f"watch-{entry.name}",
                interval=schedule.interval_seconds,
                cron=schedule.cron,
                parameters={
                    "catalog_path": str(catalog_path),
                    "entry": entry.name,
                    "workdir": workdir,
                },
                concurrency_limit=ConcurrencyLimitConfig(
                    limit=1, collision_strategy=ConcurrencyLimitStrategy.CANCEL_NEW
                ),
                description=f"ingest {entry.name} ({entry.schedule}); event when it changed",
            )
        )
    return found


def round_deployment(
    pipeline: Pipeline, catalog_path: Path, workdir: str | None
) -> RunnerDeployment:
    trigger = DeploymentEventTrigger(
        name=f"{pipeline.name}: new data",
        expect={ARCHIVE_UPDATED},
        match={"prefect.resource.id": [archive_resource(e) for e in pipeline.data.entries]},
    )
    return continual_round_flow.to_deployment(
        name=f"continual-{pipeline.name}",
        parameters={
            "pipeline_path": str(Path(pipeline.path).resolve()),
            "catalog_path": str(catalog_path),
            "workdir": workdir,
        },
        triggers=[trigger],
        concurrency_limit=ConcurrencyLimitConfig(
            limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE
        ),
        description=f"continual round of {pipeline.name}, released to {pipeline.continual.model}",
    )


def service_plan(
    catalog_path: Path, pipeline_paths: list[Path], workdir: str | None = None
) -> ServicePlan:
    catalog_path = catalog_path.resolve()
    pipelines = continual_pipelines(pipeline_paths)
    rounds = [round_deployment(p, catalog_path, workdir) for p in pipelines]
    return ServicePlan(
        watch_deployments(catalog_path, workdir) + rounds, pipelines, catalog_path, workdir
    )
