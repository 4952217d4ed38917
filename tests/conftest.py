"""Fixtures shared across the suite: real sample data, small ingested studies, Prefect."""

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from flows.prefect_env import configure_prefect_env
from plugins.wearables.generator import write_demo_archive
from sslsci.catalog import Catalog, load_catalog
from sslsci.ingest import IngestReport, ingest_entry
from sslsci.plugins.discovery import get_plugin
from sslsci.store import Workspace

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
        batch_size: 16, num_workers: 0}}
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


STUDY_ENTRY = """
entries:
  - name: study
    modality: wearables
    uri: archive
    include: ["*.csv"]
    exclude: ["labels.csv"]
    options: {{sampling_rate: 30}}
    labels: {{sidecar: labels.csv, group_column: subject}}
    splits: {{fraction: {{train: 0.6, test: 0.4}}, group_by: subject, seed: {seed}}}
"""


@pytest.fixture(scope="session", autouse=True)
def wearables_loaded() -> None:
    """Import the plugin once, so no test times or pays for the import."""
    get_plugin("wearables")


@pytest.fixture
def write_catalog() -> Callable[[Path, str], Catalog]:
    """Write catalog YAML text to ``root/catalog.yaml`` and load it."""

    def write(root: Path, text: str) -> Catalog:
        root.mkdir(parents=True, exist_ok=True)
        (root / "catalog.yaml").write_text(text)
        return load_catalog(root / "catalog.yaml")

    return write


@pytest.fixture
def small_study(tmp_path, write_catalog) -> Callable[..., Catalog]:
    """A demo archive (labels.csv with file,label,subject) under tmp_path/archive + catalog."""

    def make(subjects: int = 2, recordings: int = 2, seconds: float = 4.0, seed: int = 0):
        write_demo_archive(
            tmp_path / "archive",
            subjects=subjects,
            recordings_per_subject=recordings,
            seconds=seconds,
            rate=30.0,
            seed=seed,
        )
        return write_catalog(tmp_path, STUDY_ENTRY.format(seed=seed))

    return make


def ingest(catalog: Catalog, name: str = "study", **kwargs) -> IngestReport:
    """Ingest into the catalog's default workdir."""
    return ingest_entry(catalog, name, Workspace(catalog.resolve_workdir()), **kwargs)


@pytest.fixture
def run_ingest() -> Callable[..., IngestReport]:
    return ingest
