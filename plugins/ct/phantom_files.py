"""Writers for phantom volumes: NIfTI (image and label map) and a CT DICOM series.

The DICOM series is what a scanner exports: axial slices, ImageOrientationPatient
(1,0,0,0,1,0) in LPS, unsigned stored values with RescaleIntercept -1024, and
patient fields filled with SYNTHETIC values (so tests can check they never leak).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nibabel as nib
import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    CTImageStorage,
    ExplicitVRLittleEndian,
    generate_uid,
)
from pydicom.valuerep import DSfloat

NIFTI_UNIT_MM = "mm"


@dataclass(frozen=True)
class SyntheticPatient:
    """Identifying fields written into synthetic DICOM files (never real people)."""

    name: str = "Synthetic^Phantom"
    patient_id: str = "SYN-0000"
    birth_date: str = "19700101"
    sex: str = "O"


def centred_origin(shape: Sequence[int], spacing: Sequence[float]) -> tuple[float, ...]:
    """RAS mm of voxel (0, 0, 0) when the volume's centre is at the world origin."""
    return tuple(round(-(n - 1) / 2.0 * s, 4) for n, s in zip(shape, spacing, strict=True))


def _affine(shape: Sequence[int], spacing: Sequence[float], origin: Sequence[float] | None):
    affine = np.diag([*map(float, spacing), 1.0])
    affine[:3, 3] = origin if origin is not None else centred_origin(shape, spacing)
    return affine


def _save_nifti(data: np.ndarray, affine: np.ndarray, path: Path) -> Path:
    image = nib.Nifti1Image(data, affine)
    image.header.set_xyzt_units(NIFTI_UNIT_MM)
    image.set_qform(affine, code=1)
    image.set_sform(affine, code=1)
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(image, path)
    return path


def labels_path_for(path: Path) -> Path:
    """``case.nii.gz`` -> ``case_labels.nii.gz`` (and likewise for ``.nii``)."""
    for suffix in (".nii.gz", ".nii"):
        if path.name.endswith(suffix):
            return path.with_name(path.name[: -len(suffix)] + "_labels" + suffix)
    return path.with_name(path.name + "_labels.nii.gz")


def write_nifti(
    volume: np.ndarray,
    labels: np.ndarray | None,
    spacing: Sequence[float],
    path: str | Path,
    *,
    origin: Sequence[float] | None = None,
    labels_path: str | Path | None = None,
) -> tuple[Path, Path | None]:
    """Write an ``[x, y, z]`` HU volume (int16) and optionally its label map (uint8).

    The affine is RAS: diagonal ``spacing`` (mm) and ``origin`` (default: centred).
    The label map goes to ``labels_path`` or beside the image as ``*_labels.nii.gz``.
    """
    path = Path(path)
    affine = _affine(volume.shape, spacing, origin)
    image_path = _save_nifti(np.asarray(volume, dtype=np.int16), affine, path)
    if labels is None:
        return image_path, None
    target = Path(labels_path) if labels_path is not None else labels_path_for(path)
    return image_path, _save_nifti(np.asarray(labels, dtype=np.uint8), affine, target)


def deterministic_uid(*parts: object) -> UID:
    """A deterministic UID from its parts, so a seeded archive is byte-identical."""
    return generate_uid(entropy_srcs=[str(p) for p in parts])


def _ds(value: float) -> DSfloat:
    return DSfloat(round(float(value), 4), auto_format=True)


@dataclass(frozen=True)
class SeriesInfo:
    """What a slice needs to know about its series."""

    series_uid: str
    study_uid: str
    frame_uid: str
    patient: SyntheticPatient
    modality: str
    series_number: int
    slope: float
    intercept: float


