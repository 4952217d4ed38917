"""The CT plugin's options: catalog options (readers, validate, normalize) and view options.

Each function of the plugin reads its own model (``NormalizeOptions``, ``ValidateOptions``,
``DicomOptions``) through ``Options.pick``: the kit hands every function the whole checked
catalog options, and a direct caller (a test, a notebook) may pass a few raw keywords;
either way the defaults come from the fields below and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from plugins.ct.spec import DEFAULT_HU_WINDOW, DEFAULT_SCALED_RANGE, DEFAULT_TARGET_SPACING_MM
from sslsci.plugins.options import Options

DEFAULT_CROP = 96
Three = tuple[float, float, float]
Pair = tuple[float, float]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _spacing(value: Any) -> Three | None:
    """One positive mm value or three [x, y, z]; null (or false) keeps the spacing."""
    if value is None or value is False:
        return None
    sizes = [value] * 3 if _is_number(value) else value if isinstance(value, list | tuple) else []
    if len(sizes) != 3 or not all(_is_number(s) and s > 0 for s in sizes):
        raise ValueError(
            "must be a positive number of mm or three of them [x, y, z], e.g. "
            "target_spacing: 1.5, or null to keep the source spacing"
        )
    return float(sizes[0]), float(sizes[1]), float(sizes[2])


def _pair(value: Any) -> Pair | None:
    """[low, high] with low < high; null (or false) skips the step."""
    if value is None or value is False:
        return None
    try:
        pair = [float(v) for v in value] if not isinstance(value, str | bytes) else []
    except (TypeError, ValueError):
        pair = []
    if len(pair) != 2 or not pair[0] < pair[1]:
        raise ValueError(
            "must be [low, high] with low < high, e.g. [-1000, 1000], or null to skip the step"
        )
    return pair[0], pair[1]


def _voxels(example: str) -> Callable[[Any], tuple[int, int, int]]:
    """A check of voxel counts: one positive int or three [x, y, z]."""

    def check(value: Any) -> tuple[int, int, int]:
        sizes = [value] * 3 if isinstance(value, int) else value
        if (
            not isinstance(sizes, list | tuple)
            or len(sizes) != 3
            or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)
        ):
            raise ValueError(
                f"must be a positive int or three of them [x, y, z] (voxels), e.g. {example}"
            )
        return sizes[0], sizes[1], sizes[2]

    return check


Spacing = Annotated[Three | None, BeforeValidator(_spacing)]
Window = Annotated[Pair | None, BeforeValidator(_pair)]
MinSize = Annotated[tuple[int, int, int], BeforeValidator(_voxels("min_size: 16"))]
CropSize = Annotated[tuple[int, int, int], BeforeValidator(_voxels("crop_size: 96"))]


# 1024 x 1024 x 2048: a thin-slice whole-body or photon-counting scan still fits; a
# declared size above it is refused before any voxel is read or decompressed.
DEFAULT_MAX_VOXELS = 1024 * 1024 * 2048
# Resampling may multiply the voxel count by this much: a 4 mm scan resampled to 1.5 mm
# grows about 19 times; a 40 mm "scan" of 16^3 voxels would grow 15,000 times.
DEFAULT_MAX_RESAMPLE_GROWTH = 64.0


class SizeOptions(Options):
    """Bounds on what one item may make the readers and ``normalize`` allocate."""

    max_voxels: int = Field(
        DEFAULT_MAX_VOXELS,
        ge=1,
        description="most voxels one item may declare or be resampled to (all volumes of a file)",
    )
    max_resample_growth: float = Field(
        DEFAULT_MAX_RESAMPLE_GROWTH,
        gt=0,
        description="most times resampling may multiply an item's voxel count",
    )


class NormalizeOptions(Options):
    """How ``normalize`` brings a volume to the spec (RAS orientation is not optional)."""

    target_spacing: Spacing = Field(
        (DEFAULT_TARGET_SPACING_MM,) * 3,
        description="voxel size in mm after resampling (one value or [x, y, z]); null keeps it",
    )
    hu_window: Window = Field(
        DEFAULT_HU_WINDOW, description="[low, high] HU clipped to; null keeps raw HU"
    )
    scaled_range: Window = Field(
        DEFAULT_SCALED_RANGE, description="[low, high] the HU window maps onto; null keeps HU"
    )


class ValidateOptions(Options):
    """Plausibility limits of ``validate``; an industrial CT archive may need others."""

    # Scanners pad outside the field of view with down to -3024 HU; dense metal reaches
    # ~3071 HU on 12-bit and ~30000 HU on extended scales. Outside this, the rescale is wrong.
    min_hu: float = Field(-3100.0, description="lowest plausible value (HU)")
    max_hu: float = Field(31000.0, description="highest plausible value (HU)")
    min_size: MinSize = Field((1, 1, 1), description="fewest voxels along x, y, z")
    slice_tolerance: float = Field(
        0.1, ge=0.0, description="relative deviation allowed from the median slice step"
    )
    refuse_label_maps: bool = Field(
        True,
        description="refuse volumes that look like label maps (NIfTI intent label, or few "
        "non-negative integer values); false reads them as CT in HU",
    )

    @model_validator(mode="after")
    def _ordered(self) -> ValidateOptions:
        if not self.min_hu < self.max_hu:
            raise ValueError(f"min_hu={self.min_hu:g} must be below max_hu={self.max_hu:g}")
        return self


class DicomOptions(Options):
    """Options only the DICOM reader reads."""

    expect_single_series: bool = Field(
        False, description="a folder holding more than one series is an error"
    )


class CtOptions(SizeOptions, ValidateOptions, NormalizeOptions):
    """Catalog options of a ct entry (the DICOM reader adds ``DicomOptions``)."""


class CtViewOptions(Options):
    """A pipeline's ``views:`` for ct."""

    crop_size: CropSize = Field(
        (DEFAULT_CROP,) * 3, description="random crop in voxels (one value or [x, y, z])"
    )
