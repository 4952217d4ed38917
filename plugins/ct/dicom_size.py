"""Declared DICOM sizes, bounded before any pixel data is decoded or inflated.

pydicom inflates a Deflated Explicit VR file whole, even for ``stop_before_pixels``, and
decodes pixel data to Rows x Columns x NumberOfFrames samples: so a 1 MB file can make
it allocate gigabytes. Here the header is read from a bounded inflated prefix, its
declared size is checked against ``max_voxels``, and the stream is inflated (and thrown
away) only as far as the header says it can go.
"""

from __future__ import annotations

import zlib
from pathlib import Path

from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.filebase import DicomBytesIO
from pydicom.filereader import _at_pixel_data, _read_file_meta_info, read_dataset, read_preamble
from pydicom.uid import DeflatedExplicitVRLittleEndian

HEADER_BYTES = 2 * 2**20  # a deflated header (before pixel data) longer than this is refused
SLACK_BYTES = 2**20  # padding a writer may leave after the pixel data
CHUNK = 2**20


def declared_voxels(header: Dataset, where: str) -> int:
    """Rows x Columns x NumberOfFrames x SamplesPerPixel, each checked to be positive."""
    sizes = {
        key: header.get(key, 1 if key in ("NumberOfFrames", "SamplesPerPixel") else None)
        for key in ("Rows", "Columns", "NumberOfFrames", "SamplesPerPixel")
    }
    try:
        counts = {key: int(value if value not in (None, "") else 1) for key, value in sizes.items()}
    except (TypeError, ValueError):
        counts = {}
    if sizes["Rows"] is None or not counts or min(counts.values()) < 1:
        raise ValueError(
            f"{where}: its header declares {sizes}, not a positive image size; the header "
            "is corrupt: export the image again"
        )
    total = 1
    for value in counts.values():
        total *= value
    return total


def check_voxels(voxels: int, limit: int, what: str, where: str) -> None:
    if voxels > limit:
        raise ValueError(
            f"{where}: its header declares {what} = {voxels:,} voxels, above max_voxels="
            f"{limit:,}; a corrupt header or a huge scan: fix the file, or raise max_voxels "
            "in the entry's options if the scan really is this large"
        )


def _inflate(stream: zlib._Decompress, fp, wanted: int) -> bytearray:
    """Up to ``wanted`` inflated bytes, reading the file a chunk at a time."""
    out = bytearray()  # grown in place: no second copy of the prefix
    while len(out) < wanted:
        data = stream.unconsumed_tail or fp.read(CHUNK)
        if not data:
            break
        out += stream.decompress(data, wanted - len(out))
        if stream.eof:
            break
    return out


def check_deflated(file: Path, limit: int, where: str) -> None:
    """For a deflated file: refuse a header above ``max_voxels`` and a stream that
    inflates past what its header declares, without holding more than one chunk."""
    with file.open("rb") as fp:
        try:
            read_preamble(fp, False)
            meta = _read_file_meta_info(fp)
        except (InvalidDicomError, EOFError, OSError, ValueError):
            return  # not a DICOM file: the reader says so
        if str(meta.get("TransferSyntaxUID", "")) != DeflatedExplicitVRLittleEndian:
            return
        stream = zlib.decompressobj(-zlib.MAX_WBITS)
        try:
            prefix = _inflate(stream, fp, HEADER_BYTES)
            buffer = DicomBytesIO(prefix)
            header = read_dataset(buffer, False, True, stop_when=_at_pixel_data)
            header_end = buffer.tell()
        except (zlib.error, EOFError, ValueError) as exc:
            raise ValueError(
                f"{where}: its deflated data cannot be inflated ({type(exc).__name__}: {exc}); "
                "the file is truncated or corrupt: copy or export it again"
            ) from exc
        if "Rows" not in header:
            if len(prefix) < HEADER_BYTES:
                return  # a whole dataset without an image: the reader says so
            raise ValueError(
                f"{where}: its deflated header runs past {HEADER_BYTES:,} bytes without "
                "declaring an image size; a deflate bomb or a corrupt file: export it again"
            )
        voxels = declared_voxels(header, where)
        check_voxels(voxels, limit, "Rows x Columns x frames", where)
        bits = int(header.get("BitsAllocated") or 16)
        bound = header_end + voxels * max(bits, 8) // 8 + SLACK_BYTES
        total = len(prefix)
        while not stream.eof and total <= bound:
            chunk = _inflate(stream, fp, CHUNK)
            if not chunk:
                break
            total += len(chunk)
    if total > bound:
        raise ValueError(
            f"{where}: its deflated data inflates to more than the {bound:,} bytes its header "
            f"declares ({voxels:,} voxels of {bits} bits); a deflate bomb or a corrupt "
            "header: export the image again"
        )
