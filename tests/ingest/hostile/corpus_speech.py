"""Hostile speech sources: the bad WAV/FLAC cases of the speech reader and validation
tests, as files in one archive, with the reasons those tests expect."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from tests.ingest.hostile.odd_entries import write_odd_entries
from tests.plugins.speech.conftest import tones

MODALITY = "speech"
OPTIONS: dict = {}
INCLUDE = ["*.wav", "*.flac"]


def _broken(folder: Path, whole: bytes, rng: np.random.Generator) -> dict[str, str]:
    """Damaged containers: each named for what is wrong with it."""
    (folder / "empty.wav").write_bytes(b"")
    (folder / "cut_header.wav").write_bytes(whole[:20])
    (folder / "cut_data.wav").write_bytes(whole[:1000])
    (folder / "no_data.wav").write_bytes(whole[:44])
    (folder / "notes.wav").write_text("speaker: george\ndigit: 7\n")
    (folder / "garbage.wav").write_bytes(rng.bytes(512))
    sf.write(folder / "zero_frames.wav", np.zeros(0, np.float32), 16000)
    return {
        "empty.wav": "empty (0 bytes)",
        "cut_header.wav": "header is damaged or truncated",
        "cut_data.wav": "declares 16000 bytes",
        "no_data.wav": "only 0 are in the file",
        "notes.wav": "is a text file",
        "garbage.wav": "not a WAV file libsndfile recognises",
        "zero_frames.wav": "holds no audio frames",
    }


def _invalid(folder: Path, seed: int) -> dict[str, str]:
    """Files that decode, and fail validation."""
    sf.write(folder / "silence.wav", np.zeros(8000, np.float32), 16000)
    nan = tones(16000, 0.5, seed=seed)[:, 0]
    nan[[100, 2000, 2001]] = [np.nan, np.inf, np.nan]
    sf.write(folder / "nan.wav", nan, 16000, subtype="FLOAT")
    sf.write(folder / "bat_detector.wav", tones(6000, 0.5, seed=seed) * 0.5, 6000)
    sf.write(folder / "too_short.wav", tones(16000, 0.05, seed=seed), 16000)
    loud = np.clip(tones(16000, 0.5, seed=seed) * 4.0, -1.0, 1.0)
    sf.write(folder / "clipped.wav", loud, 16000)
    flac = folder / "cut.flac"
    sf.write(flac, tones(16000, 1.0, seed=seed), 16000, subtype="PCM_16")
    flac.write_bytes(flac.read_bytes()[: flac.stat().st_size // 2])
    return {
        "silence.wav": "the clip is silent",
        "nan.wav": "3 samples are not finite",
        "bat_detector.wav": "below min_rate=8000 hz",
        "too_short.wav": "min_seconds=0.1",
        "clipped.wav": "the clip is clipped",
        "cut.flac": "truncated audio file: the flac header declares 16000",
    }


def write_corpus(folder: Path, seed: int) -> dict[str, str | None]:
    """Write the speech corpus into ``folder``; {source name: expected reason or None}."""
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str | None] = {}
    for name, rate, subtype in (
        ("good_16k.wav", 16000, "PCM_16"),
        ("good_44k.flac", 44100, "PCM_24"),
    ):
        sf.write(folder / name, tones(rate, 0.5, channels=2, seed=seed), rate, subtype=subtype)
        expected[name] = None
    sf.write(folder / "whole.wav", tones(16000, 0.5, seed=seed), 16000, subtype="PCM_16")
    expected["whole.wav"] = None
    whole = (folder / "whole.wav").read_bytes()
    expected.update(_broken(folder, whole, np.random.default_rng(seed)))
    expected.update(_invalid(folder, seed))
    expected.update(write_odd_entries(folder, ".wav"))
    return expected
