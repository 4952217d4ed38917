"""The CT plugin through the core catalog and ingest: archives, quarantine, real files."""

from __future__ import annotations

import csv
import gzip
import struct
from pathlib import Path

import nibabel as nib
import numpy as np
import pydicom
import pytest

from plugins.ct.phantom import make_phantom, write_dicom_series, write_nifti, write_phantom_archive
from plugins.ct.spec import DEFAULT_TARGET_SPACING_MM
from plugins.ct.tasks import organ_patch_windows, read_label_volume
from sslsci.catalog import CatalogError, load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace
from tests.plugins.ct.conftest import REAL_CT, real_ct

OPTIONS = "{target_spacing: 25.0, expect_single_series: true}"
CATALOG = f"""
entries:
  - name: phantoms
    modality: ct
    uri: archive
    include: ["series/*"]
    options: {OPTIONS}
    labels: {{sidecar: labels.csv, group_column: subject}}
    splits: {{fraction: {{train: 0.5, test: 0.5}}, group_by: subject, seed: 0}}
  - name: bad
    modality: ct
    uri: bad
    include: ["*"]
    options: {OPTIONS}
  - name: pair
    modality: ct
    uri: pair
    include: ["*"]
    options: {OPTIONS}
  - name: real
    modality: ct
    uri: {REAL_CT.resolve()}
    include: ["*.dcm"]
"""
SIZE = (16, 12, 8)


def ingest(root: Path, name: str):
    catalog = load_catalog(root / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())
    report = ingest_entry(catalog, name, workspace)
    manifest = workspace.manifest()
    try:
        items = manifest.items([name])
    finally:
        manifest.close()
    return report, items, workspace


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ct_study")
    (root / "catalog.yaml").write_text(CATALOG)
    write_phantom_archive(root / "archive", n=4, size=SIZE, seed=2)
    return root


def test_series_folders_with_label_volumes_ingest_through_the_catalog(study: Path) -> None:
    report, items, _ = ingest(study, "phantoms")
    assert report.counts["ok"] == 4, report.quarantined
    with (study / "archive" / "labels.csv").open() as handle:
        sidecar = {row["file"]: row["label"] for row in csv.DictReader(handle)}
    assert {Path(i.uri).name: i.label for i in items} == {
        Path(file).name: label for file, label in sidecar.items()
    }
    assert {i.split for i in items} <= {"train", "test"}
    for item in items:
        assert item.dims == ("channel", "x", "y", "z")
        assert item.labels["segmentation"].startswith("segmentations/case_")
        assert item.attrs["spacing"] == pytest.approx([25.0, 25.0, 25.0])
        assert [s["step"] for s in item.attrs["preprocessing"]] == [
            "orient",
            "resample",
            "clip",
            "scale",
            "cast",
        ]


def test_no_identifying_tag_reaches_the_store_or_manifest(study: Path) -> None:
    _, _, workspace = ingest(study, "phantoms")
    written = [workspace.manifest_path, *sorted(workspace.root.rglob("zarr.json"))]
    assert len(written) > 1
    for path in written:
        blob = path.read_bytes()
        for secret in (b"Synthetic^Case", b"SYN-0002", b"19700101"):
            assert secret not in blob, f"{secret!r} found in {path}"


def test_organ_patches_from_a_stored_item_and_its_segmentation(study: Path) -> None:
    _, items, workspace = ingest(study, "phantoms")
    item = items[0]
    image = workspace.store().open(item.store_key).load()
    labels = read_label_volume(
        str(study / "archive" / item.labels["segmentation"]), target_spacing=25.0
    )
    samples = organ_patch_windows(image, labels, size=3, per_class=2, seed=0)
    assert len({label for _, label in samples}) >= 3


def _bad_archive(root: Path) -> None:
    phantom = make_phantom(SIZE, seed=8, condition="normal")
    volume, spacing = phantom.volume, phantom.spacing
    image, _ = write_nifti(volume, None, spacing, root / "truncated.nii.gz")
    image.write_bytes(image.read_bytes()[:300])
    write_dicom_series(volume, spacing, root / "missing_slice", "1.2.9.1")
    (root / "missing_slice" / "IM_0004.dcm").unlink()
    write_dicom_series(volume, spacing, root / "mixed", "1.2.9.2")
    write_dicom_series(volume, spacing, root / "mixed" / "second", "1.2.9.3")
    write_dicom_series(volume, spacing, root / "mr", "1.2.9.4", modality="MR")
    plain, _ = write_nifti(volume, None, spacing, root / "flat.nii")
    header = bytearray(plain.read_bytes())
    header[312:328] = struct.pack("<4f", 0.0, 0.0, 0.0, 0.0)  # srow_z: zero z spacing
    (root / "zero_spacing.nii.gz").write_bytes(gzip.compress(bytes(header)))
    plain.unlink()
    nan = volume.astype(np.float32)
    nan[3, 3, 3] = np.nan
    nib.save(nib.Nifti1Image(nan, phantom.affine), root / "nan.nii.gz")
    (root / "notes.txt").write_text("scanner notes, not an image\n")
    (root / "report.dcm").write_text("a report saved with the wrong suffix\n" * 10)


