"""Bring a CT volume to the spec: RAS orientation, target spacing, HU window, float32.

Geometry goes through MONAI (``Orientation``, ``Spacing``) on a MetaTensor carrying
the affine, so images and label volumes are resampled onto the same grid. Every
step and its parameters are recorded in ``attrs["preprocessing"]``, which the bundle
carries so users can preprocess their own scans the same way. An axis with a single
voxel (one slice) keeps its spacing: there is nothing to interpolate along it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
import xarray as xr
from monai.data import MetaTensor
from monai.transforms import Orientation, Spacing

from plugins.ct.geometry import affine_from_attrs, orientation_of, spacing_of, volume_array
from plugins.ct.spec import (
    DEFAULT_HU_WINDOW,
    DEFAULT_SCALED_RANGE,
    DEFAULT_TARGET_SPACING_MM,
)

RAS_LABELS = (("L", "R"), ("P", "A"), ("I", "S"))
# Reader attrs that describe the source's slices, not the normalised grid.
SOURCE_ONLY_ATTRS = ("slice_positions", "slice_instances", "affine", "spacing", "orientation")


def _pair(value: Any, name: str) -> tuple[float, float] | None:
    if value is None or value is False:
        return None
    try:
        pair = [float(v) for v in value] if not isinstance(value, str | bytes) else []
    except (TypeError, ValueError):
        pair = []
    if len(pair) != 2 or not pair[0] < pair[1]:
        raise ValueError(
            f"option {name}={value!r} must be [low, high] with low < high, e.g. [-1000, 1000], "
            "or null to skip the step"
        )
    return pair[0], pair[1]


def target_spacing_option(options: Mapping[str, Any]) -> tuple[float, float, float] | None:
    """``target_spacing``: one mm value, three [x, y, z], or null to keep the spacing."""
    value = options.get("target_spacing", DEFAULT_TARGET_SPACING_MM)
    if value is None or value is False:
        return None
    sizes = [value] * 3 if isinstance(value, int | float) else list(value)
    if len(sizes) != 3 or not all(isinstance(s, int | float) and s > 0 for s in sizes):
        raise ValueError(
            f"option target_spacing={value!r} must be a positive number of mm or three of them "
            "[x, y, z], e.g. target_spacing: 1.5, or null to keep the source spacing"
        )
    return float(sizes[0]), float(sizes[1]), float(sizes[2])


def reorient_and_resample(
    array: xr.DataArray, options: Mapping[str, Any], mode: str
) -> tuple[torch.Tensor, np.ndarray, list[dict[str, Any]]]:
    """``[1, x, y, z]`` tensor in RAS at the target spacing, its affine, and the steps taken."""
    affine = affine_from_attrs(array)
    target = target_spacing_option(options)
    values = torch.as_tensor(np.asarray(array.values, dtype=np.float32))
    tensor = MetaTensor(values, affine=torch.as_tensor(affine, dtype=torch.float64))
    steps: list[dict[str, Any]] = []
    tensor = Orientation(axcodes="RAS", labels=RAS_LABELS)(tensor)
    steps.append({"step": "orient", "from": orientation_of(affine), "to": "RAS"})
    if target is not None:
        current = spacing_of(tensor.affine.numpy())
        pixdim = [
            c if n == 1 else t for c, t, n in zip(current, target, tensor.shape[1:], strict=True)
        ]
        tensor = Spacing(pixdim=pixdim, mode=mode, padding_mode="border")(tensor)
        steps.append(
            {
                "step": "resample",
                "from_spacing": [round(c, 6) for c in current],
                "to_spacing": [round(float(p), 6) for p in pixdim],
                "mode": mode,
                "library": "monai.transforms.Spacing",
            }
        )
    return tensor.as_tensor(), tensor.affine.numpy().astype(np.float64), steps


def window_options(options: Mapping[str, Any]) -> tuple[tuple[float, float] | None, ...]:
    """``hu_window`` and ``scaled_range``, checked before any costly step runs."""
    window = _pair(options.get("hu_window", DEFAULT_HU_WINDOW), "hu_window")
    scaled = _pair(options.get("scaled_range", DEFAULT_SCALED_RANGE), "scaled_range")
    return window, scaled


def window_and_scale(
    values: torch.Tensor,
    window: tuple[float, float] | None,
    scaled: tuple[float, float] | None,
) -> tuple[torch.Tensor, list[dict[str, Any]]]:
    """Clip to ``window`` (HU) and map it linearly onto ``scaled``."""
    steps: list[dict[str, Any]] = []
    if window is None:
        return values, steps
    values = values.clamp(window[0], window[1])
    steps.append({"step": "clip", "hu_window": list(window)})
    if scaled is not None:
        fraction = (values - window[0]) / (window[1] - window[0])
        values = scaled[0] + fraction * (scaled[1] - scaled[0])
        steps.append({"step": "scale", "from_hu": list(window), "to": list(scaled)})
    return values, steps


def _carried_attrs(array: xr.DataArray) -> dict[str, Any]:
    return {k: v for k, v in array.attrs.items() if k not in SOURCE_ONLY_ATTRS}


def normalize_volume(array: xr.DataArray, **options: Any) -> xr.DataArray:
    """A valid CT array -> RAS, target spacing, HU window scaled, float32 (steps in attrs)."""
    window, scaled = window_options(options)
    tensor, affine, steps = reorient_and_resample(array, options, mode="bilinear")
    values, value_steps = window_and_scale(tensor, window, scaled)
    steps += [*value_steps, {"step": "cast", "dtype": "float32"}]
    attrs = {**_carried_attrs(array), "preprocessing": steps}
    volume = values[0].numpy().astype(np.float32, copy=False)
    return volume_array(volume, affine, attrs)


def normalize_labels(array: xr.DataArray, **options: Any) -> xr.DataArray:
    """A label volume onto the grid its image gets: same orientation and spacing, nearest."""
    tensor, affine, steps = reorient_and_resample(array, options, mode="nearest")
    labels = torch.round(tensor[0]).numpy().astype(np.int16)
    attrs = {**_carried_attrs(array), "preprocessing": steps, "units": "class index"}
    return volume_array(labels, affine, attrs)
