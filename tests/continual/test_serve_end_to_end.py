"""``sslsci serve`` as an operator runs it: a real Prefect server on 127.0.0.1 (started by
serve), the catalog's watch on an interval, continual rounds triggered by its events.
Files copied into the archive become releases with no further command; triggers during a
round coalesce into one more round; a kill -9 mid-round resumes from the checkpoint and
publishes once; a poisoned batch is refused and version N stays latest."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.continual.archive import catalog_text, pipeline_text, write_noise, write_recordings
from tests.continual.browser import CHROMIUM, rendered_text

MODEL = "wearables/stream-simclr"
pytestmark = pytest.mark.slow


def start_serve(project: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["SSLSCI_CACHE"] = str(project / "cache")
    log = (project / "serve.log").open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "sslsci", "serve", "continual.yaml"],
        cwd=project,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def api_url(project: Path, start: int = 1, timeout: float = 240) -> str:
    """The API address the ``start``-th serve of this project printed (each serve starts
    its own loopback server on a free port, over the same database)."""

    def found() -> str | None:
        lines = (project / "serve.log").read_text(errors="replace").splitlines()
        urls = [
            line.removeprefix("Prefect API: ").strip()
            for line in lines
            if line.startswith("Prefect API: ")
        ]
        return urls[start - 1] if len(urls) >= start else None

    return wait_for(found, timeout, project, f"serve number {start} to start its Prefect server")


def wait_for(check: Callable, timeout: float, project: Path, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(1)
    seen = [(r.get("version"), r["status"], r.get("reason")) for r in rounds(project)]
    tail = (project / "serve.log").read_text(errors="replace")[-2500:]
    raise AssertionError(
        f"timed out after {timeout} s waiting for {what}; rounds (version, status, reason): "
        f"{seen}; released: {versions(project)}; serve log:\n{tail}"
    )


def versions(project: Path) -> list[str]:
    index = project / "registry" / "index.json"
    if not index.is_file():
        return []
    models = json.loads(index.read_text()).get("models", {})
    return sorted(models.get(MODEL, {}).get("versions", {}), key=int)


def rounds(project: Path) -> list[dict]:
    folder = project / "runs" / "stream-continual" / "continual" / "rounds"
    found = [json.loads(p.read_text()) for p in folder.glob("*/round.json")]
    return found


def round_in(project: Path, status: str) -> dict | None:
    return next((r for r in rounds(project) if r["status"] == status), None)


def continual_runs(url: str) -> list:
    from prefect.client.orchestration import SyncPrefectClient

    with SyncPrefectClient(url) as client:
        deployment = client.read_deployment_by_name("sslsci-continual/continual-stream-continual")
        from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId

        return client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
        )


def events(url: str, name: str) -> list:
    from prefect.client.orchestration import SyncPrefectClient
    from prefect.events.filters import EventFilter, EventNameFilter

    with SyncPrefectClient(url) as client:
        page = client.read_events(EventFilter(event=EventNameFilter(name=[name])), limit=50)
    return sorted(page.events, key=lambda e: e.occurred)


def latest_artifact(url: str, key: str):
    import json as _json

    from prefect.client.orchestration import SyncPrefectClient
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with SyncPrefectClient(url) as client:
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    if isinstance(artifact.data, str) and artifact.type == "table":
        artifact.data = _json.loads(artifact.data)
    return artifact


def emit_update(url: str) -> None:
    """One more trigger, as a second watch would send it."""
    code = (
        "from prefect.events import emit_event\n"
        "emit_event(event='sslsci.archive.updated',"
        " resource={'prefect.resource.id': 'sslsci.archive.stream'}, payload={'test': True})\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    subprocess.run([sys.executable, "-c", code], env=env | {"PREFECT_API_URL": url}, check=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_serve_releases_coalesces_resumes_and_refuses(tmp_path: Path, monkeypatch) -> None:
    project = tmp_path
    monkeypatch.setenv("SSLSCI_CACHE", str(project / "cache"))
    archive = project / "archive"
    write_recordings(archive, [f"s0{i}" for i in range(1, 7)] + ["t01", "t02"], 12, seed=0)
    (project / "data_catalog.yaml").write_text(catalog_text("archive", "every 8s"))
    (project / "continual.yaml").write_text(pipeline_text("registry", steps=40, tolerance=0.1))
    serve = start_serve(project)
    try:
        url = api_url(project)
        wait_for(lambda: versions(project) == ["1"], 600, project, "version 1")

        # New files, no command: version 2. Two more triggers during its round: one round.
        write_recordings(archive, ["s07"], 12, seed=1)
        wait_for(lambda: round_in(project, "training"), 300, project, "round 2 training")
        write_recordings(archive, ["s08"], 12, seed=2)
        emit_update(url)
        emit_update(url)
        wait_for(lambda: versions(project) == ["1", "2", "3"], 900, project, "versions 2, 3")
        wait_for(
            lambda: all(r.state.is_final() for r in continual_runs(url)), 300, project, "quiet"
        )
        assert len(rounds(project)) == 3  # v1, the s04 round, one round for s05
        spans = sorted(
            (r.start_time, r.end_time) for r in continual_runs(url) if r.start_time is not None
        )
        assert all(end <= nxt for (_, end), (nxt, _) in itertools.pairwise(spans))
        index = json.loads((project / "registry" / "index.json").read_text())
        second = index["models"][MODEL]["versions"]["2"]["lineage"]
        assert second["parent"] == "1"
        assert "walk-s07-r01.csv" in second["data_added"]["files"]
        assert not any("s08" in f for f in second["data_added"]["files"])
        import sslsci

        model = sslsci.load_pretrained(f"{MODEL}@2", registry=str(project / "registry"))
        (record,) = sslsci.read(archive / "walk-s07-r01.csv", "wearables")
        assert model(record.array).shape == (model.backbone.num_features,)

        # kill -9 of serve mid-round: the restarted serve resumes and publishes once.
        write_recordings(archive, ["s09"], 12, seed=3)
        wait_for(
            lambda: (
                (r := round_in(project, "training"))
                and list(Path(r["folder"]).glob("checkpoints/step*.ckpt"))
            ),
            600,
            project,
            "a checkpoint of round 4",
        )
        os.kill(serve.pid, signal.SIGKILL)
        serve.wait()
        serve = start_serve(project)
        url = api_url(project, start=2)
        wait_for(lambda: versions(project) == ["1", "2", "3", "4"], 900, project, "version 4")
        fourth = [r for r in rounds(project) if r["version"] == "4"]
        assert len(fourth) == 1 and fourth[0]["resumed_from_step"] >= 5
        assert "resuming the unfinished round" in (project / "serve.log").read_text()

        # A poisoned batch (noise that passes validation): refused, version 4 stays latest.
        write_noise(archive, 96, seed=5)
        wait_for(lambda: round_in(project, "refused"), 900, project, "a refused round")
        assert versions(project) == ["1", "2", "3", "4"]
        refused = json.loads(
            (Path(round_in(project, "refused")["folder"]) / "refused.json").read_text()
        )
        assert refused["version"] == "5" and "below the previous release" in refused["reason"]
        wait_for(lambda: events(url, "sslsci.release.refused"), 300, project, "refusal event")
        assert [e.payload["version"] for e in events(url, "sslsci.release.published")] == [
            "1",
            "2",
            "3",
            "4",
        ]
        report = latest_artifact(url, "wearables-stream-simclr-release-report")
        assert "refused" in report.data and "below the previous release" in report.data
        table = latest_artifact(url, "wearables-stream-simclr-metrics-by-version")
        assert {row["version"] for row in table.data} == {"1", "2", "3", "4", "5"}

        if CHROMIUM:  # the Prefect UI renders the table artifact on the round's run page
            page = f"{url.removesuffix('/api')}/runs/flow-run/{table.flow_run_id}"
            text = rendered_text(page, "Artifacts", "metrics-by-version")
            assert "wearables-stream-simclr-metrics-by-version" in text and "TABLE" in text
    finally:
        stop(serve)
