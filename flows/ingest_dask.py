"""Ingest fanned out over a Dask cluster through Prefect's Dask task runner.

Workers do what the process pool's workers do (hash, read, validate, normalise and
write the item's chunks to the store, which must be a path every worker sees) and
send back a ``SourceResult``; the calling process alone writes manifest rows, one
transaction per source as each result arrives, so the manifest has a single writer
whatever the cluster's size. ``LOCAL`` starts a cluster of ``workers`` processes on
this machine; any other address names a running scheduler (``tcp://host:8786``) whose
workers have sslsci installed.
"""

from __future__ import annotations

from collections.abc import Callable

from flows.prefect_env import configure_prefect_env

configure_prefect_env()

from prefect import tags, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.futures import as_completed  # noqa: E402

from sslsci.ingest.process import SourceJob, SourceResult, process_source  # noqa: E402

LOCAL = "local"
TAG = "sslsci-ingest"


@task(name="ingest-source", cache_policy=NO_CACHE)
def ingest_source(job: SourceJob) -> SourceResult:
    """One source on a Dask worker; never raises for bad data (it quarantines)."""
    return process_source(job)


def task_runner(address: str, workers: int):
    """Prefect's Dask task runner: a local cluster of ``workers`` single-threaded
    processes (readers are not all thread-safe, and decoding holds the GIL), or the
    scheduler at ``address``."""
    from prefect_dask import DaskTaskRunner

    if address == LOCAL:
        kwargs = {"n_workers": max(1, workers), "threads_per_worker": 1, "processes": True}
        return DaskTaskRunner(cluster_kwargs=kwargs | {"dashboard_address": None})
    return DaskTaskRunner(address=address)


def ingest_on_dask(
    jobs: list[SourceJob],
    record: Callable[[SourceResult], None],
    address: str = LOCAL,
    workers: int = 2,
) -> None:
    """Process ``jobs`` on the cluster; ``record`` each result here as it completes.

    The runner is used without a wrapping flow: a flow would ship its parameters (every
    job) inside the context of each task it submits. Task runs carry the tag ``TAG``."""
    with task_runner(address, workers) as runner, tags(TAG):
        futures = [runner.submit(ingest_source, {"job": job}) for job in jobs]
        for future in as_completed(futures):
            record(future.result())
