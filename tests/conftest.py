"""Fixtures shared across the suite: real sample data, a tiny ingested study, Prefect."""

import os
from pathlib import Path

import pytest

from flows.prefect_env import configure_prefect_env
from plugins.wearables.generator import write_demo_archive
from sslsci.catalog import load_catalog
from sslsci.ingest import Workspace, ingest_entry

configure_prefect_env()  # before any test imports prefect

CATALOG = """
entries:
  - name: study
    modality: wearables
    uri: archive
    include: ["*.csv"]
    exclude: ["labels.csv"]
    labels: {sidecar: labels.csv, group_column: subject}
    splits: {fraction: {train: 0.75, test: 0.25}, group_by: subject, seed: 0}
"""

PIPELINE = """
name: {run}
catalog: catalog.yaml
output: runs
plugin: wearables
seed: 0
data: {{entries: [study], split: train, window: {{time: 64}}, samples_per_epoch: 64,
        batch_size: 16}}
backbone: {{name: resnet1d, config: {{widths: [8, 16]}}}}
method: {{name: simclr}}
optimizer: {{lr: 0.001}}
trainer: {{max_steps: {max_steps}, checkpoint_every_n_steps: {every}, log_every_n_steps: 1,
          devices: {devices}, strategy: {strategy}, record_windows: {record}}}
evaluate: [{{entry: study, synthetic: true, k: 3}}]
"""


@pytest.fixture(scope="session")
def study(tmp_path_factory) -> Path:
    """A folder with catalog.yaml, an archive of 16 recordings, and its ingested store."""
    root = tmp_path_factory.mktemp("study")
    write_demo_archive(root / "archive", subjects=4, recordings_per_subject=4, seconds=12.0,
                       rate=30.0, seed=3)
    (root / "catalog.yaml").write_text(CATALOG)
    catalog = load_catalog(root / "catalog.yaml")
    report = ingest_entry(catalog, "study", Workspace(catalog.resolve_workdir()))
    assert report.counts["ok"] == 16, report.quarantined
    return root


@pytest.fixture
def make_pipeline():
    """Writes a pipeline YAML next to the study's catalog; returns its path."""
    return write_pipeline


def write_pipeline(root: Path, run: str, *, max_steps: int = 10, every: int = 5,
                   devices: int = 1, strategy: str = "auto", record: bool = False) -> Path:
    path = root / f"{run}.yaml"
    path.write_text(PIPELINE.format(run=run, max_steps=max_steps, every=every, devices=devices,
                                    strategy=strategy, record=str(record).lower()))
    return path


SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real sample files beside the repo; tests using them skip when absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real sample data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect API (ephemeral server + SQLite) for the whole session."""
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield
