"""Checks on audio source files before and after libsndfile opens them.

libsndfile reports "Format not recognised" for an empty file, a text file and a
corrupt one alike, and reads a WAV whose data was cut short without complaint. These
checks tell the cases apart, so each bad file is quarantined with a reason a person
can act on: the file, the problem and the fix.
"""

from __future__ import annotations

import struct
from pathlib import Path

SNIFF_BYTES = 4096
MP3_FRAME_SYNC_SECOND_BYTES = frozenset({0xE2, 0xE3, 0xF2, 0xF3, 0xFA, 0xFB})


def is_wav_head(head: bytes) -> bool:
    """RIFF/RF64/W64-style WAV magic."""
    return head[:4] in (b"RIFF", b"RF64", b"BW64") and head[8:12] == b"WAVE"


def is_flac_head(head: bytes) -> bool:
    return head[:4] == b"fLaC"


def is_ogg_head(head: bytes) -> bool:
    return head[:4] == b"OggS"


def is_mp3_head(head: bytes) -> bool:
    """An ID3v2 tag or an MPEG audio frame sync word at the start."""
    if head[:3] == b"ID3":
        return True
    return len(head) >= 2 and head[0] == 0xFF and head[1] in MP3_FRAME_SYNC_SECOND_BYTES


def looks_like_text(head: bytes) -> bool:
    """Printable UTF-8 without NUL bytes: a text file, whatever its name says."""
    if not head or b"\x00" in head:
        return False
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # a character cut at the sniff boundary is fine
            return False
        text = head[: exc.start].decode("utf-8")
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable >= 0.95 * len(text)


def read_head(path: str) -> bytes:
    with Path(path).open("rb") as handle:
        return handle.read(SNIFF_BYTES)


def check_source(path: str, kind: str) -> None:
    """Refuse a missing, empty or text file before libsndfile sees it."""
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"{path}: not a file; point the catalog glob at {kind} files")
    if file.stat().st_size == 0:
        raise ValueError(
            f"{path}: the file is empty (0 bytes), a zero-length {kind}; the recording was "
            "not written or the copy failed: re-export or re-copy it, or exclude it from the glob"
        )
    head = read_head(path)
    if looks_like_text(head):
        preview = head[:40].decode("utf-8", errors="replace").splitlines()[0]
        raise ValueError(
            f"{path}: is a text file (it starts {preview!r}), not {kind} audio; the suffix is "
            "wrong: give it its real suffix or exclude it from the catalog glob"
        )


def open_failure(path: str, kind: str, detail: str) -> ValueError:
    """Turn a libsndfile open error into a message that says what to do."""
    head = read_head(path)
    if is_wav_head(head) or is_flac_head(head) or is_ogg_head(head):
        problem = "its header is damaged or truncated"
    else:
        problem = f"it is not a {kind} file libsndfile recognises (first bytes {head[:8]!r})"
    return ValueError(
        f"{path}: cannot be opened as audio: {problem} (libsndfile: {detail.strip()}); "
        "re-export or re-copy the file, or exclude it from the catalog glob"
    )


def wav_data_chunk(path: str) -> tuple[int, int] | None:
    """(declared, present) byte counts of a RIFF WAV's data chunk, or None if not found.

    The header's declared size against the bytes actually in the file reveals a WAV cut
    short in transfer, which libsndfile would otherwise read as a shorter clip.
    """
    size = Path(path).stat().st_size
    with Path(path).open("rb") as handle:
        if handle.read(12)[:4] != b"RIFF":
            return None
        while True:
            header = handle.read(8)
            if len(header) < 8:
                return None
            chunk_id, chunk_size = header[:4], struct.unpack("<I", header[4:])[0]
            if chunk_id == b"data":
                return chunk_size, size - handle.tell()
            handle.seek(chunk_size + (chunk_size & 1), 1)


def check_wav_complete(path: str) -> None:
    """A RIFF WAV whose data chunk is shorter than its header declares is truncated."""
    sizes = wav_data_chunk(path)
    if sizes is None:
        return
    declared, present = sizes
    if present < declared:
        raise ValueError(
            f"{path}: the WAV is truncated: its header declares {declared} bytes of audio but "
            f"only {max(present, 0)} are in the file; the copy or recording was cut short: "
            "re-copy or re-export it, or exclude it from the catalog glob"
        )


def check_has_frames(path: str, frames: int) -> None:
    if frames == 0:
        raise ValueError(
            f"{path}: holds no audio frames (a zero-length recording); re-export it or exclude "
            "it from the catalog glob"
        )
