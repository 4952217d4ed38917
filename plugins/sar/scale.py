"""dB or linear intensity: declared, stated by the metadata, or detected from the values.

Calibrated backscatter (sigma0, gamma0) in dB is mostly negative (-30 to 0 dB, rarely
above +20 dB); as linear intensity it is non-negative and mostly below 1. Values that are
all non-negative with a median well above 1 are neither: typically uncalibrated digital
numbers (GRD amplitudes in the hundreds), which must be calibrated before use.
"""

from __future__ import annotations

import re

import numpy as np

DB = "dB"
LINEAR = "linear"
LINEAR_MEDIAN_LIMIT = 2.0  # linear sigma0 medians lie far below this (0 dB = 1.0)
SAMPLE_LIMIT = 65_536  # values looked at for detection (a strided sample of the tile)
DB_FLOOR_LINEAR = 1e-10  # linear intensity treated as -100 dB (zeros, round-off)


class ScaleError(ValueError):
    """The values are neither dB nor linear intensity (or cannot be told apart)."""


def scale_from_text(text: object) -> str | None:
    """'dB' or 'linear' from a units/description string, None if it says neither."""
    if not isinstance(text, str) or not text.strip():
        return None
    lowered = text.lower()
    if re.search(r"(?<![a-z])(db|decibels?)(?![a-z])", lowered):
        return DB
    if re.search(r"(?<![a-z])(linear|intensity|power|m2/m2|m\^2/m\^2)(?![a-z])", lowered):
        return LINEAR
    return None


def _sample(values: np.ndarray) -> np.ndarray:
    flat = values.reshape(-1)
    step = max(1, flat.size // SAMPLE_LIMIT)
    sample = flat[::step]
    return sample[np.isfinite(sample)]


def detect_scale(values: np.ndarray) -> str:
    """'dB' or 'linear' from the valid (non-nodata, finite) values; ScaleError if neither."""
    sample = _sample(np.asarray(values))
    if sample.size == 0:
        raise ScaleError("no valid values to tell dB from linear intensity")
    if np.any(sample < 0):
        return DB
    median = float(np.median(sample))
    if median < LINEAR_MEDIAN_LIMIT:
        return LINEAR
    raise ScaleError(
        f"values are all >= 0 with median {median:.3g}: neither dB backscatter (mostly "
        "negative) nor linear intensity (mostly below 1); they look like uncalibrated "
        "digital numbers. Calibrate to sigma0 (e.g. SNAP Calibration, or sigma0 = DN^2 / A^2 "
        "from the product's calibration LUT), or declare scale: dB or linear"
    )


def to_db(values: np.ndarray) -> np.ndarray:
    """Linear intensity to dB (10 log10), zeros and round-off negatives floored at -100 dB."""
    return (10.0 * np.log10(np.maximum(values, DB_FLOOR_LINEAR))).astype(np.float32)


def resolve_scale(declared: str, stated: object, values: np.ndarray) -> tuple[str, str]:
    """The scale to use and how it was known: 'declared', 'metadata' or 'detected'."""
    if declared in (DB, LINEAR):
        return declared, "declared"
    if stated in (DB, LINEAR):
        return str(stated), "metadata"
    return detect_scale(values), "detected"
