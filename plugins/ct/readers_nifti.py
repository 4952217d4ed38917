"""NIfTI-1/2 reader (``.nii``, ``.nii.gz``) through nibabel.

An uncompressed ``.nii`` is memory-mapped when it needs no intensity scaling, so
nothing is read until the values are used; a ``.nii.gz`` has to be decompressed
whole, and a truncated one is caught here with a reason. A 4-D file yields one
record per volume (item = volume index).
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nibabel as nib
import numpy as np

from plugins.ct.geometry import volume_array
from plugins.ct.options import SizeOptions
from plugins.ct.spec import UNKNOWN_MODALITY
from sslsci.plugins.contract import Record

NIFTI1_MAGICS = (b"n+1\x00", b"ni1\x00")
NIFTI2_MAGIC = b"n+2\x00\r\n\x1a\n"
GZIP_MAGIC = b"\x1f\x8b"
# Deflate cannot shrink data more than 1032:1 (RFC 1951: 258 bytes per 2-bit code at best),
# so a .nii.gz holding N uncompressed bytes is at least N / 1032 bytes long.
MAX_DEFLATE_RATIO = 1032
# Spatial units NIfTI can declare, as millimetres per unit ("unknown" is taken as mm).
MM_PER_UNIT = {"mm": 1.0, "meter": 1000.0, "micron": 0.001, "unknown": 1.0}


def _is_nifti_header(head: bytes) -> bool:
    return head[344:348] in NIFTI1_MAGICS or head[4:12] == NIFTI2_MAGIC


def _check_is_nifti(path: str) -> None:
    """An empty file, or a ``.nii`` without a NIfTI magic, named as what it is."""
    if Path(path).stat().st_size == 0:
        raise ValueError(f"{path}: empty file (0 bytes); copy it again or exclude it")
    with open(path, "rb") as handle:
        head = handle.read(352)
    if not head.startswith(GZIP_MAGIC) and not _is_nifti_header(head):
        raise ValueError(
            f"{path}: not a NIfTI file (no 'n+1'/'ni1' magic at byte 344, no NIfTI-2 magic "
            "at byte 4, not gzip); it is another format named .nii: convert it or exclude it"
        )


def _load(path: str) -> nib.Nifti1Image | nib.Nifti2Image:
    _check_is_nifti(path)
    try:
        image = nib.load(path)
    except Exception as exc:
        raise ValueError(
            f"{path}: not a readable NIfTI file ({type(exc).__name__}: {exc}); it is "
            "truncated, corrupt or another format: re-export it as .nii/.nii.gz or exclude it"
        ) from exc
    if not isinstance(image, nib.Nifti1Image | nib.Nifti2Image):
        raise ValueError(
            f"{path}: nibabel reads it as {type(image).__name__}, not NIfTI; convert it to "
            ".nii.gz (e.g. with nibabel or dcm2niix) before cataloguing it as CT"
        )
    return image


def check_declared_size(path: str, image: nib.Nifti1Image | nib.Nifti2Image, limit: int) -> None:
    """Refuse a header whose shape is empty, above ``max_voxels``, or more than the file
    can hold, before a single voxel is read or decompressed."""
    shape = tuple(int(n) for n in image.header.get_data_shape())
    if not shape or min(shape) < 1:
        raise ValueError(
            f"{path}: its header declares shape {shape}, with no voxels along some axis; "
            "the header is corrupt: export the volume again"
        )
    voxels = int(np.prod(shape, dtype=object))
    if voxels > limit:
        raise ValueError(
            f"{path}: its header declares {'x'.join(map(str, shape))} = {voxels:,} voxels, above "
            f"max_voxels={limit:,}; a corrupt header or a huge scan: fix the file, or raise "
            "max_voxels in the entry's options if the scan really is this large"
        )
    needed = int(image.dataobj.offset) + voxels * image.get_data_dtype().itemsize
    if path.endswith(".gz"):
        size = Path(path).stat().st_size
        if size * MAX_DEFLATE_RATIO < needed:
            raise ValueError(
                f"{path}: its header declares {needed:,} bytes of data but the compressed "
                f"file is only {size:,} bytes, less than gzip could shrink them to; the file "
                "is truncated or its header is wrong: copy or export it again"
            )


def _check_nii_size(path: str, image: nib.Nifti1Image | nib.Nifti2Image) -> None:
    """An uncompressed file must hold every voxel its header promises."""
    proxy = image.dataobj
    expected = int(proxy.offset) + int(np.prod(proxy.shape, dtype=np.int64)) * proxy.dtype.itemsize
    actual = Path(path).stat().st_size
    if actual < expected:
        raise ValueError(
            f"{path}: the file is truncated: its header describes {expected} bytes but it "
            f"holds {actual}; copy or export it again"
        )


def _voxels(path: str, image: nib.Nifti1Image | nib.Nifti2Image) -> np.ndarray:
    """The voxel values in their stored type (memory-mapped if possible), scaled if needed."""
    compressed = path.endswith(".gz")
    if not compressed:
        _check_nii_size(path, image)
    try:
        if image.dataobj.slope == 1 and image.dataobj.inter == 0:
            return np.asanyarray(image.dataobj)
        return image.get_fdata(dtype=np.float32, caching="unchanged")
    except (EOFError, zlib.error, gzip.BadGzipFile, OSError, ValueError) as exc:
        raise ValueError(
            f"{path}: the compressed data ends early or is corrupt ({type(exc).__name__}: "
            f"{exc}); the .nii.gz is truncated: copy or export it again"
        ) from exc


def _volumes(path: str, voxels: np.ndarray) -> list[np.ndarray]:
    """3-D volumes from 2-D..5-D data: a 2-D image gets z = 1, trailing 1s are dropped."""
    while voxels.ndim > 3 and voxels.shape[-1] == 1:
        voxels = voxels[..., 0]
    if voxels.ndim == 2:
        return [voxels[..., np.newaxis]]
    if voxels.ndim == 3:
        return [voxels]
    if voxels.ndim == 4:
        return [voxels[..., t] for t in range(voxels.shape[3])]
    raise ValueError(
        f"{path}: holds {voxels.ndim}-D data of shape {voxels.shape}; a CT file holds 3-D "
        "volumes (or a 4-D series of them): split it into 3-D files"
    )


def _mm_affine(path: str, image: nib.Nifti1Image | nib.Nifti2Image) -> np.ndarray:
    unit = image.header.get_xyzt_units()[0]
    if unit not in MM_PER_UNIT:
        raise ValueError(
            f"{path}: spatial unit {unit!r} is not mm, m or micron; fix xyzt_units in the header"
        )
    affine = np.array(image.affine, dtype=np.float64)
    affine[:3, :] *= MM_PER_UNIT[unit]
    return affine


class NiftiReader:
    """NIfTI volumes in the file's voxel order, HU as stored, affine in RAS mm."""

    name = "nifti"
    suffixes: tuple[str, ...] = (".nii", ".nii.gz")

    def sniff(self, path: str, head: bytes) -> bool:
        """A NIfTI magic in the header, or a file named ``.nii``/``.nii.gz`` (so an empty
        or foreign one gets a reason from ``read``, not "no reader recognises")."""
        return path.endswith(self.suffixes) or _is_nifti_header(head)

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """One record per 3-D volume; options: ``SizeOptions.max_voxels``."""
        image = _load(path)
        check_declared_size(path, image, SizeOptions.pick(options).max_voxels)
        affine = _mm_affine(path, image)
        volumes = _volumes(path, _voxels(path, image))
        _, sform_code = image.get_sform(coded=True)
        attrs = {
            "source": Path(path).name,
            "format": "nifti",
            "modality": UNKNOWN_MODALITY,
            "affine_from": "sform" if sform_code else "qform",
            "nifti_intent": str(image.header.get_intent()[0]),
        }
        for index, volume in enumerate(volumes):
            item = "0" if len(volumes) == 1 else str(index)
            yield Record(volume_array(volume, affine, attrs), item=item)
