"""DICOM reader: the real files in shared/data/ct, phantom series, and bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.uid import JPEG2000Lossless, RLELossless

from plugins.ct import dicom_pixels
from plugins.ct.phantom import Phantom, make_phantom, write_dicom_series
from plugins.ct.phantom_files import SyntheticPatient
from plugins.ct.readers_dicom import DicomReader
from plugins.ct.validate import validate_array
from tests.plugins.ct.conftest import SERIES_UID, real_ct

READER = DicomReader()


def read_one(path: Path, **options):
    records = list(READER.read(str(path), **options))
    assert len(records) == 1
    return records[0].array


def identifying_values(ds: pydicom.Dataset) -> list[str]:
    return [str(ds.get(k)) for k in ("PatientName", "PatientID", "PatientBirthDate") if ds.get(k)]


def assert_no_identifying_attrs(attrs: dict, ds: pydicom.Dataset) -> None:
    text = json.dumps(attrs)
    for value in identifying_values(ds):
        assert value not in text, f"identifying value {value!r} leaked into attrs"
    for key in attrs:
        assert not any(word in key for word in ("PatientName", "PatientID", "BirthDate", "UID"))


def test_real_single_slice_reads_as_one_slice_volume_in_hu() -> None:
    path = real_ct("CT_small.dcm")
    ds = pydicom.dcmread(path)
    array = read_one(path)
    expected = ds.pixel_array.astype(np.float64) * float(ds.RescaleSlope) + float(
        ds.RescaleIntercept
    )
    assert array.dims == ("channel", "x", "y", "z")
    assert array.shape == (1, 128, 128, 1)
    np.testing.assert_array_equal(array.values[0, :, :, 0], expected.T)
    assert array.attrs["spacing"] == pytest.approx([0.661468, 0.661468, 5.0])
    ipp = [float(v) for v in ds.ImagePositionPatient]
    affine = np.array(array.attrs["affine"])
    np.testing.assert_allclose(affine[:3, 3], [-ipp[0], -ipp[1], ipp[2]])
    assert array.attrs["orientation"] == "LPS"
    assert array.attrs["modality"] == "CT"
    assert validate_array(array) == []
    assert_no_identifying_attrs(array.attrs, ds)


def test_real_single_slice_is_refused_by_a_3d_min_size() -> None:
    array = read_one(real_ct("CT_small.dcm"))
    problems = validate_array(array, min_size=2)
    assert len(problems) == 1
    assert "z=1 < 2" in problems[0]


def test_real_enhanced_multiframe_ct_orders_frames_along_the_normal() -> None:
    path = real_ct("eCT_Supplemental.dcm")
    ds = pydicom.dcmread(path)
    array = read_one(path)
    frames = ds.pixel_array.astype(np.float64) - 1024.0  # shared RescaleIntercept -1024
    assert array.shape == (1, 512, 512, 2)
    # The normal of rows (-1,0,0) x columns (0,1,0) is (0,0,-1): z = -149 comes first,
    # which is the second frame in the file.
    np.testing.assert_array_equal(array.values[0, :, :, 0], frames[1].T)
    np.testing.assert_array_equal(array.values[0, :, :, 1], frames[0].T)
    assert array.attrs["spacing"] == pytest.approx([0.388672, 0.388672, 10.0])
    assert array.attrs["slice_positions"] == [149.0, 159.0]
    assert array.attrs["dicom_sop_class"] == "Enhanced CT Image Storage"
    assert validate_array(array) == []
    assert_no_identifying_attrs(array.attrs, ds)


def test_series_folder_reads_the_phantom_with_its_geometry(
    dicom_folder: Path, phantom: Phantom
) -> None:
    records = list(READER.read(str(dicom_folder)))
    assert len(records) == 1
    array = records[0].array
    # Columns run to the patient's left and rows posterior (LPS): both RAS axes flip.
    np.testing.assert_array_equal(array.values[0], phantom.volume[::-1, ::-1, :])
    assert array.attrs["spacing"] == pytest.approx(phantom.spacing)
    assert array.attrs["orientation"] == "LPS"
    assert array.attrs["slices"] == phantom.volume.shape[2]
    assert validate_array(array) == []


def test_slices_are_ordered_by_position_not_by_file_name(
    dicom_folder: Path, phantom: Phantom
) -> None:
    files = sorted(dicom_folder.iterdir())
    for file, target in zip(files, reversed(files), strict=True):
        file.rename(file.with_name("tmp_" + target.name))
    array = read_one(dicom_folder)
    np.testing.assert_array_equal(array.values[0], phantom.volume[::-1, ::-1, :])


def test_identifying_patient_fields_never_reach_attrs(tmp_path: Path, phantom: Phantom) -> None:
    patient = SyntheticPatient(name="Doe^Jane", patient_id="MRN-991122", birth_date="19610203")
    folder = tmp_path / "named"
    write_dicom_series(phantom.volume, phantom.spacing, folder, SERIES_UID, patient=patient)
    array = read_one(folder)
    header = pydicom.dcmread(next(folder.iterdir()))
    assert identifying_values(header) == ["Doe^Jane", "MRN-991122", "19610203"]
    assert_no_identifying_attrs(array.attrs, header)
    assert SERIES_UID not in json.dumps(array.attrs)


def test_folder_with_several_series_gives_one_record_each(tmp_path: Path, phantom: Phantom) -> None:
    folder = tmp_path / "mixed"
    write_dicom_series(phantom.volume, phantom.spacing, folder / "a", "1.2.3.1")
    write_dicom_series(phantom.volume[:, :, :6], phantom.spacing, folder / "b", "1.2.3.2")
    records = list(READER.read(str(folder)))
    assert sorted(r.array.shape[3] for r in records) == [6, phantom.volume.shape[2]]
    items = [r.item for r in records]
    assert len(set(items)) == 2 and all(len(i) == 16 and "1.2.3" not in i for i in items)


def test_mixed_series_where_one_was_declared_is_an_error(tmp_path: Path, phantom: Phantom) -> None:
    folder = tmp_path / "mixed"
    write_dicom_series(phantom.volume, phantom.spacing, folder, "1.2.3.1")
    write_dicom_series(phantom.volume, phantom.spacing, folder / "other", "1.2.3.2")
    with pytest.raises(ValueError, match=r"holds 2 series .*expect_single_series: true"):
        list(READER.read(str(folder), expect_single_series=True))


def test_missing_slice_is_named_by_validation(dicom_folder: Path) -> None:
    (dicom_folder / "IM_0006.dcm").unlink()
    problems = validate_array(read_one(dicom_folder))
    assert len(problems) == 1
    assert "slice 5 (InstanceNumber 7" in problems[0]
    assert "a slice is missing before it" in problems[0]


def test_duplicate_slice_is_named_by_validation(dicom_folder: Path) -> None:
    shutil.copy(dicom_folder / "IM_0003.dcm", dicom_folder / "IM_0003_copy.dcm")
    problems = validate_array(read_one(dicom_folder))
    assert len(problems) == 1
    assert "duplicates the position of slice 2 (InstanceNumber 3)" in problems[0]


def test_non_ct_modality_is_a_validation_problem(tmp_path: Path, phantom: Phantom) -> None:
    folder = tmp_path / "mr"
    write_dicom_series(phantom.volume, phantom.spacing, folder, SERIES_UID, modality="MR")
    problems = validate_array(read_one(folder))
    assert problems == [
        "the DICOM header says Modality 'MR', not CT; move it out of the CT archive or catalog "
        "it under its own modality."
    ]


def test_zero_pixel_spacing_is_a_validation_problem(dicom_folder: Path) -> None:
    for file in dicom_folder.iterdir():
        ds = pydicom.dcmread(file)
        ds.PixelSpacing = [0, 0]
        ds.save_as(file)
    problems = validate_array(read_one(dicom_folder))
    assert len(problems) == 1
    assert "voxel spacing x=0.0, y=0.0 mm is not positive and finite" in problems[0]


def test_a_text_file_is_not_dicom(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("patient list, not an image\n" * 20)
    assert not READER.sniff(str(notes), notes.read_bytes()[:4096])
    with pytest.raises(ValueError, match="is not a DICOM file"):
        list(READER.read(str(notes)))
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(notes, folder / "notes.txt")
    assert not READER.sniff(str(folder), b"")
    with pytest.raises(ValueError, match=r"holds no DICOM image files \(1 other files\)"):
        list(READER.read(str(folder)))


def test_non_image_files_in_a_series_folder_are_skipped_and_counted(
    dicom_folder: Path, phantom: Phantom
) -> None:
    (dicom_folder / "README").write_text("exported by a scanner\n")
    array = read_one(dicom_folder)
    assert array.attrs["skipped_files"] == 1
    assert array.shape[3] == phantom.volume.shape[2]


def test_truncated_slice_is_an_error_naming_the_file(dicom_folder: Path) -> None:
    file = dicom_folder / "IM_0004.dcm"
    file.write_bytes(file.read_bytes()[:-200])
    with pytest.raises(ValueError, match=r"IM_0004\.dcm: .*truncated or corrupt"):
        read_one(dicom_folder)


@pytest.mark.parametrize("syntax", [RLELossless, JPEG2000Lossless])
def test_compressed_series_decode_to_the_same_hu(tmp_path: Path, syntax: str) -> None:
    phantom = make_phantom((64, 64, 4), seed=2)  # JPEG 2000 needs images of 64+ pixels
    folder = tmp_path / "compressed"
    write_dicom_series(phantom.volume, phantom.spacing, folder, SERIES_UID, transfer_syntax=syntax)
    assert pydicom.dcmread(next(folder.iterdir())).file_meta.TransferSyntaxUID == syntax
    np.testing.assert_array_equal(read_one(folder).values[0], phantom.volume[::-1, ::-1, :])


class _MissingDecoder:
    is_available = False
    missing_dependencies = ("pylibjpeg - requires pylibjpeg>=2.0 and pylibjpeg-openjpeg>=2.0",)


def test_missing_decoder_names_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    phantom = make_phantom((64, 64, 4), seed=3)
    folder = tmp_path / "j2k"
    write_dicom_series(
        phantom.volume, phantom.spacing, folder, SERIES_UID, transfer_syntax=JPEG2000Lossless
    )
    monkeypatch.setattr(dicom_pixels, "get_decoder", lambda uid: _MissingDecoder())
    with pytest.raises(ValueError, match="pip install pylibjpeg pylibjpeg-openjpeg"):
        read_one(folder)
