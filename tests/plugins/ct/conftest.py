"""Tiny seeded CT phantoms and their files, shared by the CT plugin tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from plugins.ct.phantom import Phantom, make_phantom, write_dicom_series, write_nifti

REAL_CT = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "ct"
TINY = (20, 16, 12)
SERIES_UID = "1.2.826.0.1.3680043.8.498.1"


def real_ct(name: str) -> Path:
    """A real DICOM file from shared/data/ct, or skip when the folder is absent."""
    path = REAL_CT / name
    if not path.is_file():
        pytest.skip(f"real sample data {path} is absent")
    return path


@pytest.fixture(scope="session")
def phantom() -> Phantom:
    return make_phantom(TINY, seed=5, condition="normal")


@pytest.fixture
def nifti_file(tmp_path: Path, phantom: Phantom) -> Path:
    image, _ = write_nifti(
        phantom.volume,
        phantom.labels,
        phantom.spacing,
        tmp_path / "case.nii.gz",
        origin=phantom.origin,
    )
    return image


@pytest.fixture
def dicom_folder(tmp_path: Path, phantom: Phantom) -> Path:
    folder = tmp_path / "series"
    write_dicom_series(phantom.volume, phantom.spacing, folder, SERIES_UID, origin=phantom.origin)
    return folder
