"""Where each DICOM slice or frame lies, and the volume affine they make together.

Slices are ordered by their ImagePositionPatient projected on the slice normal
(row direction x column direction). The voxel axes are (column, row, slice), so
``i`` follows the row direction cosine and ``j`` the column one, as in nibabel and
dcm2niix. DICOM is LPS; the affine returned is RAS.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from pydicom.dataset import Dataset

from plugins.ct.geometry import LPS_TO_RAS


@dataclass(frozen=True)
class SliceGeometry:
    """One 2-D image in patient space (LPS, mm)."""

    position: np.ndarray  # ImagePositionPatient of the first pixel
    orientation: np.ndarray  # ImageOrientationPatient: row cosine, then column cosine
    pixel_spacing: np.ndarray  # PixelSpacing: between rows, between columns
    instance: int  # InstanceNumber (file) or frame number (1-based), for messages

    @property
    def normal(self) -> np.ndarray:
        return np.cross(self.orientation[:3], self.orientation[3:])


def functional_value(ds: Dataset, frame: int | None, sequence: str, keyword: str) -> Any:
    """An attribute of a frame: per-frame functional group, shared group, then top level."""
    groups = []
    if frame is not None and "PerFrameFunctionalGroupsSequence" in ds:
        groups.append(ds.PerFrameFunctionalGroupsSequence[frame])
    if "SharedFunctionalGroupsSequence" in ds:
        groups.append(ds.SharedFunctionalGroupsSequence[0])
    for group in groups:
        items = group.get(sequence)
        if items and keyword in items[0]:
            return items[0].get(keyword)
    return ds.get(keyword)


def _vector(value: Any, size: int, keyword: str, where: str) -> np.ndarray:
    if value is None:
        raise ValueError(
            f"{where}: has no {keyword}, so its slices cannot be placed in space; export the "
            "series with full geometry or convert it to NIfTI (e.g. with dcm2niix)"
        )
    vector = np.asarray([float(v) for v in value], dtype=np.float64)
    if vector.shape != (size,):
        raise ValueError(f"{where}: {keyword} has {vector.size} values, expected {size}")
    return vector


def slice_geometry(ds: Dataset, frame: int | None, where: str) -> SliceGeometry:
    """Geometry of one classic slice (``frame=None``) or of one frame of a multi-frame file."""
    position = functional_value(ds, frame, "PlanePositionSequence", "ImagePositionPatient")
    orientation = functional_value(ds, frame, "PlaneOrientationSequence", "ImageOrientationPatient")
    spacing = functional_value(ds, frame, "PixelMeasuresSequence", "PixelSpacing")
    instance = int(ds.get("InstanceNumber") or 0) if frame is None else frame + 1
    return SliceGeometry(
        position=_vector(position, 3, "ImagePositionPatient", where),
        orientation=_vector(orientation, 6, "ImageOrientationPatient", where),
        pixel_spacing=_vector(spacing, 2, "PixelSpacing", where),
        instance=instance,
    )


def single_slice_step(ds: Dataset, frame: int | None) -> float:
    """Slice spacing of a lone slice: SpacingBetweenSlices, else SliceThickness, else NaN."""
    for keyword in ("SpacingBetweenSlices", "SliceThickness"):
        value = functional_value(ds, frame, "PixelMeasuresSequence", keyword)
        if value not in (None, ""):
            return float(value)
    return float("nan")


def check_same_plane(slices: list[SliceGeometry], names: list[str]) -> None:
    """Every slice must share orientation and pixel spacing to be stacked."""
    first = slices[0]
    for geometry, name in zip(slices[1:], names[1:], strict=True):
        if not np.allclose(geometry.orientation, first.orientation, atol=1e-4):
            raise ValueError(
                f"{name}: ImageOrientationPatient {geometry.orientation.tolist()} differs from "
                f"{names[0]} ({first.orientation.tolist()}); the series mixes orientations "
                "(e.g. a localizer): remove the odd images from the folder"
            )
        if not np.allclose(geometry.pixel_spacing, first.pixel_spacing, rtol=1e-4):
            raise ValueError(
                f"{name}: PixelSpacing {geometry.pixel_spacing.tolist()} differs from {names[0]} "
                f"({first.pixel_spacing.tolist()}); one series cannot mix pixel sizes"
            )


def slice_order(slices: list[SliceGeometry]) -> tuple[np.ndarray, np.ndarray]:
    """Indices that sort the slices along the normal, and their sorted positions there (mm)."""
    along = np.array([float(g.position @ slices[0].normal) for g in slices])
    order = np.argsort(along, kind="stable")
    return order, along[order]


def stack_affine(ordered: list[SliceGeometry], lone_step: float) -> np.ndarray:
    """RAS affine of slices already in order; ``lone_step`` (mm) is used for one slice."""
    first = ordered[0]
    row_cosine, column_cosine = first.orientation[:3], first.orientation[3:]
    if len(ordered) > 1:
        steps = np.diff(np.stack([g.position for g in ordered]), axis=0)
        slice_vector = np.median(steps, axis=0)
    else:
        slice_vector = first.normal * lone_step
    lps = np.eye(4)
    lps[:3, 0] = row_cosine * first.pixel_spacing[1]
    lps[:3, 1] = column_cosine * first.pixel_spacing[0]
    lps[:3, 2] = slice_vector
    lps[:3, 3] = first.position
    return LPS_TO_RAS @ lps
