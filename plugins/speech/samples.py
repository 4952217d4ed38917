"""Small real audio files, one per reader, for the conformance suite (``Plugin.samples``).

Each is a synthetic word (``generator.synthesize_word``) written by soundfile in its
container and codec at its own rate and channel count, so the checks also cover
resampling and mix-down.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf

from plugins.speech.generator import make_speaker, synthesize_word
from plugins.speech.readers import FLAC_READER, MP3_READER, OGG_READER, WAV_READER
from sslsci.plugins import Sample

SAMPLES = (  # reader, file, rate, channels, subtype
    (WAV_READER, "digit_8k.wav", 8000, 1, "PCM_16"),
    (FLAC_READER, "digit_44k_stereo.flac", 44100, 2, "PCM_24"),
    (OGG_READER, "digit_22k.ogg", 22050, 1, "VORBIS"),
    (MP3_READER, "digit_16k.mp3", 16000, 1, "MPEG_LAYER_III"),
)


def write_samples(folder: Path, seed: int = 0) -> list[Sample]:
    """One file per available reader in ``folder``; readers this libsndfile cannot write
    or read (MP3 before 1.1) are left out, and say so through ``available``."""
    written = []
    for index, (reader, name, rate, channels, subtype) in enumerate(SAMPLES):
        if not reader.available:
            continue
        rng = np.random.default_rng([seed, index])
        speaker = make_speaker(index, seed)
        words = [synthesize_word(str(index + k), speaker, rate, rng) for k in range(channels)]
        length = max(len(w) for w in words)
        clip = np.stack([np.pad(w, (0, length - len(w))) for w in words], axis=1)
        path = folder / name
        sf.write(path, clip, rate, subtype=subtype)
        written.append(Sample(path, reader.name, {}))
    return written
