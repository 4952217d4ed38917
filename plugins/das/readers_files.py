"""Cheap checks on a DAS file before any library reads it, each failing with a clear reason.

DASCore answers a bad file with "Could not determine file format"; ingest needs to say
why (a text file named .h5, a truncated HDF5, an HDF5 of no DAS layout, a SEG-Y whose
traces disagree), so these checks run first and name the problem and the fix.
"""

from __future__ import annotations

import os
from pathlib import Path

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
HDF5_OFFSETS = (0, 512, 1024, 2048)  # a user block shifts the superblock by a power of two
HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf", ".he5", ".nc", ".nc4")
SEGY_SUFFIXES = (".sgy", ".segy")
SEGY_HEADERS = 3600  # textual (3200) + binary (400) file headers
SEGY_TRACE_HEADER = 240


def head_of(path: str, size: int = 4096) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def is_hdf5_head(head: bytes) -> bool:
    return any(head[offset : offset + 8] == HDF5_MAGIC for offset in HDF5_OFFSETS)


def looks_pickled(head: bytes) -> bool:
    """A pickle (DASCore's PICKLE format, or any): never loaded, since loading runs code."""
    return b"dascore.core" in head[:100] or (len(head) > 1 and head[0] == 0x80 and head[1] <= 5)


def describe_head(head: bytes) -> str:
    """A few words on what the first bytes look like, for error messages."""
    if not head:
        return "it is empty"
    sample = head[:40]
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError:
        return f"it starts with the bytes {sample[:16]!r}"
    if text.isprintable() or all(c.isprintable() or c in "\r\n\t" for c in text):
        return f"it is text, starting {text.strip()[:30]!r}"
    return f"it starts with the bytes {sample[:16]!r}"


def check_readable(path: str) -> bytes:
    """The head of a regular, non-empty file that is not a pickle; ValueError otherwise."""
    if not os.path.isfile(path):
        raise ValueError(f"{path}: not a file; a DAS source is one file per recording")
    head = head_of(path)
    if not head:
        raise ValueError(f"{path}: the file is empty (0 bytes); re-copy it from the recorder")
    if looks_pickled(head):
        raise ValueError(
            f"{path}: a Python pickle; pickles are never loaded (loading one runs arbitrary "
            "code): export the data as DASDAE HDF5 (dascore.write) and ingest that"
        )
    return head


def check_hdf5_named(path: str, head: bytes) -> None:
    """A file named as HDF5 must start like one (a text or HTML file renamed .h5 does not)."""
    if Path(path).suffix.lower() in HDF5_SUFFIXES and not is_hdf5_head(head):
        raise ValueError(
            f"{path}: named {Path(path).suffix} but not an HDF5 file ({describe_head(head)}); "
            "the download or copy failed, or the file was renamed: fetch the original"
        )


def hdf5_problem(path: str) -> str | None:
    """Why h5py cannot open the file (truncated, corrupt), or None if it opens."""
    import h5py

    try:
        with h5py.File(path, "r"):
            return None
    except OSError as exc:
        text = str(exc)
    if "truncated" in text:
        size = os.path.getsize(path)
        return (
            f"a truncated HDF5 file ({size:,} bytes on disk, fewer than its superblock "
            f"declares; h5py: {text}); the copy or the recording stopped early: re-copy it"
        )
    return f"a corrupt HDF5 file (h5py: {text}); re-copy it or re-export it from the recorder"


def hdf5_layout(path: str, limit: int = 8) -> str:
    """The top-level groups and datasets, to show what an unknown HDF5 holds."""
    import h5py

    with h5py.File(path, "r") as handle:
        names = sorted(handle.keys())
    shown = ", ".join(names[:limit]) + (", ..." if len(names) > limit else "")
    return shown or "nothing"


def segy_problem(path: str) -> str | None:
    """Why a SEG-Y file's traces cannot form an array: lengths that differ, or a size that
    is not a whole number of traces (DASCore reads such a file without complaint)."""
    import segyio

    try:
        with segyio.open(path, "r", ignore_geometry=True) as handle:
            declared = int(handle.bin[segyio.BinField.Samples])
            counts = handle.attributes(segyio.TraceField.TRACE_SAMPLE_COUNT)[:]
            traces, extra = handle.tracecount, int(handle.ext_headers)
            itemsize = 1 if handle.format == 8 else 2 if handle.format in (3, 11) else 4
    except RuntimeError as exc:
        return f"traces of unequal length or a truncated file (segyio: {exc})"
    odd = sorted({int(c) for c in counts} - {declared, 0})
    if odd:
        bad = [i for i, c in enumerate(counts) if int(c) in odd][:5]
        return (
            f"traces of inconsistent length: the binary header declares {declared} samples per "
            f"trace, trace headers {bad} declare {odd}; a DAS array needs equal traces: "
            "re-export the file with fixed-length traces"
        )
    expected = SEGY_HEADERS + 3200 * extra + traces * (SEGY_TRACE_HEADER + declared * itemsize)
    size = os.path.getsize(path)
    if size != expected:
        return (
            f"{size:,} bytes where {traces} traces of {declared} samples take {expected:,}: "
            "truncated, or traces of unequal length; re-copy or re-export it"
        )
    return None
