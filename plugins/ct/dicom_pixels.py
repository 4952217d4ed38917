"""DICOM pixel data to Hounsfield units, with decoders that explain what is missing.

Compressed transfer syntaxes are decoded by pydicom's pixel data plugins; the
project installs pylibjpeg with its openjpeg (JPEG 2000), libjpeg (JPEG, JPEG-LS)
and rle plugins. When none is available the error names what to install.
"""

from __future__ import annotations

import numpy as np
from pydicom.dataset import Dataset
from pydicom.pixels import apply_modality_lut, get_decoder, pixel_array
from pydicom.uid import (
    HTJ2K,
    UID,
    HTJ2KLossless,
    HTJ2KLosslessRPCL,
    JPEG2000TransferSyntaxes,
    JPEGLSTransferSyntaxes,
    JPEGTransferSyntaxes,
    RLETransferSyntaxes,
)

from plugins.ct.dicom_geometry import functional_value

# Transfer syntax -> the pip packages whose pydicom plugin decodes it.
DECODER_PACKAGES: dict[str, str] = {
    **{uid: "pylibjpeg pylibjpeg-openjpeg" for uid in JPEG2000TransferSyntaxes},
    **{uid: "pylibjpeg pylibjpeg-openjpeg" for uid in (HTJ2K, HTJ2KLossless, HTJ2KLosslessRPCL)},
    **{uid: "pylibjpeg pylibjpeg-libjpeg" for uid in JPEGLSTransferSyntaxes},
    **{uid: "pylibjpeg pylibjpeg-libjpeg" for uid in JPEGTransferSyntaxes},
    **{uid: "pylibjpeg pylibjpeg-rle" for uid in RLETransferSyntaxes},
}


def transfer_syntax(ds: Dataset) -> UID:
    meta = getattr(ds, "file_meta", None)
    value = meta.get("TransferSyntaxUID") if meta is not None else None
    return UID(str(value)) if value else UID("1.2.840.10008.1.2")  # implicit VR LE default


def check_decoder(ds: Dataset, where: str) -> None:
    """Raise, naming the package to install, when this file's pixels cannot be decoded."""
    syntax = transfer_syntax(ds)
    try:
        decoder = get_decoder(syntax)
    except NotImplementedError:
        raise ValueError(
            f"{where}: pixel data in transfer syntax {syntax.name} ({syntax}) cannot be decoded "
            "by pydicom; convert the file to an uncompressed or JPEG 2000 syntax first"
        ) from None
    if not decoder.is_available:
        packages = DECODER_PACKAGES.get(str(syntax), "pylibjpeg")
        missing = "; ".join(decoder.missing_dependencies) or "no decoding plugin"
        raise ValueError(
            f"{where}: pixel data is compressed as {syntax.name} and no installed decoder "
            f"handles it ({missing}); install it with `pip install {packages}`"
        )


def _check_grayscale(ds: Dataset, where: str) -> None:
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    if samples != 1:
        raise ValueError(
            f"{where}: has {samples} samples per pixel ({ds.get('PhotometricInterpretation')}), "
            "a colour image, not CT attenuation values; exclude it (it is likely a screenshot)"
        )


def _rescale(ds: Dataset, frame: int | None, stored: np.ndarray) -> np.ndarray:
    """Stored values -> HU by the frame's RescaleSlope/Intercept (or a modality LUT)."""
    if "ModalityLUTSequence" in ds:
        return np.asarray(apply_modality_lut(stored, ds), dtype=np.float32)
    slope = functional_value(ds, frame, "PixelValueTransformationSequence", "RescaleSlope")
    intercept = functional_value(ds, frame, "PixelValueTransformationSequence", "RescaleIntercept")
    slope = 1.0 if slope in (None, "") else float(slope)
    intercept = 0.0 if intercept in (None, "") else float(intercept)
    return (stored.astype(np.float64) * slope + intercept).astype(np.float32)


def frame_count(ds: Dataset) -> int:
    return int(ds.get("NumberOfFrames") or 1)


def is_multiframe(ds: Dataset) -> bool:
    """Several frames, or an enhanced file whose geometry lives in per-frame groups."""
    return frame_count(ds) > 1 or "PerFrameFunctionalGroupsSequence" in ds


def frame_hu(ds: Dataset, frame: int | None, where: str) -> np.ndarray:
    """One frame (or the only image) as ``[rows, columns]`` float32 HU."""
    if "PixelData" not in ds and "FloatPixelData" not in ds:
        sop_class = UID(str(ds.get("SOPClassUID", ""))).name or "no SOP class"
        raise ValueError(
            f"{where}: holds no pixel data ({sop_class}); it is not an image: exclude it "
            "from the catalog glob"
        )
    _check_grayscale(ds, where)
    check_decoder(ds, where)
    try:
        stored = pixel_array(ds, index=frame)
    except Exception as exc:
        raise ValueError(
            f"{where}: its pixel data cannot be decoded ({type(exc).__name__}: {exc}); the file "
            "is truncated or corrupt: copy or export it again"
        ) from exc
    if stored.ndim != 2:
        raise ValueError(f"{where}: decoded to shape {stored.shape}, expected one 2-D image")
    return _rescale(ds, frame, stored)
