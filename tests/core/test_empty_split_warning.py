"""A fraction split that no group can fill gets a warning naming the entry and the fix."""

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
    labels: {sidecar: labels.csv, group_column: subject}
    splits: {fraction: {train: 0.75, test: 0.25}, group_by: subject}
"""


def _ingest(tmp_path, subjects: int):
    write_demo_archive(tmp_path / "archive", subjects=subjects, recordings_per_subject=2,
                       seconds=4.0, rate=20.0, seed=1)
    (tmp_path / "catalog.yaml").write_text(CATALOG)
    catalog = load_catalog(tmp_path / "catalog.yaml")
    return ingest_entry(catalog, "few", Workspace(catalog.resolve_workdir()))


def test_one_subject_cannot_fill_two_splits_and_is_reported(tmp_path):
    report = _ingest(tmp_path, subjects=1)
    assert report.counts["ok"] == 2
    assert len(report.warnings) == 1
    assert "'test'" in report.warnings[0] and "splits.regex" in report.warnings[0]


def test_no_warning_when_every_split_has_items(tmp_path):
    assert _ingest(tmp_path, subjects=2).warnings == []
