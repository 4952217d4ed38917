"""Fraction splits deal whole groups to meet the fractions, keep each group's split, and
warn when too few groups leave a split empty."""

import pandas as pd

from plugins.wearables.generator import write_demo_archive
from sslsci.catalog import SplitSpec, load_catalog
from sslsci.catalog.splits import assign_groups, group_targets
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace

CATALOG = """
entries:
  - name: study
    modality: wearables
    uri: archive
    include: ["*.csv"]
    exclude: ["labels.csv"]
    labels: {{sidecar: labels.csv, group_column: subject}}
    splits: {{fraction: {{train: 0.75, test: 0.25}}, group_by: subject, seed: {seed}}}
"""


def test_targets_are_whole_groups_closest_to_the_fractions():
    assert group_targets({"train": 0.75, "test": 0.25}, 12) == {"train": 9, "test": 3}
    assert group_targets({"train": 0.75, "test": 0.25}, 4) == {"train": 3, "test": 1}
    # 2.4 / 0.3 / 0.3 rounds to 3/0/0; each positive split still gets one group
    assert group_targets({"train": 0.8, "val": 0.1, "test": 0.1}, 3) == {
        "train": 1, "val": 1, "test": 1}
    assert group_targets({"train": 0.5, "test": 0.5}, 1) == {"train": 1, "test": 0}


def test_new_groups_fill_the_splits_below_target_and_kept_groups_stay():
    spec = SplitSpec(fraction={"train": 0.5, "test": 0.5}, group_by="s", seed=1)
    kept = {"a": "train", "b": "train"}
    out = assign_groups(spec, {"a", "b", "c", "d"}, kept)
    assert out == {"a": "train", "b": "train", "c": "test", "d": "test"}


def _subject_splits(manifest_items) -> dict[str, set[str]]:
    by_subject: dict[str, set[str]] = {}
    for item in manifest_items:
        by_subject.setdefault(item.group_key, set()).add(item.split)
    return by_subject


def _ingest(root, seed=0):
    (root / "catalog.yaml").write_text(CATALOG.format(seed=seed))
    catalog = load_catalog(root / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())
    report = ingest_entry(catalog, "study", workspace)
    manifest = workspace.manifest()
    items = manifest.items(["study"])
    manifest.close()
    return report, _subject_splits(items)


def test_ingest_deals_subjects_and_keeps_them_when_the_archive_grows(tmp_path):
    write_demo_archive(tmp_path / "archive", subjects=12, recordings_per_subject=2, seconds=4.0,
                       rate=20.0, seed=0)
    _, first = _ingest(tmp_path)
    assert all(len(splits) == 1 for splits in first.values()), "a subject in two splits"
    counts = pd.Series([next(iter(s)) for s in first.values()]).value_counts().to_dict()
    assert counts == {"train": 9, "test": 3}

    write_demo_archive(tmp_path / "more", subjects=16, recordings_per_subject=2, seconds=4.0,
                       rate=20.0, seed=0)
    old = pd.read_csv(tmp_path / "archive" / "labels.csv")
    new = pd.read_csv(tmp_path / "more" / "labels.csv")
    new = new[~new["subject"].isin(old["subject"])]
    for name in new["file"]:
        (tmp_path / "archive" / name).write_bytes((tmp_path / "more" / name).read_bytes())
    pd.concat([old, new]).to_csv(tmp_path / "archive" / "labels.csv", index=False)
    report, second = _ingest(tmp_path)
    assert report.counts["new"] == len(new) and report.warnings == []
    assert {s: second[s] for s in first} == first, "an existing subject changed split"
    counts = pd.Series([next(iter(s)) for s in second.values()]).value_counts().to_dict()
    assert counts == {"train": 12, "test": 4}


def test_a_new_seed_deals_again(tmp_path):
    write_demo_archive(tmp_path / "archive", subjects=12, recordings_per_subject=1, seconds=4.0,
                       rate=20.0, seed=0)
    _, first = _ingest(tmp_path, seed=0)
    _, other = _ingest(tmp_path, seed=5)
    assert first != other
    assert sum(s == {"test"} for s in other.values()) == 3


def test_one_subject_cannot_fill_two_splits_and_is_reported(tmp_path):
    write_demo_archive(tmp_path / "archive", subjects=1, recordings_per_subject=2, seconds=4.0,
                       rate=20.0, seed=1)
    report, subjects = _ingest(tmp_path)
    assert report.counts["ok"] == 2 and list(subjects.values()) == [{"train"}]
    assert len(report.warnings) == 1
    assert "'test'" in report.warnings[0] and "splits.regex" in report.warnings[0]


def test_no_warning_when_every_split_has_items(tmp_path):
    write_demo_archive(tmp_path / "archive", subjects=2, recordings_per_subject=2, seconds=4.0,
                       rate=20.0, seed=1)
    report, subjects = _ingest(tmp_path)
    assert report.warnings == [] and sorted(map(sorted, subjects.values())) == [["test"], ["train"]]
