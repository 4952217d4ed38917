"""What a file is, by its first bytes: readers sniff by content, never by name alone."""

from __future__ import annotations

from pathlib import Path

TIFF_MAGICS = (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")  # classic and BigTIFF
NETCDF3_MAGICS = (b"CDF\x01", b"CDF\x02", b"CDF\x05")
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
OTHER_KINDS = (  # magic -> what it is, for refusing files that merely carry a .tif name
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"BM", "a BMP image"),
    (HDF5_MAGIC, "an HDF5/NetCDF-4 file"),
    (b"CDF", "a NetCDF-3 file"),
)
TIFF_SUFFIXES = (".tif", ".tiff")


def is_tiff(head: bytes) -> bool:
    return head[:4] in TIFF_MAGICS


def is_netcdf3(head: bytes) -> bool:
    return head[:4] in NETCDF3_MAGICS


def is_hdf5(head: bytes) -> bool:
    return head[:8] == HDF5_MAGIC


def describe(head: bytes) -> str:
    """A short name of the content, for error messages."""
    if not head:
        return "an empty file"
    if is_tiff(head):
        return "a TIFF"
    for magic, name in OTHER_KINDS:
        if head.startswith(magic):
            return name
    return f"not a TIFF (it starts with bytes {head[:8]!r})"


def read_head(path: str | Path, size: int = 4096) -> bytes:
    with open(path, "rb") as handle:
        return handle.read(size)


def require_tiff(path: str | Path, head: bytes | None = None) -> None:
    """ValueError naming the content when a file that should be a TIFF is not one."""
    head = read_head(path) if head is None else head
    if not is_tiff(head):
        raise ValueError(
            f"{path}: the file is {describe(head)}, not a GeoTIFF, though it is named "
            f"{Path(path).suffix or 'without a suffix'}; export the band as GeoTIFF (e.g. "
            "gdal_translate -of COG) or remove it from the archive"
        )
