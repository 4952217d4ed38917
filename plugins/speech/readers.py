"""Audio readers through soundfile (libsndfile): WAV, FLAC, OGG/Vorbis/Opus, MP3.

soundfile bundles libsndfile, so no FFmpeg is needed (``torchaudio.load`` would need it).
A read can be limited to a window (options ``start`` and ``frames``, in the file's own
samples, or ``start_seconds`` and ``seconds``): the file is seeked, never decoded whole,
so cutting 3 s from an hour-long recording costs 3 s of decoding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import soundfile as sf
import xarray as xr

from plugins.speech.sources import (
    check_has_frames,
    check_source,
    check_wav_complete,
    is_flac_head,
    is_mp3_head,
    is_ogg_head,
    is_wav_head,
    open_failure,
)
from plugins.speech.spec import UNITS
from sslsci.plugins.contract import Record


def channel_names(count: int) -> list[str]:
    """'mono', 'left'/'right', or 'ch0'..'chN' for multichannel files."""
    if count == 1:
        return ["mono"]
    if count == 2:
        return ["left", "right"]
    return [f"ch{i}" for i in range(count)]


@dataclass(frozen=True)
class Window:
    """A span of sample frames in the file's own rate; ``frames=None`` reads to the end."""

    start: int = 0
    frames: int | None = None


def _int_option(options: Mapping[str, Any], key: str, path: str) -> int | None:
    value = options.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 0:
        raise ValueError(f"{path}: option {key}={value!r} must be a whole number of samples >= 0")
    return int(value)


def _seconds_option(options: Mapping[str, Any], key: str, path: str) -> float | None:
    value = options.get(key)
    if value is None:
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = float("nan")
    if not (seconds >= 0 and np.isfinite(seconds)):
        raise ValueError(f"{path}: option {key}={value!r} must be a number of seconds >= 0")
    return seconds


def window_from_options(options: Mapping[str, Any], rate: float, path: str) -> Window:
    """The window the options ask for: ``start``/``frames`` (samples) or ``start_seconds``/
    ``seconds``; both forms at once is an error."""
    start, frames = _int_option(options, "start", path), _int_option(options, "frames", path)
    start_s = _seconds_option(options, "start_seconds", path)
    seconds = _seconds_option(options, "seconds", path)
    if (start is not None or frames is not None) and (start_s is not None or seconds is not None):
        raise ValueError(
            f"{path}: give the window either as start/frames (samples) or as "
            "start_seconds/seconds, not both"
        )
    if start_s is not None:
        start = round(start_s * rate)
    if seconds is not None:
        frames = round(seconds * rate)
    return Window(start=start or 0, frames=frames)


def open_sound(path: str, kind: str) -> sf.SoundFile:
    """Open with libsndfile, after the cheap checks; failures become clear ValueErrors."""
    check_source(path, kind)
    try:
        return sf.SoundFile(path)
    except sf.LibsndfileError as exc:
        raise open_failure(path, kind, exc.error_string) from exc
    except sf.SoundFileError as exc:
        raise open_failure(path, kind, str(exc)) from exc


def read_frames(handle: sf.SoundFile, window: Window, path: str) -> np.ndarray:
    """``[channel, time]`` float32 samples of ``window``, seeking to its start."""
    total = handle.frames
    if window.start > total:
        raise ValueError(
            f"{path}: window start {window.start} is past the end of the file ({total} samples "
            f"at {handle.samplerate} Hz); choose a start below {total}"
        )
    wanted = total - window.start if window.frames is None else window.frames
    if window.start:
        handle.seek(window.start)
    data = handle.read(frames=min(wanted, total - window.start), dtype="float32", always_2d=True)
    return np.ascontiguousarray(data.T)


def build_array(
    values: np.ndarray, rate: float, path: str, handle: sf.SoundFile, window: Window
) -> xr.DataArray:
    """A ``("channel", "time")`` array with the attrs validate and normalize rely on."""
    array = xr.DataArray(
        values, dims=("channel", "time"), coords={"channel": channel_names(values.shape[0])}
    )
    array.attrs.update(
        sample_rate=float(rate),
        sampling_rate=float(rate),
        duration=values.shape[1] / float(rate),
        channels=int(values.shape[0]),
        source=str(path),
        units=UNITS,
        format=str(handle.format),
        subtype=str(handle.subtype),
        file_frames=int(handle.frames),
        start_frame=int(window.start),
    )
    return array


def read_audio(path: str, kind: str, **options: Any) -> xr.DataArray:
    """The whole file, or the window the options name, as a ``("channel", "time")`` array."""
    with open_sound(path, kind) as handle:
        if handle.format == "WAV":
            check_wav_complete(path)
        check_has_frames(path, handle.frames)
        window = window_from_options(options, handle.samplerate, path)
        values = read_frames(handle, window, path)
        available = handle.frames - window.start
        expected = available if window.frames is None else min(available, window.frames)
        if values.shape[1] < expected:
            raise ValueError(
                f"{path}: decoding stopped after {values.shape[1]} of {expected} samples; the "
                "file is truncated or corrupt: re-copy or re-export it"
            )
        return build_array(values, handle.samplerate, path, handle, window)


def read_window(path: str, start_s: float, seconds: float) -> xr.DataArray:
    """``seconds`` of audio from ``start_s``, decoding only that span (seek, then read)."""
    return read_audio(path, "audio", start_seconds=start_s, seconds=seconds)


@dataclass(frozen=True)
class SoundfileReader:
    """One audio container read through libsndfile; ``magic`` recognises its first bytes."""

    name: str
    suffixes: tuple[str, ...]
    magic: Callable[[bytes], bool]
    kind: str

    def sniff(self, path: str, head: bytes) -> bool:
        """Suffix or magic: a text file named .wav must reach read() for a clear error."""
        return path.lower().endswith(self.suffixes) or self.magic(head)

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """Yield the file (or the window the options name) as one record, or with option
        ``segment_seconds`` as consecutive segments (items "0", "1", ...), so ingesting an
        hour-long recording never holds more than one segment in memory."""
        segment = _seconds_option(options, "segment_seconds", path)
        if not segment:
            yield Record(array=read_audio(path, self.kind, **options))
            return
        if any(options.get(k) is not None for k in ("start", "frames", "start_seconds", "seconds")):
            raise ValueError(f"{path}: option segment_seconds cannot be combined with a window")
        for index, window in enumerate(segment_windows(path, self.kind, segment)):
            array = read_audio(path, self.kind, start=window.start, frames=window.frames)
            yield Record(array=array, item=str(index))


def segment_windows(path: str, kind: str, seconds: float) -> list[Window]:
    """Consecutive windows of ``seconds``; a tail shorter than half a segment joins the last."""
    with open_sound(path, kind) as handle:
        total, step = handle.frames, max(1, round(seconds * handle.samplerate))
    check_has_frames(path, total)
    starts = list(range(0, total, step))
    if len(starts) > 1 and total - starts[-1] < step / 2:
        starts.pop()
    bounds = [*starts[1:], total]
    return [Window(start, stop - start) for start, stop in zip(starts, bounds, strict=True)]


WAV_READER = SoundfileReader("wav", (".wav", ".wave"), is_wav_head, "WAV")
FLAC_READER = SoundfileReader("flac", (".flac",), is_flac_head, "FLAC")
OGG_READER = SoundfileReader("ogg", (".ogg", ".oga", ".opus"), is_ogg_head, "OGG")
MP3_READER = SoundfileReader("mp3", (".mp3",), is_mp3_head, "MP3")
READERS = (WAV_READER, FLAC_READER, OGG_READER, MP3_READER)
