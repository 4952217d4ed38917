"""The CT hostile corpus through a real ingest, and each new size bound on its own."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import nibabel as nib
import numpy as np
import pytest
import yaml

from plugins.ct.normalize import normalize_volume
from plugins.ct.phantom import write_dicom_series, write_nifti
from plugins.ct.readers_dicom import DicomReader
from plugins.ct.readers_nifti import NiftiReader
from plugins.ct.validate import validate_array
from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace
from tests.ingest.hostile import corpus_ct

READER = NiftiReader()


def _ingest(root: Path):
    entry = {
        "name": "hostile",
        "modality": corpus_ct.MODALITY,
        "uri": "archive",
        "include": corpus_ct.INCLUDE,
        "options": corpus_ct.OPTIONS,
    }
    (root / "catalog.yaml").write_text(yaml.safe_dump({"entries": [entry]}))
    catalog = load_catalog(root / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())
    report = ingest_entry(catalog, "hostile", workspace)
    manifest = workspace.manifest()
    try:
        items = manifest.items(["hostile"])
    finally:
        manifest.close()
    return report, items


def test_every_hostile_ct_source_gets_its_reason_and_good_ones_are_stored(tmp_path) -> None:
    expected = corpus_ct.write_corpus(tmp_path / "archive", seed=3)
    assert sum(reason is not None for reason in expected.values()) >= 10
    tracemalloc.start()
    try:
        report, items = _ingest(tmp_path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    reasons = {Path(uri).name: reason for uri, reason in report.quarantined}
    stored = {Path(item.uri).name for item in items}
    assert stored == {name for name, reason in expected.items() if reason is None}, reasons
    for name, reason in expected.items():
        if reason is not None:
            assert reason.lower() in reasons[name].lower(), f"{name}: {reasons[name]}"
    assert peak < 200 * 2**20, f"peak traced allocation {peak / 2**20:.0f} MiB"


def _header_file(path: Path, shape: tuple[int, ...], compress: bool) -> Path:
    raw = corpus_ct._header_only(shape, np.int16)
    path.write_bytes(gzip.compress(raw) if compress else raw)
    return path


def _read_peak(path: Path, **options) -> tuple[str, int]:
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as caught:
            list(READER.read(str(path), **options))
        return str(caught.value), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_77_byte_gzip_declaring_1200_cubed_is_refused_before_allocating(tmp_path) -> None:
    reason, peak = _read_peak(_header_file(tmp_path / "bomb.nii.gz", (1200,) * 3, True))
    assert "declares 3,456,000,352 bytes" in reason
    assert "less than gzip could shrink them to" in reason
    assert peak < 5 * 2**20


def test_a_header_above_max_voxels_is_refused_and_the_option_raises_it(tmp_path) -> None:
    path = write_nifti(np.zeros((8, 8, 8), np.int16), None, (1, 1, 1), tmp_path / "a.nii")[0]
    reason, _ = _read_peak(path, max_voxels=511)
    assert "declares 8x8x8 = 512 voxels, above max_voxels=511" in reason
    assert [r.item for r in READER.read(str(path), max_voxels=512)] == ["0"]


def test_2000_cubed_header_is_refused_by_the_default_limit(tmp_path) -> None:
    reason, peak = _read_peak(_header_file(tmp_path / "huge.nii", (2000,) * 3, False))
    assert "8,000,000,000 voxels, above max_voxels=2,147,483,648" in reason
    assert peak < 5 * 2**20


def test_a_header_with_a_zero_axis_is_refused(tmp_path) -> None:
    reason, _ = _read_peak(_header_file(tmp_path / "zero.nii", (16, 0, 8), False))
    assert "shape (16, 0, 8), with no voxels along some axis" in reason


def test_resampling_a_coarse_volume_refuses_to_grow_it_past_the_limit(tmp_path) -> None:
    volume = np.random.default_rng(0).integers(-1000, 1000, (16, 16, 16)).astype(np.int16)
    path, _ = write_nifti(volume, None, (40.0, 40.0, 40.0), tmp_path / "coarse.nii.gz")
    array = next(READER.read(str(path))).array
    with pytest.raises(ValueError) as caught:
        normalize_volume(array)
    assert "grow it 15,742 times (16x16x16 -> 401x401x401 voxels)" in str(caught.value)
    assert "max_resample_growth=64" in str(caught.value)
    with pytest.raises(ValueError, match="above max_voxels=1,000,000"):
        normalize_volume(array, max_resample_growth=1e6, max_voxels=1_000_000)
    grown = normalize_volume(array, target_spacing=10.0)
    assert grown.shape == (1, 61, 61, 61)


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "empty file (0 bytes)"), (b"\x07binary" * 100, "not a NIfTI file")],
)
def test_empty_and_binary_nii_files_get_their_own_reason(tmp_path, content, reason) -> None:
    path = tmp_path / "scan.nii"
    path.write_bytes(content)
    assert READER.sniff(str(path), content[:4096])
    assert reason in _read_peak(path)[0]


DICOM = DicomReader()
SPACING = (4.0, 4.0, 4.0)


def _volume() -> np.ndarray:
    return np.random.default_rng(1).integers(-1000, 1000, (16, 12, 4)).astype(np.int16)


def test_a_deflated_dicom_inflating_past_its_header_is_refused_in_bounded_memory(
    tmp_path,
) -> None:
    path = corpus_ct.write_deflate_lie(tmp_path / "bomb.dcm", _volume()[:, :, :1], SPACING, 2**26)
    assert path.stat().st_size < 200_000
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="inflates to more than the 1,049,"):
            list(DICOM.read(str(path)))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20, f"peak {peak / 2**20:.0f} MiB for a 64 MiB deflate bomb"


def test_dicom_rows_columns_frames_above_max_voxels_are_refused_before_decoding(
    tmp_path,
) -> None:
    files = write_dicom_series(_volume(), SPACING, tmp_path / "s", "1.2.826.0.1.88.1")
    with pytest.raises(ValueError, match=r"declares Rows x Columns x frames = 192 voxels, above"):
        list(DICOM.read(str(files[0]), max_voxels=191))
    assert len(list(DICOM.read(str(files[0]), max_voxels=192))) == 1


def test_a_series_total_above_max_voxels_is_refused(tmp_path) -> None:
    folder = tmp_path / "s"
    write_dicom_series(_volume(), SPACING, folder, "1.2.826.0.1.88.2")
    with pytest.raises(ValueError, match=r"4 files of Rows x Columns x frames = 768 voxels, above"):
        list(DICOM.read(str(folder), max_voxels=767))
    assert len(list(DICOM.read(str(folder), max_voxels=768))) == 1


def test_a_series_with_an_empty_series_uid_is_refused_naming_its_files(tmp_path) -> None:
    folder = tmp_path / "s"
    write_dicom_series(_volume(), SPACING, folder, "")
    with pytest.raises(ValueError) as caught:
        list(DICOM.read(str(folder)))
    text = str(caught.value)
    assert "4 image file(s) have an empty SeriesInstanceUID (IM_0001.dcm" in text
    assert "and 1 more" in text


def _labels(tmp_path, intent: str | None = None) -> Path:
    values = corpus_ct.phantom_labels(_volume().astype(np.float32) * 0.5)
    image = nib.Nifti1Image(values.astype(np.uint8), np.diag([*SPACING, 1.0]))
    image.header.set_xyzt_units("mm")
    if intent:
        image = nib.Nifti1Image(_volume(), np.diag([*SPACING, 1.0]))
        image.header.set_intent(intent)
    path = tmp_path / "seg.nii.gz"
    nib.save(image, path)
    return path


def test_a_label_map_is_refused_as_ct_unless_the_option_says_it_is_ct(tmp_path) -> None:
    array = next(READER.read(str(_labels(tmp_path)))).array
    problems = validate_array(array)
    assert any("looks like a label map: uint8 values" in p for p in problems), problems
    assert "refuse_label_maps: false" in problems[0]
    assert validate_array(array, refuse_label_maps=False) == []


def test_a_nifti_with_intent_label_is_refused_as_ct(tmp_path) -> None:
    array = next(READER.read(str(_labels(tmp_path, intent="label")))).array
    assert validate_array(array) == [
        "it looks like a label map: its NIfTI intent is 'label'; if it truly is CT in HU, "
        "set refuse_label_maps: false in the entry's options."
    ]


def test_a_ct_volume_is_not_taken_for_a_label_map(tmp_path) -> None:
    path, _ = write_nifti(_volume(), None, SPACING, tmp_path / "ct.nii.gz")
    assert validate_array(next(READER.read(str(path))).array) == []
