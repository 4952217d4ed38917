"""Issue 10: a truncated FLAC is named as such, not with the decoder's raw message."""

from __future__ import annotations

from pathlib import Path

import pytest
import soundfile as sf

from plugins.speech.readers import FLAC_READER


def test_truncated_flac_says_frames_declared_and_decoded(tmp_path: Path, make_tones) -> None:
    whole = tmp_path / "whole.flac"
    sf.write(whole, make_tones(16000, 1.0), 16000)
    cut = tmp_path / "cut.flac"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(ValueError, match=r"truncated audio file: the FLAC header declares 16000"):
        list(FLAC_READER.read(str(cut)))


def test_declared_length_is_bounded_before_allocating(tmp_path: Path, make_tones) -> None:
    path = tmp_path / "long.flac"
    sf.write(path, make_tones(16000, 1.0), 16000)
    with pytest.raises(ValueError, match=r"more than max_read_seconds=0.5"):
        list(FLAC_READER.read(str(path), max_read_seconds=0.5))
