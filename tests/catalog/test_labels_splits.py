"""Labels from a path regex, a CSV/Parquet sidecar or the file; splits by regex, list, fraction."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest

from sslsci.catalog import parse_catalog
from sslsci.catalog.labels import EntryLabeler


def _entry(yaml_body: str):
    text = "entries:\n  - name: e\n    modality: wearables\n    uri: archive\n" + yaml_body
    return parse_catalog(text, Path("catalog.yaml")).entries[0]


def test_regex_labels_from_the_path():
    entry = _entry("    labels:\n      regex: '(?P<label>\\d)_(?P<speaker>\\w+)_\\d+\\.wav'\n")
    labeler = EntryLabeler.for_entry(entry, "/nowhere")
    labels = labeler.labels("recordings/7_jackson_32.wav", {})
    assert labels == {"label": "7", "speaker": "jackson"}
    assert labeler.target(labels) == "7"
    assert labeler.labels("readme.txt", {}) == {}


def test_file_carried_labels_unless_disabled():
    carried = {"label": "Walking"}
    assert EntryLabeler.for_entry(_entry(""), "/x").labels("a.ts", carried) == carried
    off = _entry("    labels: {from_file: false, regex: '(?P<label>[a-z]+)\\.ts'}\n")
    assert EntryLabeler.for_entry(off, "/x").labels("run.ts", carried) == {"label": "run"}


def _write_sidecar(folder: Path, kind: str) -> None:
    frame = pd.DataFrame(
        {
            "path": ["sub/a.csv", "b.csv", "c.csv"],
            "activity": ["walk", "run", "rest"],
            "person": ["p1", "p1", "p2"],
        }
    )
    folder.mkdir(parents=True, exist_ok=True)
    if kind == "csv":
        frame.to_csv(folder / "meta.csv", index=False)
    else:
        frame.to_parquet(folder / "meta.parquet", index=False)


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_sidecar_labels_and_groups(tmp_path, kind):
    _write_sidecar(tmp_path / "archive", kind)
    entry = _entry(
        f"    labels: {{sidecar: meta.{kind}, file_column: path, label_column: activity,\n"
        "             group_column: person}\n"
        "    splits: {fraction: {train: 0.5, test: 0.5}, group_by: person}\n"
    )
    labeler = EntryLabeler.for_entry(entry, str(tmp_path / "archive"))
    labels = labeler.labels("sub/a.csv", {})
    assert labels == {"label": "walk", "person": "p1"}
    assert labeler.target(labeler.labels("./b.csv", {})) == "run"
    assert labeler.group(labeler.labels("c.csv", {}), "c.csv") == "p2"
    assert labeler.labels("unlisted.csv", {}) == {}
    assert labeler.split("sub/a.csv", labels) == labeler.split("b.csv", labeler.labels("b.csv", {}))


def test_sidecar_without_the_named_column_says_which_to_set(tmp_path):
    _write_sidecar(tmp_path / "archive", "csv")
    entry = _entry("    labels: {sidecar: meta.csv}\n")
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['file', 'label'\].*file_column"):
        EntryLabeler.for_entry(entry, str(tmp_path / "archive"))


def _assign(labeler: EntryLabeler, files: dict[str, str]) -> dict[str, str]:
    return {f: labeler.split(f, {"subject": s}) for f, s in files.items()}


def test_fraction_split_groups_subjects_and_is_stable_as_files_arrive():
    entry = _entry("    splits: {fraction: {train: 0.7, val: 0.1, test: 0.2}, group_by: subject}\n")
    labeler = EntryLabeler.for_entry(entry, "/x")
    files = {f"s{s:02d}/rec{r}.csv": f"s{s:02d}" for s in range(60) for r in range(5)}
    before = _assign(labeler, files)
    splits_of = defaultdict(set)
    for name, split in before.items():
        splits_of[files[name]].add(split)
    assert all(len(s) == 1 for s in splits_of.values()), "a subject landed in two splits"
    share = {k: sum(next(iter(v)) == k for v in splits_of.values()) / 60 for k in ("train", "test")}
    assert 0.5 < share["train"] < 0.9 and 0.05 < share["test"] < 0.4

    more = dict(files)
    more.update({f"s{s:02d}/rec9.csv": f"s{s:02d}" for s in range(70)})  # old and new subjects
    after = _assign(labeler, more)
    assert {f: after[f] for f in files} == before
    assert all(after[f"s{s:02d}/rec9.csv"] == before[f"s{s:02d}/rec0.csv"] for s in range(60))


def test_fraction_split_depends_on_the_seed():
    files = {f"s{s}.csv": f"s{s}" for s in range(40)}
    body = "    splits: {{fraction: {{a: 0.5, b: 0.5}}, group_by: subject, seed: {}}}\n"
    seeds = [
        _assign(EntryLabeler.for_entry(_entry(body.format(seed)), "/x"), files)
        for seed in (0, 0, 1)
    ]
    assert seeds[0] == seeds[1] and seeds[0] != seeds[2]


def test_fraction_split_without_group_is_per_file():
    labeler = EntryLabeler.for_entry(_entry("    splits: {fraction: {a: 0.5, b: 0.5}}\n"), "/x")
    assigned = {labeler.split(f"f{i}.csv", {}) for i in range(40)}
    assert assigned == {"a", "b"}


def test_list_file_splits_with_default(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "train.txt").write_text("a.csv\nsub/b.csv\n\n")
    (archive / "test.txt").write_text("./c.csv\n")
    entry = _entry("    splits: {lists: {train: train.txt, test: test.txt}, default: unassigned}\n")
    labeler = EntryLabeler.for_entry(entry, str(archive))
    assert [labeler.split(f, {}) for f in ("a.csv", "sub/b.csv", "c.csv", "d.csv")] == [
        "train",
        "train",
        "test",
        "unassigned",
    ]


def test_regex_splits_first_match_wins():
    entry = _entry("    splits: {regex: {train: _TRAIN, test: _TEST}}\n")
    labeler = EntryLabeler.for_entry(entry, "/x")
    assert labeler.split("BasicMotions_TRAIN.ts", {}) == "train"
    assert labeler.split("BasicMotions_TEST.ts", {}) == "test"
    assert labeler.split("other.ts", {}) is None
