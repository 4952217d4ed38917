"""Audio readers through soundfile (libsndfile): WAV, FLAC, OGG/Vorbis/Opus, MP3.

soundfile bundles libsndfile, so no FFmpeg is needed (``torchaudio.load`` would need it).
A read can be limited to a window (options ``start`` and ``frames``, in the file's own
samples, or ``start_seconds`` and ``seconds``; see ``options.WindowOptions``): the file is
seeked, never decoded whole, so cutting 3 s from an hour-long recording costs 3 s of
decoding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import soundfile as sf
import xarray as xr

from plugins.speech.options import WindowOptions
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

DECODE_BLOCK = 4096  # frames per read: a decoder error is located to within a block


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


def window_from_options(options: WindowOptions, rate: float) -> Window:
    """The window the checked options ask for: ``start``/``frames`` (samples) or
    ``start_seconds``/``seconds`` (converted at the file's ``rate``)."""
    start, frames = options.start, options.frames
    if options.start_seconds is not None:
        start = round(options.start_seconds * rate)
    if options.seconds is not None:
        frames = round(options.seconds * rate)
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


def check_read_length(handle: sf.SoundFile, window: Window, max_seconds: float, path: str) -> None:
    """Refuse, before allocating, a read longer than option ``max_read_seconds``: the frame
    count comes from the header, which a corrupt or hostile file can inflate."""
    available = max(handle.frames - window.start, 0)
    count = available if window.frames is None else min(available, window.frames)
    seconds = count / handle.samplerate
    if seconds > max_seconds:
        raise ValueError(
            f"{path}: the header declares {count} frames to read ({seconds:.0f} s at "
            f"{handle.samplerate} Hz, {handle.channels} channel(s)), more than "
            f"max_read_seconds={max_seconds:g}; read it in parts with options: "
            "{segment_seconds: ...}, or raise max_read_seconds if it really is this long"
        )


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
    return decode_blocks(handle, min(wanted, total - window.start), path)


def decode_blocks(handle: sf.SoundFile, count: int, path: str) -> np.ndarray:
    """``[channel, time]`` float32 of the next ``count`` frames, decoded block by block so
    a decoder error (a truncated FLAC: "lost sync") says how far decoding got."""
    data = np.empty((count, handle.channels), dtype=np.float32)
    done = 0
    while done < count:
        try:
            got = handle.read(frames=min(DECODE_BLOCK, count - done), out=data[done:])
        except sf.LibsndfileError as exc:
            raise truncated_audio(path, handle, done, count, exc.error_string) from exc
        if len(got) == 0:
            break
        done += len(got)
    return np.ascontiguousarray(data[:done].T)


def truncated_audio(
    path: str, handle: sf.SoundFile, done: int, count: int, detail: str = ""
) -> ValueError:
    """A file whose header declares more frames than can be decoded."""
    why = f" (libsndfile: {detail.strip()})" if detail else ""
    return ValueError(
        f"{path}: truncated audio file: the {handle.format} header declares {count} frames but "
        f"decoding stopped after {done}{why}; the copy or recording was cut short or is "
        "corrupt: re-copy or re-export it, or exclude it from the catalog glob"
    )


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
    """The whole file, or the window the options name (the ``WindowOptions`` fields among
    ``options``), as a ``("channel", "time")`` array."""
    wanted = WindowOptions.pick(options)
    with open_sound(path, kind) as handle:
        if handle.format == "WAV":
            check_wav_complete(path)
        check_has_frames(path, handle.frames)
        window = window_from_options(wanted, handle.samplerate)
        check_read_length(handle, window, wanted.max_read_seconds, path)
        values = read_frames(handle, window, path)
        available = handle.frames - window.start
        expected = available if window.frames is None else min(available, window.frames)
        if values.shape[1] < expected:
            raise truncated_audio(path, handle, values.shape[1], expected)
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

    @property
    def available(self) -> bool:
        """Whether this libsndfile reads the container (MP3 needs libsndfile 1.1 or later)."""
        return self.kind in sf.available_formats()

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """Yield the file (or the window the options name) as one record, or with option
        ``segment_seconds`` as consecutive segments (items "0", "1", ...), so ingesting an
        hour-long recording never holds more than one segment in memory."""
        wanted = WindowOptions.pick(options)
        if wanted.segment_seconds is None:
            yield Record(array=read_audio(path, self.kind, **options))
            return
        for index, window in enumerate(segment_windows(path, self.kind, wanted.segment_seconds)):
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