EXPECTED_REASONS = {
    "truncated.nii.gz": "truncated",
    "missing_slice": "a slice is missing before it",
    "mixed": "holds 2 series but the catalog declares one series per folder",
    "mr": "the DICOM header says Modality 'MR', not CT",
    "zero_spacing.nii.gz": "voxel spacing z=0.0 mm is not positive and finite",
    "nan.nii.gz": "NaN or infinite",
    "notes.txt": "no ct reader recognises this file",
    "report.dcm": "is not a DICOM file",
}


def test_each_bad_input_is_quarantined_with_its_own_reason(study: Path) -> None:
    _bad_archive(study / "bad")
    report, items, _ = ingest(study, "bad")
    assert [Path(i.uri).name for i in items] == []
    reasons = {Path(uri).name: reason for uri, reason in report.quarantined}
    assert set(reasons) == set(EXPECTED_REASONS)
    for name, expected in EXPECTED_REASONS.items():
        assert expected in reasons[name], f"{name}: {reasons[name]}"


def test_phantom_ingests_identically_from_nifti_and_dicom(study: Path) -> None:
    phantom = make_phantom(SIZE, seed=9)
    root = study / "pair"
    write_nifti(phantom.volume, None, phantom.spacing, root / "case.nii.gz", origin=phantom.origin)
    write_dicom_series(
        phantom.volume, phantom.spacing, root / "case_dicom", "1.2.9.9", origin=phantom.origin
    )
    report, items, workspace = ingest(study, "pair")
    assert report.counts["ok"] == 2, report.quarantined
    store = workspace.store()
    nifti, dicom = (store.open(i.store_key).load() for i in sorted(items, key=lambda i: i.uri))
    np.testing.assert_allclose(nifti.values, dicom.values, atol=1e-6)
    assert nifti.attrs["spacing"] == dicom.attrs["spacing"]
    np.testing.assert_allclose(nifti.attrs["affine"], dicom.attrs["affine"], atol=1e-4)


def _real_reasons(study: Path) -> dict[str, str | None]:
    real_ct("CT_small.dcm")
    report, items, _ = ingest(study, "real")
    reasons: dict[str, str | None] = {Path(i.uri).name: None for i in items}
    reasons.update({Path(uri).name: reason for uri, reason in report.quarantined})
    return reasons


def test_real_enhanced_multiframe_file_ingests(study: Path) -> None:
    reasons = _real_reasons(study)
    assert reasons["eCT_Supplemental.dcm"] is None


def test_real_single_slice_file_ingests(study: Path) -> None:
    reasons = _real_reasons(study)
    assert reasons["CT_small.dcm"] is None, reasons["CT_small.dcm"]


def test_real_files_are_stored_at_the_default_spacing(study: Path) -> None:
    """In-plane extent from the DICOM header (pydicom), resampled to 1.5 mm voxels; a
    single slice keeps its own thickness along z (nothing to resample)."""
    _, items, _ = ingest(study, "real")
    stored = {Path(i.uri).name: i for i in items}
    assert set(stored) == {"CT_small.dcm", "eCT_Supplemental.dcm"}
    for name, item in stored.items():
        ds = pydicom.dcmread(real_ct(name), stop_before_pixels=True)
        spacing = _pixel_spacing(ds)
        extent = (ds.Columns * spacing[1], ds.Rows * spacing[0])
        expected = [round(mm / DEFAULT_TARGET_SPACING_MM) for mm in extent]
        assert item.attrs["spacing"][:2] == pytest.approx([DEFAULT_TARGET_SPACING_MM] * 2)
        if item.shape[3] == 1:
            assert item.attrs["spacing"][2] == pytest.approx(float(ds.SliceThickness))
        assert [abs(n - e) <= 1 for n, e in zip(item.shape[1:3], expected, strict=True)] == [
            True,
            True,
        ], (name, item.shape, expected)


def _pixel_spacing(ds: pydicom.Dataset) -> tuple[float, float]:
    """PixelSpacing (row, column) from a classic header or the enhanced functional groups."""
    if "PixelSpacing" in ds:
        return tuple(float(v) for v in ds.PixelSpacing)
    groups = ds.SharedFunctionalGroupsSequence[0]
    return tuple(float(v) for v in groups.PixelMeasuresSequence[0].PixelSpacing)


def test_bad_catalog_options_fail_before_ingest_naming_the_line(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    (tmp_path / "catalog.yaml").write_text(
        "entries:\n"
        "  - name: typo\n"
        "    modality: ct\n"
        "    uri: archive\n"
        "    options: {target_spacing: -1, expect_single_serie: true}\n"
    )
    catalog = load_catalog(tmp_path / "catalog.yaml")
    with pytest.raises(CatalogError) as caught:
        ingest_entry(catalog, "typo", Workspace(catalog.resolve_workdir()))
    text = str(caught.value)
    assert "catalog.yaml: line 5: entry 'typo': field 'options.target_spacing'" in text
    assert "must be a positive number of mm" in text
    assert "unknown key 'expect_single_serie'; accepted keys: target_spacing" in text
    assert "expect_single_series" in text
