"""Speech readers: real FSDD clips, every format and rate to one shape, windows, bad files."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from plugins.speech import plugin
from plugins.speech.normalize import normalize_array
from plugins.speech.readers import (
    FLAC_READER,
    MP3_READER,
    OGG_READER,
    READERS,
    WAV_READER,
    read_audio,
    read_window,
)
from sslsci.plugins import OptionsError

FSDD_NAME = re.compile(r"(?P<label>\d)_(?P<speaker>[a-z]+)_(?P<index>\d+)\.wav")


def read_one(reader, path: Path, **options):
    records = list(reader.read(str(path), **options))
    assert len(records) == 1
    return records[0].array


def test_fsdd_clips_read_and_normalise_to_16k(fsdd: Path) -> None:
    paths = sorted(fsdd.glob("*.wav"))
    assert len(paths) == 1500
    for path in paths[::150]:
        assert FSDD_NAME.fullmatch(path.name)
        info = sf.info(path)
        array = read_one(WAV_READER, path)
        assert array.dims == ("channel", "time")
        assert array.shape == (1, info.frames)
        assert array.dtype == np.float32
        assert array.attrs["sample_rate"] == array.attrs["sampling_rate"] == 8000.0
        assert array.attrs["duration"] == pytest.approx(info.frames / 8000.0)
        assert array.attrs["channels"] == 1
        assert array.attrs["source"] == str(path)
        reference, _ = sf.read(path, dtype="float32")
        np.testing.assert_array_equal(array.values[0], reference)
        out = normalize_array(array)
        assert out.attrs["sampling_rate"] == 16000.0
        assert out.shape == (1, 2 * info.frames)
        assert out.attrs["duration"] == pytest.approx(info.frames / 8000.0)
        assert out.attrs["original_sampling_rate"] == 8000.0
        assert list(out.coords["channel"].values) == ["mono"]


CASES = [
    ("wav", 8000, 1, "PCM_16"),
    ("wav", 22050, 1, "PCM_16"),
    ("wav", 44100, 2, "PCM_24"),
    ("wav", 48000, 2, "FLOAT"),
    ("flac", 44100, 1, "PCM_16"),
    ("flac", 48000, 2, "PCM_24"),
    ("ogg", 22050, 1, "VORBIS"),
    ("mp3", 44100, 2, "MPEG_LAYER_III"),
    ("mp3", 16000, 1, "MPEG_LAYER_III"),
]


@pytest.mark.parametrize(("fmt", "rate", "channels", "subtype"), CASES)
def test_every_format_and_rate_normalises_to_the_same_signal(
    tmp_path: Path, make_tones, fmt: str, rate: int, channels: int, subtype: str
) -> None:
    """0.5 s of the same tones at any rate, channel count or codec becomes [1, 8000] at
    16 kHz and matches the tones rendered directly at 16 kHz."""
    path = tmp_path / f"clip.{fmt}"
    sf.write(path, make_tones(rate, 0.5, channels), rate, subtype=subtype)
    reader = next(r for r in READERS if r.sniff(str(path), path.read_bytes()[:64]))
    assert reader.name == fmt
    array = read_one(reader, path)
    assert array.shape == (channels, round(rate * 0.5))
    out = normalize_array(array)
    assert out.shape == (1, 8000)
    assert out.dtype == np.float32
    assert out.attrs["sampling_rate"] == 16000.0 and out.attrs["channels"] == 1
    assert out.attrs["original_channels"] == channels
    expected = make_tones(16000, 0.5, channels).mean(axis=1)
    inner = slice(400, -400)  # resampling filters ring at the clip's edges
    if fmt in ("mp3", "ogg"):  # lossy codecs: compare spectra, not samples
        got, want = (np.abs(np.fft.rfft(v[inner])) for v in (out.values[0], expected))
        assert np.corrcoef(got, want)[0, 1] > 0.98
    else:
        error = np.sqrt(np.mean((out.values[0][inner] - expected[inner]) ** 2))
        assert error < 0.01 * np.sqrt(np.mean(expected**2)) + 2e-3


def test_stereo_without_mixdown_keeps_channels(tmp_path: Path, make_tones) -> None:
    path = tmp_path / "stereo.wav"
    sf.write(path, make_tones(44100, 0.25, 2), 44100)
    out = normalize_array(read_one(WAV_READER, path), mono=False)
    assert out.shape == (2, 4000)
    assert list(out.coords["channel"].values) == ["left", "right"]


def test_normalise_to_another_target_rate(tmp_path: Path, make_tones) -> None:
    path = tmp_path / "clip.wav"
    sf.write(path, make_tones(48000, 0.25), 48000)
    out = normalize_array(read_one(WAV_READER, path), target_rate=22050)
    assert out.shape == (1, math.ceil(12000 * 22050 / 48000))  # torchaudio rounds up
    with pytest.raises(OptionsError, match=r"target_rate: value 'fast': .*valid number"):
        plugin.parse_options({"target_rate": "fast"})
    with pytest.raises(OptionsError, match="target_rate: value 0"):
        plugin.parse_options({"target_rate": 0})


@pytest.mark.parametrize("fmt", ["wav", "flac", "ogg", "mp3"])
def test_window_equals_slice_of_full_read(tmp_path: Path, make_tones, fmt: str) -> None:
    """Lossless formats match bit for bit; lossy decoders restart their synthesis filter
    at the seek point and may differ in the last float bit."""
    path = tmp_path / f"long.{fmt}"
    sf.write(path, make_tones(22050, 3.0, 2, seed=3), 22050)
    atol = 0.0 if fmt in ("wav", "flac") else 1e-6

    def same(got: np.ndarray, want: np.ndarray) -> None:
        assert got.shape == want.shape
        np.testing.assert_allclose(got, want, rtol=0.0, atol=atol)

    full = read_audio(str(path), fmt).values
    same(read_audio(str(path), fmt, start=12345, frames=4410).values, full[:, 12345 : 12345 + 4410])
    seconds = read_window(str(path), 1.5, 0.5)
    same(seconds.values, full[:, 33075 : 33075 + 11025])
    assert seconds.attrs["start_frame"] == 33075
    assert seconds.attrs["duration"] == pytest.approx(0.5)
    same(read_audio(str(path), fmt, start_seconds=2.9, seconds=1.0).values, full[:, 63945:])


def test_long_files_read_in_segments(tmp_path: Path, make_tones) -> None:
    path = tmp_path / "long.flac"
    sf.write(path, make_tones(8000, 3.4), 8000)
    records = list(FLAC_READER.read(str(path), segment_seconds=1.0))
    assert [r.item for r in records] == ["0", "1", "2"]  # the 0.4 s tail joins the last
    assert [r.array.shape[1] for r in records] == [8000, 8000, 11200]
    assert [r.array.attrs["start_frame"] for r in records] == [0, 8000, 16000]
    whole = read_one(FLAC_READER, path).values
    np.testing.assert_array_equal(np.concatenate([r.array.values for r in records], 1), whole)
    with pytest.raises(OptionsError, match="cannot be combined"):
        plugin.parse_options({"segment_seconds": 1.0, "start": 5})
    with pytest.raises(OptionsError, match="segment_seconds"):
        plugin.parse_options({"segment_seconds": 0})


def test_window_options_are_checked(tmp_path: Path, make_tones) -> None:
    path = tmp_path / "clip.wav"
    sf.write(path, make_tones(8000, 0.5), 8000)
    with pytest.raises(ValueError, match="past the end"):
        read_audio(str(path), "WAV", start=10_000)
    with pytest.raises(OptionsError, match="not both"):
        plugin.parse_options({"start": 0, "seconds": 0.1})
    with pytest.raises(OptionsError, match="frames: value -3"):
        plugin.parse_options({"frames": -3})
    with pytest.raises(OptionsError, match=r"start: value 1\.5: .*valid integer"):
        plugin.parse_options({"start": 1.5})
    with pytest.raises(OptionsError, match="seconds: value -1"):
        plugin.parse_options({"seconds": -1})
    with pytest.raises(OptionsError, match="unknown key 'start_s'; accepted keys: start, frames"):
        plugin.parse_options({"start_s": 1.0})
    # the readers apply the same model to keywords given directly
    with pytest.raises(OptionsError, match="not both"):
        read_audio(str(path), "WAV", start=0, seconds=0.1)


def test_sniff_by_suffix_or_magic(tmp_path: Path, make_tones) -> None:
    path = tmp_path / "clip.flac"
    sf.write(path, make_tones(16000, 0.1), 16000)
    head = path.read_bytes()[:64]
    assert FLAC_READER.sniff("renamed.bin", head)
    assert not WAV_READER.sniff("renamed.bin", head)
    assert WAV_READER.sniff("anything.WAV", b"hello")  # bad files must reach read()
    assert OGG_READER.sniff("x.bin", b"OggS\x00") and MP3_READER.sniff("x.bin", b"ID3\x04")


def _reason(path: Path) -> str:
    with pytest.raises(ValueError) as info:
        read_one(WAV_READER, path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_zero_length_wav(tmp_path: Path) -> None:
    path = tmp_path / "zero.wav"
    sf.write(path, np.zeros(0, dtype=np.float32), 16000)
    assert "holds no audio frames" in _reason(path)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    assert "empty (0 bytes)" in _reason(empty)


def test_truncated_wav(tmp_path: Path, make_tones) -> None:
    whole = tmp_path / "whole.wav"
    sf.write(whole, make_tones(16000, 0.5), 16000, subtype="PCM_16")
    data = whole.read_bytes()
    cut_header = tmp_path / "cut_header.wav"
    cut_header.write_bytes(data[:20])
    assert "header is damaged or truncated" in _reason(cut_header)
    cut_data = tmp_path / "cut_data.wav"
    cut_data.write_bytes(data[:1000])
    message = _reason(cut_data)
    assert "truncated" in message and "declares 16000 bytes" in message
    no_data = tmp_path / "no_data.wav"
    no_data.write_bytes(data[:44])
    assert "only 0 are in the file" in _reason(no_data)


def test_text_file_named_wav(tmp_path: Path) -> None:
    path = tmp_path / "notes.wav"
    path.write_text("speaker: george\ndigit: 7\n")
    message = _reason(path)
    assert "is a text file" in message and "'speaker: george'" in message


def test_binary_garbage_named_wav(tmp_path: Path) -> None:
    path = tmp_path / "garbage.wav"
    path.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 512, dtype=np.uint8)))
    assert "not a WAV file libsndfile recognises" in _reason(path)
