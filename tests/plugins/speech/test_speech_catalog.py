"""The default catalog's `fsdd` entry and pipelines/speech.yaml: digit labels, speaker splits."""

from __future__ import annotations

from pathlib import Path

from sslsci.catalog import Catalog, load_catalog
from sslsci.catalog.check import check_catalog
from sslsci.catalog.labels import EntryLabeler
from sslsci.train.pipeline import load_pipeline

REPO = Path(__file__).resolve().parents[3]


def fsdd_labeler() -> EntryLabeler:
    catalog = load_catalog(REPO / "data_catalog.yaml")
    entry = catalog.entry("fsdd")
    return EntryLabeler.for_entry(entry, catalog.resolve_uri(entry))


def test_file_names_give_digit_and_speaker() -> None:
    labeler = fsdd_labeler()
    labels = labeler.labels("3_jackson_12.wav", {})
    assert labels == {"label": "3", "speaker": "jackson"}
    assert labeler.target(labels) == "3"
    assert labeler.group(labels, "3_jackson_12.wav") == "jackson"


def test_the_test_speaker_never_trains() -> None:
    labeler = fsdd_labeler()
    names = [
        f"{d}_{s}_{i}.wav"
        for d in range(10)
        for s in ("george", "jackson", "lucas")
        for i in (0, 49)
    ]
    splits = {name: labeler.split(name, labeler.labels(name, {})) for name in names}
    assert {n for n, s in splits.items() if s == "test"} == {n for n in names if "_jackson_" in n}
    assert {s for n, s in splits.items() if "_jackson_" not in n} == {"train"}


def test_entry_checks_when_the_archive_is_present(fsdd: Path) -> None:
    catalog = load_catalog(REPO / "data_catalog.yaml")
    only = Catalog(entries=[catalog.entry("fsdd")], path=catalog.path)
    assert check_catalog(only) == []
    assert len(list(fsdd.glob("*.wav"))) == 1500


def test_speech_pipeline_pretrains_on_train_and_evaluates_fsdd() -> None:
    pipeline = load_pipeline(REPO / "pipelines" / "speech.yaml")
    assert pipeline.data.entries == ["fsdd"] and pipeline.data.split == "train"
    assert [task.entry for task in pipeline.evaluate] == ["fsdd"]
    assert pipeline.catalog_path().resolve() == (REPO / "data_catalog.yaml").resolve()
