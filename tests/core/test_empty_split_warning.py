"""A fraction split that hashes no group gets a warning naming the entry and the fix."""

from plugins.wearables.generator import write_demo_archive
from sslsci.catalog import load_catalog
from sslsci.ingest import Workspace, ingest_entry

CATALOG = """
entries:
  - name: few
    modality: wearables
    uri: archive
    include: ["*.csv"]
    exclude: ["labels.csv"]
    labels: {{sidecar: labels.csv, group_column: subject}}
    splits: {{fraction: {{train: 0.75, test: 0.25}}, group_by: subject, seed: {seed}}}
"""


def _ingest(tmp_path, seed: int):
    write_demo_archive(tmp_path / "archive", subjects=4, recordings_per_subject=1, seconds=4.0,
                       rate=20.0, seed=1)
    (tmp_path / "catalog.yaml").write_text(CATALOG.format(seed=seed))
    catalog = load_catalog(tmp_path / "catalog.yaml")
    return ingest_entry(catalog, "few", Workspace(catalog.resolve_workdir()))


def test_a_split_left_empty_by_hashing_is_reported(tmp_path):
    report = _ingest(tmp_path, seed=0)  # seed 0 hashes all four subjects to train
    assert report.counts["ok"] == 4
    assert len(report.warnings) == 1
    assert "'test'" in report.warnings[0] and "splits.seed" in report.warnings[0]


def test_no_warning_when_every_split_has_items(tmp_path):
    report = _ingest(tmp_path, seed=3)
    assert report.warnings == []
