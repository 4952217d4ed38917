"""The main job as a real Prefect flow run: ingest -> pretrain -> export -> evaluate."""

import json

import numpy as np
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import TaskRunFilter, TaskRunFilterFlowRunId

import sslsci
from flows.run_pipeline import run_pipeline_flow


def test_flow_produces_bundle_report_and_completed_run(study, make_pipeline, prefect_harness):
    pipeline = make_pipeline(study, "flow", max_steps=8, every=4)
    state = run_pipeline_flow(str(pipeline), return_state=True)
    assert state.is_completed(), state.message
    bundle = study / "runs" / "flow" / "bundle"
    assert state.result()["bundle"] == str(bundle)
    meta = json.loads((bundle / "sslsci.json").read_text())
    assert meta["data"]["rows"] > 0 and len(meta["data"]["manifest_sha256"]) == 64
    report = json.loads((bundle / "report.json").read_text())
    for model in ("ssl", "random_init"):
        assert 0.0 <= report[model]["linear"]["accuracy"] <= 1.0
    assert report["n_test"] > 0 and report["synthetic"] is True
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        assert client.read_flow_run(run_id).state.is_completed()
        tasks = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[run_id]))
        )
    names = {t.name.rsplit("-", 1)[0] for t in tasks}
    assert {"ingest", "pretrain", "export", "evaluate"} <= names
    assert all(t.state.is_completed() for t in tasks)


def test_readme_usage_embeds_a_raw_file_with_the_bundle(study, make_pipeline, prefect_harness):
    """The README's three lines: load a bundle, read a user's file, embed it."""
    bundle = study / "runs" / "flow" / "bundle"
    if not bundle.is_dir():
        run_pipeline_flow(str(make_pipeline(study, "flow", max_steps=8, every=4)))
    model = sslsci.load_pretrained(bundle)
    (record,) = sslsci.read(study / "archive" / "s01_r000.csv", "wearables")
    embedding = model(record.array)
    assert embedding.shape == (model.backbone.num_features,)
    assert np.isfinite(embedding).all() and embedding.std() > 0
    other = model(sslsci.read(study / "archive" / "s03_r002.csv", "wearables")[0].array)
    assert not np.allclose(embedding, other)
