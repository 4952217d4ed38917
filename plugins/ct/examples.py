"""What the plugin writes for tests, checks and demos: all of it SYNTHETIC phantoms.

``example_volume(seed)`` is a miniature phantom in memory, ``write_samples(folder)``
writes one small file per reader with the field's libraries (nibabel, pydicom), and
``write_demo_archive(folder, seed)`` the labelled archive ``pipelines/ct.yaml`` uses.
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from plugins.ct.geometry import volume_array
from plugins.ct.normalize import normalize_volume
from plugins.ct.phantom import DEMO_CASES, write_phantom_archive
from plugins.ct.phantom_anatomy import ADULT_FOV_MM, make_phantom
from plugins.ct.phantom_files import deterministic_uid, write_dicom_series, write_nifti
from plugins.ct.spec import DEFAULT_TARGET_SPACING_MM, EXAMPLE_SIZE
from sslsci.plugins.kit import Sample

SAMPLE_SIZE = (16, 12, 8)
SAMPLE_SPACING_MM = 3.0  # resampled to 1.5 mm by default: 32 x 24 x 16 voxels


def miniature(size: tuple[int, int, int], spacing_mm: float, seed: int):
    """A phantom whose whole anatomy fits ``size`` voxels of ``spacing_mm``."""
    scale = size[0] * spacing_mm / float(ADULT_FOV_MM[0])
    return make_phantom(size, seed=seed, spacing=(spacing_mm,) * 3, scale=scale)


def example_volume(seed: int) -> xr.DataArray:
    """A miniature synthetic phantom (32^3 at 1.5 mm), valid and normalised."""
    phantom = miniature(EXAMPLE_SIZE, DEFAULT_TARGET_SPACING_MM, seed)
    attrs = {
        "source": f"synthetic phantom seed {seed}",
        "format": "synthetic",
        "modality": "CT",
        "condition": phantom.condition,
    }
    return normalize_volume(volume_array(phantom.volume, phantom.affine, attrs))


def write_samples(folder: Path) -> list[Sample]:
    """A NIfTI file, a DICOM series folder and a lone DICOM slice of one small phantom."""
    phantom = miniature(SAMPLE_SIZE, SAMPLE_SPACING_MM, seed=0)
    nifti, _ = write_nifti(phantom.volume, None, phantom.spacing, folder / "phantom.nii.gz")
    series = folder / "series"
    write_dicom_series(phantom.volume, phantom.spacing, series, str(deterministic_uid("sample")))
    (single,) = write_dicom_series(
        phantom.volume[:, :, :1], phantom.spacing, folder / "slice", str(deterministic_uid("slice"))
    )
    return [Sample(nifti, "nifti"), Sample(series, "dicom"), Sample(single, "dicom")]


def write_demo_archive(folder: Path, seed: int) -> None:
    """The SYNTHETIC demo archive of ``pipelines/ct.yaml`` (see ``plugins.ct.phantom``)."""
    write_phantom_archive(folder, n=DEMO_CASES, seed=seed)
