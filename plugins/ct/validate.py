"""CT checks beyond the core's generic ones; each problem is one sentence with the fix.

Limits come from the options of ``ValidateOptions``, so an industrial CT archive with
other value ranges, or a 3-D archive that must refuse single slices (``min_size: 16``),
sets them in its catalog entry.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from plugins.ct.options import ValidateOptions
from plugins.ct.spec import DIMS, SPATIAL_DIMS, UNKNOWN_MODALITY

CT_MODALITY = "CT"
LABEL_INTENTS = ("label", "neuroname")  # NIfTI intent codes 1002 and 1003
SEG_MODALITY = "SEG"
# A CT volume in HU holds air (about -1000) and thousands of distinct values; a
# segmentation holds a few non-negative class indices.
MAX_LABEL_VALUES = 64
LABEL_OVERRIDE = "if it truly is CT in HU, set refuse_label_maps: false in the entry's options"


def layout_problems(array: xr.DataArray) -> list[str]:
    if set(array.dims) != set(DIMS):
        return [f"dims are {tuple(array.dims)}, expected {DIMS}; read it with a ct reader."]
    if array.sizes["channel"] != 1:
        return [f"has {array.sizes['channel']} channels; a CT volume has 1 (HU)."]
    return []


def modality_problems(attrs: Mapping[str, Any]) -> list[str]:
    modality = str(attrs.get("modality", UNKNOWN_MODALITY))
    if modality in (CT_MODALITY, UNKNOWN_MODALITY):
        return []
    if modality == SEG_MODALITY:
        return [
            "it looks like a label map: the DICOM header says Modality 'SEG' (a "
            "segmentation), not CT; give it to the entry as labels or exclude it."
        ]
    return [
        f"the DICOM header says Modality {modality!r}, not CT; move it out of the CT archive "
        "or catalog it under its own modality."
    ]


def spacing_problems(attrs: Mapping[str, Any]) -> list[str]:
    spacing = attrs.get("spacing")
    if not isinstance(spacing, Sequence) or len(spacing) != 3:
        return [f"attr spacing={spacing!r} is not three voxel sizes in mm (x, y, z)."]
    bad = [
        f"{dim}={value!r}"
        for dim, value in zip(SPATIAL_DIMS, spacing, strict=True)
        if not (isinstance(value, int | float) and np.isfinite(value) and value > 0)
    ]
    if bad:
        return [
            f"voxel spacing {', '.join(bad)} mm is not positive and finite; the header's "
            "PixelSpacing/SliceThickness (DICOM) or pixdim/affine (NIfTI) is missing or zero: "
            "fix the header."
        ]
    return []


def size_problems(array: xr.DataArray, limits: ValidateOptions) -> list[str]:
    small = [
        f"{dim}={array.sizes[dim]} < {least}"
        for dim, least in zip(SPATIAL_DIMS, limits.min_size, strict=True)
        if array.sizes[dim] < least
    ]
    if small:
        return [
            f"the volume is too small ({', '.join(small)} voxels, min_size={list(limits.min_size)}"
            "); exclude it or lower min_size."
        ]
    return []


def slice_problems(attrs: Mapping[str, Any], limits: ValidateOptions) -> list[str]:
    """Slices evenly spaced along the normal: a gap or a duplicate names the slice."""
    positions = np.asarray(attrs.get("slice_positions") or [], dtype=np.float64)
    if positions.size < 2:
        return []
    instances = list(attrs.get("slice_instances") or range(1, positions.size + 1))
    steps = np.diff(positions)
    usual = float(np.median(steps))
    problems = []
    for k, step in enumerate(steps, start=1):
        where = f"slice {k} (InstanceNumber {instances[k]}, at {positions[k]:g} mm)"
        if step <= max(limits.slice_tolerance * usual, 1e-3):
            problems.append(
                f"{where} duplicates the position of slice {k - 1} (InstanceNumber "
                f"{instances[k - 1]}); remove the duplicate image or split the stacks."
            )
        elif abs(step - usual) > limits.slice_tolerance * usual:
            kind = "a slice is missing before it" if step > usual else "spacing is uneven"
            problems.append(
                f"{where} lies {step:g} mm after slice {k - 1}, the series' usual step is "
                f"{usual:g} mm: {kind}; re-export the complete series."
            )
    return problems


def value_problems(values: np.ndarray, limits: ValidateOptions) -> list[str]:
    finite = np.isfinite(values)
    if not finite.all():
        first = tuple(int(i) for i in np.argwhere(~finite)[0][1:])
        return [
            f"{int((~finite).sum())} voxels are NaN or infinite (first at x, y, z = {first}); "
            "the file is corrupt or was written from a failed computation."
        ]
    low, high = float(values.min()), float(values.max())
    if low < limits.min_hu or high > limits.max_hu:
        return [
            f"values span {low:g}..{high:g} after rescale, outside plausible CT "
            f"[{limits.min_hu:g}, {limits.max_hu:g}] HU; the rescale slope/intercept is wrong or "
            "the file is not CT: fix the header or set min_hu/max_hu."
        ]
    return []


def _few_class_indices(values: np.ndarray) -> int | None:
    """The number of distinct values if ``values`` are non-negative integers with at most
    ``MAX_LABEL_VALUES`` of them (a label map's class indices), else None."""
    if not (np.issubdtype(values.dtype, np.integer) or values.dtype == np.bool_):
        return None
    if values.size == 0 or values.min() < 0 or int(values.max()) > np.iinfo(np.uint16).max:
        return None
    distinct = int(np.count_nonzero(np.bincount(values.ravel().astype(np.int64))))
    return distinct if distinct <= MAX_LABEL_VALUES else None


def label_map_problems(
    attrs: Mapping[str, Any], values: np.ndarray, limits: ValidateOptions
) -> list[str]:
    """A segmentation read as CT would be stored as HU; say what it looks like."""
    if not limits.refuse_label_maps:
        return []
    intent = attrs.get("nifti_intent")
    if intent in LABEL_INTENTS:
        return [f"it looks like a label map: its NIfTI intent is {intent!r}; {LABEL_OVERRIDE}."]
    distinct = _few_class_indices(values)
    if distinct is not None:
        return [
            f"it looks like a label map: {values.dtype} values, all non-negative, only "
            f"{distinct} distinct (CT in HU has air near -1000 and many values); give it to "
            f"the entry as labels, or {LABEL_OVERRIDE}."
        ]
    return []


def validate_array(array: xr.DataArray, **options: Any) -> list[str]:
    """Every CT problem found in ``array``; empty means valid. Options: ``ValidateOptions``."""
    problems = layout_problems(array)
    if problems:
        return problems
    limits = ValidateOptions.pick(options)
    problems += modality_problems(array.attrs)
    problems += spacing_problems(array.attrs)
    problems += size_problems(array, limits)
    problems += slice_problems(array.attrs, limits)
    values = np.asarray(array.values)
    problems += label_map_problems(array.attrs, values, limits)
    problems += value_problems(values, limits)
    return problems
