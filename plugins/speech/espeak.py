"""Real synthetic speech from the Debian ``espeak-ng`` program, when it is installed.

espeak-ng is a formant synthesiser: its digits are intelligible English words, a
harder and more realistic demo than the source-filter generator. Speakers differ by
voice variant, pitch and speed; each clip varies pitch and speed a little. The program
is optional: ``espeak_available()`` says whether it is on PATH, and asking for it when
it is absent raises an error saying how to install it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import soundfile as sf
import torch

from plugins.speech.normalize import resample_waveform
from plugins.speech.phonetics import SPOKEN

PROGRAM = "espeak-ng"
VARIANTS = ("m1", "f2", "m3", "f4", "m7", "f1", "m2", "f3", "m4", "f5")


def espeak_available() -> bool:
    return shutil.which(PROGRAM) is not None


def render_espeak(
    label: str, speaker: int, index: int, rate: int, rng: np.random.Generator
) -> np.ndarray:
    """The digit ``label`` spoken by espeak-ng voice ``speaker``, float32 mono at ``rate``."""
    program = shutil.which(PROGRAM)
    if program is None:
        raise RuntimeError(
            f"engine='espeak' needs the {PROGRAM} program, which is not on PATH; install it "
            "(Debian/Ubuntu: apt-get install espeak-ng) or use engine='synthetic'"
        )
    if label not in SPOKEN:
        raise ValueError(f"espeak renders digits 0-9 only, got label {label!r}")
    voice_rng = np.random.default_rng([speaker, 104729])
    pitch = int(np.clip(voice_rng.integers(20, 80) + rng.integers(-5, 6), 0, 99))
    speed = int(np.clip(voice_rng.integers(130, 190) + rng.integers(-15, 16), 80, 450))
    voice = f"en+{VARIANTS[speaker % len(VARIANTS)]}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"{label}_{speaker}_{index}.wav"
        command = [program, "-v", voice, "-p", str(pitch), "-s", str(speed), "-w", str(out)]
        subprocess.run([*command, SPOKEN[label]], check=True, capture_output=True, timeout=60)
        values, source_rate = sf.read(out, dtype="float32", always_2d=True)
    mono = torch.from_numpy(np.ascontiguousarray(values.mean(axis=1)))
    clip = trim_silence(resample_waveform(mono, float(source_rate), float(rate)).numpy(), rate)
    peak = np.abs(clip).max()
    return (clip / peak * 0.5 if peak > 0 else clip).astype(np.float32)


def trim_silence(clip: np.ndarray, rate: int, floor_db: float = -50.0) -> np.ndarray:
    """Cut the digital silence espeak-ng leaves around a word, keeping 30 ms margins as
    FSDD's trimmed recordings do."""
    peak = np.abs(clip).max()
    if peak == 0:
        return clip
    loud = np.flatnonzero(np.abs(clip) > peak * 10 ** (floor_db / 20))
    margin = int(0.03 * rate)
    return clip[max(0, loud[0] - margin) : loud[-1] + margin + 1]
