"""Hostile CT sources for the ingest harness: each bad one with the reason it must get.

Every file is small (the corpus is about 200 KB): the size bombs declare huge shapes in
their headers but hold almost nothing, so a reader that trusts the header before
checking it allocates gigabytes, and one that checks first refuses them in milliseconds.
"""

from __future__ import annotations

import gzip
import shutil
import struct
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
from pydicom.uid import DeflatedExplicitVRLittleEndian

from plugins.ct.phantom import make_phantom, write_dicom_series, write_nifti

MODALITY = "ct"
OPTIONS: dict = {"target_spacing": 4.0}
INCLUDE = ["*"]
SIZE = (16, 12, 8)
SPACING = (4.0, 4.0, 4.0)  # the target spacing: the good files are stored unresampled


def _header_only(shape: tuple[int, ...], dtype: type) -> bytes:
    """A single-file NIfTI-1 header (and the 4-byte extension flag) declaring ``shape``."""
    header = nib.Nifti1Header()
    header.set_data_shape(shape)
    header.set_data_dtype(dtype)
    header.set_xyzt_units("mm")
    header["vox_offset"] = 352
    return header.binaryblock + b"\x00" * 4


def _nifti_files(folder: Path, volume: np.ndarray, spacing, rng: np.random.Generator) -> dict:
    expected: dict[str, str | None] = {}
    write_nifti(volume, None, spacing, folder / "good.nii.gz")
    expected["good.nii.gz"] = None
    (folder / "bomb_1200.nii.gz").write_bytes(gzip.compress(_header_only((1200,) * 3, np.int16)))
    expected["bomb_1200.nii.gz"] = "less than gzip could shrink them to"
    (folder / "huge_2000.nii").write_bytes(_header_only((2000,) * 3, np.int16))
    expected["huge_2000.nii"] = "above max_voxels"
    (folder / "zero_dims.nii").write_bytes(_header_only((16, 0, 8), np.int16))
    expected["zero_dims.nii"] = "no voxels along some axis"
    coarse = rng.integers(-1000, 1000, (16, 16, 16)).astype(np.int16)
    write_nifti(coarse, None, (40.0, 40.0, 40.0), folder / "coarse_40mm.nii.gz")
    expected["coarse_40mm.nii.gz"] = "max_resample_growth"
    truncated, _ = write_nifti(volume, None, spacing, folder / "truncated.nii.gz")
    truncated.write_bytes(truncated.read_bytes()[:300])
    expected["truncated.nii.gz"] = "truncated"
    (folder / "empty.nii").write_bytes(b"")
    expected["empty.nii"] = "empty file"
    (folder / "binary.nii").write_bytes(rng.bytes(2048))
    expected["binary.nii"] = "not a nifti file"
    plain, _ = write_nifti(volume, None, spacing, folder / "flat.nii")
    header = bytearray(plain.read_bytes())
    header[312:328] = struct.pack("<4f", 0.0, 0.0, 0.0, 0.0)  # srow_z: zero z spacing
    (folder / "zero_spacing.nii.gz").write_bytes(gzip.compress(bytes(header)))
    plain.unlink()
    expected["zero_spacing.nii.gz"] = "voxel spacing z=0.0 mm is not positive"
    for name, value in (("nan.nii.gz", np.nan), ("inf.nii.gz", np.inf)):
        bad = volume.astype(np.float32)
        bad[3, 3, 3] = value
        write_nifti_float(bad, spacing, folder / name)
        expected[name] = "nan or infinite"
    labels, _ = write_nifti(phantom_labels(volume), None, spacing, folder / "labels.nii.gz")
    image = nib.load(labels)
    nib.save(nib.Nifti1Image(np.asarray(image.dataobj, np.uint8), image.affine), labels)
    expected["labels.nii.gz"] = "looks like a label map"
    intent = nib.Nifti1Image(volume.astype(np.int16), np.diag([*spacing, 1.0]))
    intent.header.set_intent("label")
    intent.header.set_xyzt_units("mm")
    nib.save(intent, folder / "intent_label.nii.gz")
    expected["intent_label.nii.gz"] = "nifti intent is 'label'"
    return expected


