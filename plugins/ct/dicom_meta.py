"""Which DICOM header fields may travel with a volume: technical ones only.

An allow-list, not a deny-list: anything not named here (patient name, ID, birth
date, sex, age, dates and times, institution, station, operators, device serial
numbers, UIDs, free-text descriptions) never reaches attrs, the store or the
manifest. Series are told apart by a hash of the SeriesInstanceUID, never the UID.
"""

from __future__ import annotations

import hashlib
from typing import Any

from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.uid import UID

# Acquisition and reconstruction parameters that describe the scanner, not the person.
TECHNICAL_KEYWORDS: tuple[str, ...] = (
    "Modality",
    "Manufacturer",
    "ManufacturerModelName",
    "KVP",
    "XRayTubeCurrent",
    "ExposureTime",
    "ConvolutionKernel",
    "FilterType",
    "ReconstructionDiameter",
    "SliceThickness",
    "SpacingBetweenSlices",
    "PatientPosition",
    "ImageType",
    "PhotometricInterpretation",
    "BitsStored",
    "RescaleType",
)


def series_item(series_uid: str) -> str:
    """A stable, non-reversible name for a series: 16 hex digits of its UID's SHA-256."""
    return hashlib.sha256(series_uid.encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    """pydicom values as JSON-friendly Python values."""
    if isinstance(value, MultiValue | list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    return str(value)


def technical_metadata(ds: Dataset) -> dict[str, Any]:
    """The allow-listed fields present in ``ds``, keyed ``dicom_<Keyword>``."""
    found: dict[str, Any] = {}
    for keyword in TECHNICAL_KEYWORDS:
        value = ds.get(keyword)
        if value is None or value == "":
            continue
        found[f"dicom_{keyword}"] = _plain(value)
    sop_class = ds.get("SOPClassUID")
    if sop_class:
        found["dicom_sop_class"] = UID(str(sop_class)).name
    meta = getattr(ds, "file_meta", None)
    syntax = meta.get("TransferSyntaxUID") if meta is not None else None
    if syntax:
        found["dicom_transfer_syntax"] = UID(str(syntax)).name
    found["contrast"] = bool(ds.get("ContrastBolusAgent") or ds.get("ContrastBolusAgentSequence"))
    return found


def modality_of(ds: Dataset) -> str:
    """The header's Modality, upper-case, or ``unknown`` when absent."""
    value = str(ds.get("Modality", "") or "").strip().upper()
    return value or "unknown"
