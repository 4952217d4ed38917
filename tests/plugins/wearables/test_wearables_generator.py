"""Synthetic generator: archive layout, determinism, and physically sensible signals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression

from plugins.wearables import plugin
from plugins.wearables.generator import ACTIVITIES, make_subject, synth_values, write_demo_archive
from plugins.wearables.readers_table import CsvReader

RATE = 30.0


def dominant_hz(signal: np.ndarray, rate: float = RATE) -> float:
    spectrum = np.abs(np.fft.rfft(signal - signal.mean()))
    freqs = np.fft.rfftfreq(signal.size, 1.0 / rate)
    return float(freqs[1:][np.argmax(spectrum[1:])])


def make(activity: str, seed: int = 0, seconds: float = 20.0) -> tuple[np.ndarray, float]:
    rng = np.random.default_rng(seed)
    subject = make_subject(rng, "s")
    return synth_values(activity, subject, seconds, RATE, rng), subject.cadence


def test_archive_layout_and_readme(tmp_path: Path) -> None:
    root = write_demo_archive(
        tmp_path / "demo", subjects=3, recordings_per_subject=5, seconds=4.0, rate=RATE, seed=1
    )
    assert root == tmp_path / "demo"
    labels = pd.read_csv(root / "labels.csv")
    assert list(labels.columns) == ["file", "label", "subject"]
    assert len(labels) == 15
    assert sorted(p.name for p in root.glob("*.csv") if p.name != "labels.csv") == sorted(
        labels["file"]
    )
    for _, group in labels.groupby("subject"):
        assert sorted(group["label"]) == sorted(ACTIVITIES)  # balanced within each subject
    assert "SYNTHETIC" in (root / "README.txt").read_text()
    first = pd.read_csv(root / labels["file"][0])
    assert list(first.columns) == ["time", "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]
    assert len(first) == 120


def test_archive_is_deterministic(tmp_path: Path) -> None:
    def files(seed: int, name: str) -> dict[str, bytes]:
        root = write_demo_archive(
            tmp_path / name, subjects=2, recordings_per_subject=2, seconds=2.0, rate=RATE, seed=seed
        )
        return {p.name: p.read_bytes() for p in sorted(root.iterdir())}

    assert files(5, "a") == files(5, "b")
    other = files(6, "c")
    assert other.keys() == files(5, "a").keys()
    assert other["s01_r000.csv"] != files(5, "a")["s01_r000.csv"]


def test_archive_reads_validates_and_normalizes(tmp_path: Path) -> None:
    root = write_demo_archive(
        tmp_path / "demo", subjects=2, recordings_per_subject=5, seconds=5.0, rate=50.0, seed=2
    )
    for name in pd.read_csv(root / "labels.csv")["file"]:
        (record,) = CsvReader().read(str(root / name))
        assert plugin.validate(record.array) == []
        out = plugin.normalize(record.array)
        assert out.shape == (6, 150)
        assert plugin.validate(out) == []


@pytest.mark.parametrize("activity", ACTIVITIES)
def test_gravity_is_one_g_on_average(activity: str) -> None:
    values, _ = make(activity)
    magnitude = np.linalg.norm(values[:3], axis=0)
    assert magnitude.mean() == pytest.approx(1.0, abs=0.12)


@pytest.mark.parametrize(
    ("activity", "step_hz"), [("walk", 1.8), ("run", 2.7), ("stairs", 1.6), ("cycle", 1.25)]
)
def test_rhythm_matches_the_activity(activity: str, step_hz: float) -> None:
    values, cadence = make(activity, seed=3)
    if activity == "cycle":  # pedalling shows in the thigh's rotation rate
        found = dominant_hz(np.linalg.norm(values[3:], axis=0)) / 2
    else:
        found = dominant_hz(np.linalg.norm(values[:3], axis=0))
    assert found == pytest.approx(step_hz * cadence, rel=0.08)


def test_rest_is_still_and_run_is_vigorous() -> None:
    rest, _ = make("rest")
    run, _ = make("run")
    assert np.linalg.norm(rest[:3], axis=0).std() < 0.03
    assert np.linalg.norm(run[:3], axis=0).std() > 0.3
    assert np.abs(run[3:]).max() > 5 * np.abs(rest[3:]).max()


def test_subjects_wear_the_sensor_differently() -> None:
    rng = np.random.default_rng(0)
    gravity = []
    for i in range(2):
        subject = make_subject(rng, f"s{i}")
        values = synth_values("walk", subject, 10.0, RATE, rng)
        gravity.append(values[:3].mean(axis=1))
    cosine = gravity[0] @ gravity[1] / np.linalg.norm(gravity[0]) / np.linalg.norm(gravity[1])
    assert cosine < 0.95


def features(values: np.ndarray) -> list[float]:
    acc = np.linalg.norm(values[:3], axis=0)
    gyr = np.linalg.norm(values[3:], axis=0)
    return [acc.std(), gyr.mean(), dominant_hz(acc), dominant_hz(gyr)]


def test_labels_are_learnable_across_subjects() -> None:
    rng = np.random.default_rng(12)
    rows, labels, subjects = [], [], []
    for s in range(5):
        subject = make_subject(rng, f"s{s}")
        for activity in ACTIVITIES:
            for _ in range(3):
                rows.append(features(synth_values(activity, subject, 10.0, RATE, rng)))
                labels.append(activity)
                subjects.append(s)
    x, y, subj = np.array(rows), np.array(labels), np.array(subjects)
    train, test = subj < 4, subj == 4
    mean, std = x[train].mean(0), x[train].std(0)
    model = LogisticRegression(max_iter=2000).fit((x[train] - mean) / std, y[train])
    assert model.score((x[test] - mean) / std, y[test]) >= 0.8
