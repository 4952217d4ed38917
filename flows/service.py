"""``sslsci serve`` and ``sslsci deploy``: the catalog's deployments, run in this process
against a Prefect server (a loopback one started here when ``PREFECT_API_URL`` is unset),
or registered with a work pool of an existing installation.

Prefect is imported only after the API URL is settled, so its settings see it."""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from flows.local_server import local_server
from flows.prefect_env import configure_prefect_env

ORPHAN_MESSAGE = (
    "the sslsci serve process that ran this stopped during the run (killed?); a restarted "
    "serve marks it crashed and resumes unfinished rounds from their checkpoints"
)


@contextlib.contextmanager
def prefect_api(server_home: Path) -> Iterator[str]:
    """The configured ``PREFECT_API_URL``, or a loopback server started for this process."""
    configure_prefect_env()
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        yield configured
        return
    with local_server(server_home) as url:
        os.environ["PREFECT_API_URL"] = url
        try:
            yield url
        finally:
            os.environ.pop("PREFECT_API_URL", None)


def crash_orphaned_runs(deployment_ids: list[Any]) -> int:
    """Runs of these deployments still marked running or pending belong to a serve process
    that died; crash them so their concurrency slot is free for the resumed round."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        DeploymentFilter,
        DeploymentFilterId,
        FlowRunFilter,
        FlowRunFilterState,
        FlowRunFilterStateType,
    )
    from prefect.client.schemas.objects import StateType
    from prefect.states import Crashed

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=deployment_ids)),
            flow_run_filter=FlowRunFilter(
                state=FlowRunFilterState(
                    type=FlowRunFilterStateType(any_=[StateType.RUNNING, StateType.PENDING])
                )
            ),
        )
        for run in runs:
            client.set_flow_run_state(run.id, Crashed(message=ORPHAN_MESSAGE), force=True)
    return len(runs)


def resume_unfinished_rounds(plan) -> list[str]:
    """A run for every continual pipeline that has a round its last process left unfinished."""
    from prefect.deployments import run_deployment

    from sslsci.continual.round import Context
    from sslsci.continual.state import unfinished_rounds

    resumed = []
    for pipeline in plan.pipelines:
        ctx = Context.of(pipeline, plan.catalog_path, plan.workdir)
        if unfinished_rounds(ctx.home / "rounds"):
            run_deployment(
                f"sslsci-continual/continual-{pipeline.name}", timeout=0, as_subflow=False
            )
            resumed.append(pipeline.name)
    return resumed


def serve_catalog(
    catalog_path: Path,
    pipeline_paths: list[Path],
    workdir: str | None = None,
    say=print,
) -> None:
    """Run every deployment of the catalog until SIGTERM or Ctrl-C; schedules stay active."""
    from sslsci.catalog import load_catalog

    root = load_catalog(catalog_path).resolve_workdir(workdir)
    if isinstance(root, str):  # a remote store: the server's database stays on this machine
        from sslsci.store.remote import local_state

        root = local_state(root)
    home = root / "prefect-server"
    signal.signal(signal.SIGTERM, _stop)
    with prefect_api(home) as url:
        from prefect import serve

        from flows.deployments import service_plan

        plan = service_plan(catalog_path, pipeline_paths, workdir)
        if not plan.deployments:
            raise ValueError(
                f"{catalog_path}: no entry has a 'schedule' and no continual pipeline was "
                "given, so there is nothing to serve"
            )
        ids = [deployment.apply() for deployment in plan.deployments]
        crashed = crash_orphaned_runs(ids)
        resumed = resume_unfinished_rounds(plan)
        say(f"Prefect API: {url}")
        for deployment in plan.deployments:
            say(f"serving {deployment.flow_name}/{deployment.name}")
        if crashed:
            say(f"marked {crashed} run(s) of a stopped serve as crashed")
        for name in resumed:
            say(f"resuming the unfinished round of {name}")
        with contextlib.suppress(KeyboardInterrupt, SystemExit):
            serve(*plan.deployments, pause_on_shutdown=False, print_starting_message=False)
        say("stopped; schedules stay active for the next serve")


def _stop(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def deploy_catalog(
    catalog_path: Path, pipeline_paths: list[Path], pool: str, workdir: str | None = None
) -> list[str]:
    """Register the deployments with ``pool`` (``prefect worker start --pool POOL`` in this
    project folder runs them); returns their names."""
    configure_prefect_env()
    if not os.environ.get("PREFECT_API_URL"):
        raise ValueError(
            "sslsci deploy registers deployments with an existing Prefect server: set "
            "PREFECT_API_URL (or run `sslsci serve`, which starts one)"
        )
    from flows.deployments import service_plan

    plan = service_plan(catalog_path, pipeline_paths, workdir)
    names = []
    for deployment in plan.deployments:
        deployment.apply(work_pool_name=pool)
        names.append(f"{deployment.flow_name}/{deployment.name}")
    return names
