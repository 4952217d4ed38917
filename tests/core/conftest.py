"""Shared helpers for the core data-path tests: catalogs written as YAML text, small archives."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from plugins.wearables.generator import write_demo_archive
from sslsci.catalog import Catalog, load_catalog
from sslsci.ingest import IngestReport, Workspace, ingest_entry
from sslsci.registry import get_plugin

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
