"""The synthetic speech generator: seeded, FSDD-named, labelled, learnable across speakers."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import torch

from plugins.speech.espeak import espeak_available
from plugins.speech.features import LogMel
from plugins.speech.generator import make_speaker, synthesize_word, write_demo_archive
from plugins.speech.readers import WAV_READER
from plugins.speech.validate import validate_array

NAME = re.compile(r"(?P<label>\d)_(?P<speaker>[a-z0-9]+)_(?P<index>\d+)\.wav")


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> tuple[Path, list[Path]]:
    root = tmp_path_factory.mktemp("speech_demo")
    return root, write_demo_archive(root, speakers=3, clips_per_word=3, words=10, seed=1)


def test_archive_layout_labels_and_readme(archive) -> None:
    root, paths = archive
    assert len(paths) == 3 * 10 * 3
    matches = [NAME.fullmatch(p.name) for p in paths]
    assert all(matches)
    assert {m["label"] for m in matches} == {str(d) for d in range(10)}
    assert len({m["speaker"] for m in matches}) == 3
    with (root / "labels.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["file"], r["label"], r["speaker"]) for r in rows] == [
        (p.name, m["label"], m["speaker"]) for p, m in zip(paths, matches, strict=True)
    ]
    readme = (root / "README.txt").read_text()
    assert readme.startswith("SYNTHETIC speech demo archive") and "not recorded from" in readme


def test_clips_are_valid_speech_like_audio(archive) -> None:
    _, paths = archive
    for path in paths[::7]:
        array = next(iter(WAV_READER.read(str(path)))).array
        assert validate_array(array) == []
        assert array.attrs["sampling_rate"] == 16000.0
        assert 0.15 < array.attrs["duration"] < 1.2
        assert 0.2 < float(np.abs(array.values).max()) < 0.75


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path, archive) -> None:
    root, paths = archive
    again = write_demo_archive(tmp_path / "a", speakers=3, clips_per_word=3, words=10, seed=1)
    assert [p.read_bytes() for p in again] == [p.read_bytes() for p in paths]
    other = write_demo_archive(tmp_path / "b", speakers=1, clips_per_word=1, words=2, seed=2)
    assert other[0].read_bytes() != (root / other[0].name).read_bytes()


def autocorrelation_f0(clip: np.ndarray, rate: int) -> float:
    """Pitch of the middle 80 ms from the autocorrelation peak between 70 and 400 Hz."""
    middle = clip.size // 2
    frame = clip[middle - int(0.04 * rate) : middle + int(0.04 * rate)]
    frame = frame - frame.mean()
    corr = np.correlate(frame, frame, mode="full")[frame.size - 1 :]
    low, high = rate // 400, rate // 70
    return rate / (low + int(np.argmax(corr[low:high])))


def test_speakers_differ_in_pitch_as_modelled() -> None:
    for index in range(4):
        speaker = make_speaker(index, seed=0)
        clip = synthesize_word("1", speaker, 16000, np.random.default_rng(index))
        assert autocorrelation_f0(clip, 16000) == pytest.approx(speaker.f0, rel=0.2)


def thirds_logmel(path: Path, logmel: LogMel) -> np.ndarray:
    """Mean log-mel of each third of the clip: a crude trajectory of the formants."""
    values, _ = sf.read(path, dtype="float32")
    spec = logmel.raw(torch.from_numpy(values)[None])[0].numpy()
    return np.concatenate([part.mean(axis=1) for part in np.array_split(spec, 3, axis=1)])


def test_words_are_recognisable_by_an_unseen_speaker(archive) -> None:
    """Nearest class centroid from two speakers labels the third speaker's words."""
    _, paths = archive
    logmel = LogMel()
    features = np.stack([thirds_logmel(p, logmel) for p in paths])
    labels = np.array([NAME.fullmatch(p.name)["label"] for p in paths])
    speakers = np.array([NAME.fullmatch(p.name)["speaker"] for p in paths])
    held_out = speakers == speakers[0]
    centroids = {c: features[~held_out & (labels == c)].mean(axis=0) for c in set(labels)}
    predicted = [
        min(centroids, key=lambda c: np.linalg.norm(f - centroids[c])) for f in features[held_out]
    ]
    assert np.mean(np.array(predicted) == labels[held_out]) >= 0.6  # chance is 0.1


def test_bad_arguments_are_explained(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="words=11"):
        write_demo_archive(tmp_path, words=11)
    with pytest.raises(ValueError, match="engine='festival'"):
        write_demo_archive(tmp_path, engine="festival")
    with pytest.raises(ValueError, match="unknown synthetic word"):
        synthesize_word("x", make_speaker(0, 0), 16000, np.random.default_rng(0))


@pytest.mark.skipif(not espeak_available(), reason="espeak-ng is not on PATH")
def test_espeak_engine_renders_spoken_digits(tmp_path: Path) -> None:
    paths = write_demo_archive(tmp_path, speakers=2, clips_per_word=1, words=2, engine="espeak")
    assert [p.name for p in paths] == ["0_ana_0.wav", "1_ana_0.wav", "0_ben_0.wav", "1_ben_0.wav"]
    arrays = [next(iter(WAV_READER.read(str(p)))).array for p in paths]
    assert all(validate_array(a) == [] for a in arrays)
    assert all(0.2 < a.attrs["duration"] < 1.5 for a in arrays)
    assert "espeak-ng" in (tmp_path / "README.txt").read_text()
    assert arrays[0].shape != arrays[2].shape or not np.allclose(arrays[0], arrays[2])
