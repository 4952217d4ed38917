"""``sslsci deploy --pool``: the same deployments as ``serve``, registered with a work pool of
an existing Prefect server (a real one on loopback here), schedules and triggers included."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from flows.local_server import local_server
from tests.continual.archive import catalog_text, pipeline_text, write_recordings

pytestmark = pytest.mark.slow


def test_deploy_registers_watch_and_round_with_the_pool(tmp_path: Path) -> None:
    write_recordings(tmp_path / "archive", ["s01", "t01"], 2, seed=0)
    (tmp_path / "data_catalog.yaml").write_text(catalog_text("archive", "every 15m"))
    (tmp_path / "continual.yaml").write_text(pipeline_text("registry"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    with local_server(tmp_path / "server") as url:
        from prefect.client.orchestration import SyncPrefectClient
        from prefect.client.schemas.actions import WorkPoolCreate

        with SyncPrefectClient(url) as client:
            client.create_work_pool(WorkPoolCreate(name="sslsci-pool", type="process"))
        done = subprocess.run(
            [sys.executable, "-m", "sslsci", "deploy", "--pool", "sslsci-pool", "continual.yaml"],
            cwd=tmp_path,
            env=env | {"PREFECT_API_URL": url},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert "deployed sslsci-watch/watch-stream to work pool sslsci-pool" in done.stdout
        with SyncPrefectClient(url) as client:
            watch = client.read_deployment_by_name("sslsci-watch/watch-stream")
            rounds = client.read_deployment_by_name("sslsci-continual/continual-stream-continual")
            automations = client.read_automations()
    assert watch.work_pool_name == rounds.work_pool_name == "sslsci-pool"
    assert [s.schedule.interval for s in watch.schedules] == [timedelta(minutes=15)]
    assert not watch.paused and watch.parameters["entry"] == "stream"
    assert rounds.global_concurrency_limit.limit == 1
    assert rounds.concurrency_options.collision_strategy == "ENQUEUE"
    assert rounds.parameters["pipeline_path"] == str(tmp_path / "continual.yaml")
    (trigger,) = [a for a in automations if a.name == "stream-continual: new data"]
    assert trigger.trigger.expect == {"sslsci.archive.updated"}
    assert trigger.actions[0].deployment_id == rounds.id


def test_deploy_without_a_server_says_what_to_set(tmp_path: Path) -> None:
    (tmp_path / "data_catalog.yaml").write_text(catalog_text("archive", "every 15m"))
    (tmp_path / "continual.yaml").write_text(pipeline_text("registry"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    done = subprocess.run(
        [sys.executable, "-m", "sslsci", "deploy", "--pool", "p", "continual.yaml"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2
    assert "set PREFECT_API_URL" in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
