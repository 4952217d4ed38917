"""NIfTI reader: round trip of the phantom, memory mapping, 2-D/4-D files, bad input."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest

from plugins.ct.phantom import Phantom, write_nifti
from plugins.ct.readers_nifti import NiftiReader
from plugins.ct.validate import validate_array

READER = NiftiReader()
SROW_Z_OFFSET = 312  # NIfTI-1 header: srow_z, four float32


def head_of(path: Path) -> bytes:
    return path.read_bytes()[:4096]


def save(data: np.ndarray, affine: np.ndarray, path: Path, unit: str = "mm") -> Path:
    image = nib.Nifti1Image(data, affine)
    image.header.set_xyzt_units(unit)
    nib.save(image, path)
    return path


def test_phantom_round_trips_with_its_affine(nifti_file: Path, phantom: Phantom) -> None:
    assert READER.sniff(str(nifti_file), head_of(nifti_file))
    (record,) = READER.read(str(nifti_file))
    array = record.array
    assert array.dims == ("channel", "x", "y", "z")
    np.testing.assert_array_equal(array.values[0], phantom.volume)
    np.testing.assert_allclose(array.attrs["affine"], phantom.affine, atol=1e-4)
    assert array.attrs["spacing"] == pytest.approx(phantom.spacing, abs=1e-4)
    assert array.attrs["orientation"] == "RAS"
    assert array.attrs["modality"] == "unknown"
    assert validate_array(array) == []


def test_uncompressed_file_is_memory_mapped(tmp_path: Path, phantom: Phantom) -> None:
    path, _ = write_nifti(phantom.volume, None, phantom.spacing, tmp_path / "case.nii")
    assert READER.sniff(str(path), head_of(path))
    (record,) = READER.read(str(path))
    assert isinstance(record.array.data, np.memmap)
    np.testing.assert_array_equal(record.array.values[0], phantom.volume)


def test_writer_puts_labels_beside_the_image(nifti_file: Path, phantom: Phantom) -> None:
    labels = nifti_file.with_name("case_labels.nii.gz")
    (record,) = READER.read(str(labels))
    np.testing.assert_array_equal(record.array.values[0], phantom.labels)


def test_two_d_image_gets_one_slice_and_four_d_one_record_per_volume(tmp_path: Path) -> None:
    plane = save(np.zeros((6, 5), np.int16), np.eye(4), tmp_path / "plane.nii")
    (record,) = READER.read(str(plane))
    assert record.array.shape == (1, 6, 5, 1)
    series = np.arange(6 * 5 * 4 * 3, dtype=np.int16).reshape(6, 5, 4, 3)
    records = list(READER.read(str(save(series, np.eye(4), tmp_path / "t.nii.gz"))))
    assert [r.item for r in records] == ["0", "1", "2"]
    np.testing.assert_array_equal(records[2].array.values[0], series[..., 2])


def test_metre_units_become_millimetres(tmp_path: Path) -> None:
    affine = np.diag([0.002, 0.002, 0.003, 1.0])
    path = save(np.zeros((4, 4, 4), np.int16), affine, tmp_path / "m.nii.gz", unit="meter")
    (record,) = READER.read(str(path))
    assert record.array.attrs["spacing"] == pytest.approx([2.0, 2.0, 3.0])


def test_scaled_file_is_read_in_scaled_units(tmp_path: Path) -> None:
    image = nib.Nifti1Image(np.full((4, 4, 4), 100, np.int16), np.eye(4))
    image.header.set_slope_inter(2.0, -1024.0)
    nib.save(image, tmp_path / "s.nii")
    (record,) = READER.read(str(tmp_path / "s.nii"))
    assert record.array.dtype == np.float32
    assert float(record.array.values.max()) == -824.0


def test_truncated_nii_gz_is_a_specific_error(nifti_file: Path) -> None:
    data = nifti_file.read_bytes()
    nifti_file.write_bytes(data[: len(data) // 2])
    assert READER.sniff(str(nifti_file), head_of(nifti_file))
    with pytest.raises(ValueError, match=r"case\.nii\.gz: .*truncated"):
        list(READER.read(str(nifti_file)))


def test_truncated_nii_is_a_specific_error(tmp_path: Path, phantom: Phantom) -> None:
    path, _ = write_nifti(phantom.volume, None, phantom.spacing, tmp_path / "case.nii")
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(ValueError, match=r"the file is truncated: its header describes"):
        list(READER.read(str(path)))


def test_a_text_file_is_not_nifti(tmp_path: Path) -> None:
    notes = tmp_path / "notes.nii"
    notes.write_text("this is a note, not an image\n" * 30)
    assert READER.sniff(str(notes), head_of(notes))  # by its name, so read says what it is
    with pytest.raises(ValueError, match=r"notes\.nii: not a NIfTI file \(no 'n\+1'"):
        list(READER.read(str(notes)))


def zero_z_spacing_file(tmp_path: Path) -> Path:
    """A .nii.gz whose sform has a zero z column (nibabel refuses to write one itself)."""
    plain = save(np.full((4, 4, 4), -1000, np.int16), np.eye(4), tmp_path / "plain.nii")
    header = bytearray(plain.read_bytes())
    header[SROW_Z_OFFSET : SROW_Z_OFFSET + 16] = struct.pack("<4f", 0.0, 0.0, 0.0, 0.0)
    path = tmp_path / "flat.nii.gz"
    path.write_bytes(gzip.compress(bytes(header)))
    return path


def test_zero_spacing_is_a_validation_problem(tmp_path: Path) -> None:
    (record,) = READER.read(str(zero_z_spacing_file(tmp_path)))
    problems = validate_array(record.array)
    assert len(problems) == 1
    assert "voxel spacing z=0.0 mm is not positive and finite" in problems[0]


def test_nan_volume_is_a_validation_problem(tmp_path: Path) -> None:
    data = np.zeros((4, 4, 4), np.float32)
    data[1, 2, 3] = np.nan
    (record,) = READER.read(str(save(data, np.eye(4), tmp_path / "nan.nii.gz")))
    problems = validate_array(record.array)
    assert problems == [
        "1 voxels are NaN or infinite (first at x, y, z = (1, 2, 3)); the file is corrupt or "
        "was written from a failed computation."
    ]