def phantom_labels(volume: np.ndarray) -> np.ndarray:
    """Class indices 0..3 by HU band: a segmentation's values, not HU."""
    return np.digitize(volume, [-500.0, 0.0, 300.0]).astype(np.int16)


def write_nifti_float(volume: np.ndarray, spacing, path: Path) -> None:
    """A float32 NIfTI (``write_nifti`` stores int16, which cannot hold NaN)."""
    image = nib.Nifti1Image(volume, np.diag([*spacing, 1.0]))
    image.header.set_xyzt_units("mm")
    nib.save(image, path)


def _dicom_series(folder: Path, volume: np.ndarray, spacing) -> dict:
    expected: dict[str, str | None] = {}
    write_dicom_series(volume, spacing, folder / "good_series", "1.2.826.0.1.77.1")
    expected["good_series"] = None
    write_dicom_series(volume, spacing, folder / "missing_slice", "1.2.826.0.1.77.2")
    (folder / "missing_slice" / "IM_0004.dcm").unlink()
    expected["missing_slice"] = "a slice is missing before it"
    write_dicom_series(volume, spacing, folder / "mixed_sizes", "1.2.826.0.1.77.3")
    small = np.ascontiguousarray(volume[:8, :8, :2])
    write_dicom_series(small, spacing, folder / "mixed_sizes" / "extra", "1.2.826.0.1.77.3")
    expected["mixed_sizes"] = "cannot mix image sizes"
    write_dicom_series(volume, spacing, folder / "no_series_uid", "")
    expected["no_series_uid"] = "empty seriesinstanceuid"
    write_dicom_series(volume, spacing, folder / "mr_series", "1.2.826.0.1.77.4", modality="MR")
    expected["mr_series"] = "not ct"
    (folder / "report.dcm").write_text("a report saved with the wrong suffix\n" * 10)
    write_dicom_series(volume, spacing, folder / "seg_series", "1.2.826.0.1.77.5", modality="SEG")
    expected["seg_series"] = "looks like a label map"
    write_deflate_lie(folder / "deflate_bomb.dcm", volume[:, :, :1], spacing, 32 * 2**20)
    expected["deflate_bomb.dcm"] = "inflates to more than"
    huge = write_dicom_series(volume[:, :, :1], spacing, folder / "tmp_huge", "1.2.826.0.1.77.6")
    ds = pydicom.dcmread(huge[0])
    ds.Rows, ds.Columns, ds.NumberOfFrames = 65535, 65535, 4
    ds.save_as(folder / "huge_rows.dcm", enforce_file_format=True)
    shutil.rmtree(folder / "tmp_huge")
    expected["huge_rows.dcm"] = "above max_voxels"
    expected["report.dcm"] = "is not a dicom file"
    return expected


def write_deflate_lie(path: Path, volume: np.ndarray, spacing, pixel_bytes: int) -> Path:
    """A Deflated Explicit VR file whose header declares one small slice while its pixel
    data holds ``pixel_bytes`` of zeros: a few KB on disk, many MB once inflated."""
    folder = path.with_name(path.name + ".tmp")
    ds = pydicom.dcmread(write_dicom_series(volume, spacing, folder, "1.2.826.0.1.77.7")[0])
    shutil.rmtree(folder)
    ds.PixelData = bytes(pixel_bytes)
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.save_as(path, enforce_file_format=True)
    return path


def write_corpus(folder: Path, seed: int) -> dict[str, str | None]:
    """Write the CT corpus into ``folder``; {source name: expected reason or None}."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    phantom = make_phantom(SIZE, seed=seed, spacing=SPACING, condition="normal")
    expected = _nifti_files(folder, phantom.volume, phantom.spacing, rng)
    expected.update(_dicom_series(folder, phantom.volume, phantom.spacing))
    return expected
