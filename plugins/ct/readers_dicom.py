"""DICOM reader: a single file (one slice, or an enhanced/legacy multi-frame volume),
or a folder holding one or several series (each series becomes one record).

In a folder, files are grouped by SeriesInstanceUID; files that are not DICOM images
(README, DICOMDIR, structured reports) are skipped and counted. The item of a series
is a hash of its UID. With ``expect_single_series: true`` a folder holding more than
one series is an error, for archives laid out as one series per folder.

A single slice becomes a volume with z = 1 and the slice spacing from
SpacingBetweenSlices or SliceThickness; set ``min_size`` in the validation options
to keep such files out of a 3-D archive.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError

from plugins.ct.dicom_meta import series_item
from plugins.ct.dicom_pixels import is_multiframe
from plugins.ct.dicom_size import check_deflated, check_voxels, declared_voxels
from plugins.ct.dicom_volume import multiframe_volume, series_volume
from plugins.ct.options import DicomOptions, SizeOptions
from sslsci.plugins.contract import Record

DICM_OFFSET = 128
DICM_MAGIC = b"DICM"
SNIFF_FILES = 16
DIRECTORY_SOP_CLASS = "1.2.840.10008.1.3.10"  # DICOMDIR (Media Storage Directory)
DEFER_BYTES = 2**20  # header elements longer than this stay on disk until used


def _has_dicm(head: bytes) -> bool:
    return head[DICM_OFFSET : DICM_OFFSET + 4] == DICM_MAGIC


def _files_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))


def _image_header(file: Path, limit: int) -> Dataset | None:
    """The header (no pixels) if ``file`` is a DICOM image, else None; a deflated file
    that declares or inflates to more than ``limit`` voxels is an error."""
    check_deflated(file, limit, str(file))
    try:
        header = pydicom.dcmread(file, stop_before_pixels=True, defer_size=DEFER_BYTES)
    except (InvalidDicomError, EOFError, OSError, ValueError):
        return None
    if str(header.get("SOPClassUID", "")) == DIRECTORY_SOP_CLASS or "Rows" not in header:
        return None
    return header


def _series_groups(folder: Path, limit: int) -> tuple[dict[str, list[tuple[Path, Dataset]]], int]:
    """SeriesInstanceUID -> (file, header) pairs, and how many files were not images."""
    groups: dict[str, list[tuple[Path, Dataset]]] = {}
    skipped = 0
    for file in _files_in(folder):
        header = _image_header(file, limit)
        if header is None:
            skipped += 1
            continue
        uid = str(header.get("SeriesInstanceUID", "") or "")
        groups.setdefault(uid, []).append((file, header))
    return groups, skipped


def _describe_series(groups: dict[str, list[tuple[Path, Dataset]]]) -> str:
    parts = []
    for uid, members in groups.items():
        header = members[0][1]
        parts.append(
            f"series {series_item(uid)} (SeriesNumber {header.get('SeriesNumber', '?')}, "
            f"{header.get('Modality', '?')}, {len(members)} files)"
        )
    return "; ".join(parts)


def _check_series_uids(folder: Path, groups: dict[str, list[tuple[Path, Dataset]]]) -> None:
    """Refuse images without a SeriesInstanceUID (required, type 1): without it nothing
    says which slices form one scan, and guessing could stack two scans into one volume."""
    lost = groups.get("", [])
    if lost:
        shown = ", ".join(file.relative_to(folder).as_posix() for file, _ in lost[:3])
        more = f" and {len(lost) - 3} more" if len(lost) > 3 else ""
        raise ValueError(
            f"{folder}: {len(lost)} image file(s) have an empty SeriesInstanceUID ({shown}"
            f"{more}), so their series cannot be told apart; re-export them from the PACS or "
            "anonymiser keeping UIDs (or give them one, e.g. `dcmodify -gse`), or exclude them"
        )


class DicomReader:
    """DICOM CT: files, single-series folders and multi-series folders."""

    name = "dicom"
    suffixes: tuple[str, ...] = (".dcm", ".dicom", ".ima")
    options = DicomOptions

    def sniff(self, path: str, head: bytes) -> bool:
        """A file with the DICM preamble or a DICOM suffix; a folder with such files."""
        target = Path(path)
        if target.is_dir():
            for file in _files_in(target)[:SNIFF_FILES]:
                with file.open("rb") as handle:
                    if _has_dicm(handle.read(DICM_OFFSET + 4)):
                        return True
            return False
        return _has_dicm(head) or target.name.lower().endswith(self.suffixes)

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """Records for a file or a folder; options: ``DicomOptions``."""
        target = Path(path)
        limit = SizeOptions.pick(options).max_voxels
        if target.is_dir():
            single = DicomOptions.pick(options).expect_single_series
            yield from self._read_folder(target, single, limit)
        else:
            yield self._read_file(target, limit)

    def _read_file(self, file: Path, limit: int) -> Record:
        header = _image_header(file, limit)
        if header is not None:  # else dcmread below says why it is not an image
            frames = declared_voxels(header, str(file))
            check_voxels(frames, limit, "Rows x Columns x frames", str(file))
        try:
            ds = pydicom.dcmread(file)
        except InvalidDicomError as exc:
            raise ValueError(
                f"{file}: is not a DICOM file (no 'DICM' marker at byte 128 and no file meta "
                "header); it is not imaging data: exclude it from the catalog glob or set the "
                "right format"
            ) from exc
        except Exception as exc:
            raise ValueError(
                f"{file}: cannot be read as DICOM ({type(exc).__name__}: {exc}); the file is "
                "truncated or corrupt: copy or export it again"
            ) from exc
        return Record(multiframe_volume(ds, str(file), file.name), item="0")

    def _read_folder(self, folder: Path, expect_single: bool, limit: int) -> Iterator[Record]:
        groups, skipped = _series_groups(folder, limit)
        if not groups:
            raise ValueError(
                f"{folder}: holds no DICOM image files ({skipped} other files); point the "
                "catalog glob at folders of DICOM series"
            )
        _check_series_uids(folder, groups)
        for uid, members in groups.items():
            total = sum(declared_voxels(h, f"{folder}/{f.name}") for f, h in members)
            what = f"series {series_item(uid)}: {len(members)} files of Rows x Columns x frames"
            check_voxels(total, limit, what, str(folder))
        if expect_single and len(groups) > 1:
            raise ValueError(
                f"{folder}: holds {len(groups)} series but the catalog declares one series per "
                f"folder (expect_single_series: true): {_describe_series(groups)}; move each "
                "series into its own folder, or drop the option to read each as its own item"
            )
        for uid in sorted(groups, key=series_item):
            yield Record(self._series(folder, groups[uid], skipped), item=series_item(uid))

    def _series(self, folder: Path, members: list[tuple[Path, Dataset]], skipped: int):
        files = [file for file, _ in members]
        headers = [header for _, header in members]
        names = [f"{folder}/{file.relative_to(folder)}" for file in files]
        multi = [n for n, h in zip(names, headers, strict=True) if is_multiframe(h)]
        if multi and len(files) > 1:
            raise ValueError(
                f"{multi[0]}: a multi-frame file shares its series with {len(files) - 1} other "
                "files; keep one multi-frame file per series folder"
            )
        if multi:
            array = multiframe_volume(pydicom.dcmread(files[0]), names[0], folder.name)
        else:
            array = series_volume(files, headers, names, folder.name)
        array.attrs["skipped_files"] = skipped
        return array