def _slice_dataset(
    stored: np.ndarray,
    position: Sequence[float],
    spacing: Sequence[float],
    index: int,
    info: SeriesInfo,
) -> Dataset:
    sop_uid = deterministic_uid(info.series_uid, index)
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.MediaStorageSOPInstanceUID = sop_uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, sop_uid
    ds.Modality = info.modality
    ds.PatientName, ds.PatientID = info.patient.name, info.patient.patient_id
    ds.PatientBirthDate, ds.PatientSex = info.patient.birth_date, info.patient.sex
    ds.StudyInstanceUID, ds.SeriesInstanceUID = info.study_uid, info.series_uid
    ds.FrameOfReferenceUID = info.frame_uid
    ds.SeriesNumber, ds.InstanceNumber = info.series_number, index + 1
    ds.Manufacturer = "sslsci synthetic phantom"
    ds.SeriesDescription = "SYNTHETIC phantom"
    ds.ImageType = ["DERIVED", "SECONDARY", "AXIAL"]
    ds.KVP = _ds(120)
    ds.ImagePositionPatient = [_ds(v) for v in position]
    ds.ImageOrientationPatient = [_ds(v) for v in (1, 0, 0, 0, 1, 0)]
    ds.PixelSpacing = [_ds(spacing[1]), _ds(spacing[0])]  # between rows (y), columns (x)
    ds.SliceThickness = _ds(spacing[2])
    ds.RescaleSlope, ds.RescaleIntercept = _ds(info.slope), _ds(info.intercept)
    ds.RescaleType = "HU"
    ds.set_pixel_data(stored, "MONOCHROME2", 16, generate_instance_uid=False)
    return ds


def _stored_values(volume: np.ndarray, slope: float, intercept: float) -> np.ndarray:
    stored = np.round((volume.astype(np.float64) - intercept) / slope)
    if stored.min() < 0 or stored.max() > np.iinfo(np.uint16).max:
        raise ValueError(
            f"HU range {volume.min()}..{volume.max()} does not fit unsigned 16-bit with "
            f"slope={slope} intercept={intercept}; lower the intercept"
        )
    return stored.astype(np.uint16)


def write_dicom_series(
    volume: np.ndarray,
    spacing: Sequence[float],
    folder: str | Path,
    series_uid: str,
    *,
    origin: Sequence[float] | None = None,
    study_uid: str | None = None,
    patient: SyntheticPatient | None = None,
    modality: str = "CT",
    series_number: int = 1,
    slope: float = 1.0,
    intercept: float = -1024.0,
    transfer_syntax: str = ExplicitVRLittleEndian,
) -> list[Path]:
    """Write an ``[x, y, z]`` RAS HU volume as one axial CT slice file per z.

    Geometry matches ``write_nifti`` with the same ``spacing`` and ``origin``, so both
    read back to the same volume. ``transfer_syntax`` may be a compressed one that
    pydicom can encode (RLE Lossless, JPEG 2000 Lossless).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    affine = _affine(volume.shape, spacing, origin)
    info = SeriesInfo(
        series_uid=series_uid,
        study_uid=study_uid or str(deterministic_uid("study", series_uid)),
        frame_uid=str(deterministic_uid("frame", series_uid)),
        patient=patient or SyntheticPatient(),
        modality=modality,
        series_number=series_number,
        slope=slope,
        intercept=intercept,
    )
    stored = _stored_values(volume, slope, intercept)
    nx, ny, _ = volume.shape
    files = []
    for k in range(volume.shape[2]):
        # First pixel = RAS voxel (nx-1, ny-1, k): columns run to the patient's left (+x LPS).
        ras = affine @ np.array([nx - 1, ny - 1, k, 1.0])
        position = (-ras[0], -ras[1], ras[2])
        pixels = np.ascontiguousarray(stored[::-1, ::-1, k].T)
        ds = _slice_dataset(pixels, position, spacing, k, info)
        if transfer_syntax != ExplicitVRLittleEndian:
            ds.compress(transfer_syntax, generate_instance_uid=False)
        file = folder / f"IM_{k + 1:04d}.dcm"
        ds.save_as(file, enforce_file_format=True)
        files.append(file)
    return files
