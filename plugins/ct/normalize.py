"""Bring a CT volume to the spec: RAS orientation, target spacing, HU window, float32.

Geometry goes through MONAI (``Orientation``, ``Spacing``) on a MetaTensor carrying
the affine, so images and label volumes are resampled onto the same grid. Every
step and its parameters are recorded in ``attrs["preprocessing"]``, which the bundle
carries so users can preprocess their own scans the same way. An axis with a single
voxel (one slice) keeps its spacing: there is nothing to interpolate along it.

Normalising twice changes nothing: a volume whose attrs record an earlier
``normalize_volume`` (steps ending in the cast) is recognised, its values are not
windowed and rescaled again, and its grid is resampled only if it is not on the
target grid yet (see ``normalize_volume``).
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
from plugins.ct.options import NormalizeOptions, Pair, SizeOptions, Three

RAS_LABELS = (("L", "R"), ("P", "A"), ("I", "S"))
# Reader attrs that describe the source's slices, not the normalised grid.
SOURCE_ONLY_ATTRS = (
    "slice_positions",
    "slice_instances",
    "affine",
    "spacing",
    "orientation",
    "sampling",
)
CAST = {"step": "cast", "dtype": "float32"}
SPACING_TOLERANCE_MM = 1e-4  # attrs keep 6 decimals


def resampled_shape(shape: tuple[int, ...], current: Three, pixdim: list[float]) -> tuple[int, ...]:
    """About the grid ``monai.transforms.Spacing`` makes: the extent between the first and last
    voxel centres, divided by the new spacing, plus one voxel."""
    return tuple(
        n if n == 1 else int(np.floor(round((n - 1) * c / p, 3))) + 1
        for n, c, p in zip(shape, current, pixdim, strict=True)
    )


def check_resample_size(
    source: str, shape: tuple[int, ...], out: tuple[int, ...], limits: SizeOptions
) -> None:
    """Refuse a resampling that would make the item huge, before allocating it."""
    before, after = int(np.prod(shape, dtype=np.int64)), int(np.prod(out, dtype=np.int64))
    growth = after / max(before, 1)
    shown = f"{'x'.join(map(str, shape))} -> {'x'.join(map(str, out))} voxels"
    if after > limits.max_voxels:
        raise ValueError(
            f"{source}: resampling to target_spacing would make {shown} ({after:,} voxels), "
            f"above max_voxels={limits.max_voxels:,}; check the header's voxel spacing, or "
            "raise max_voxels or target_spacing in the entry's options"
        )
    if growth > limits.max_resample_growth:
        raise ValueError(
            f"{source}: resampling to target_spacing would grow it {growth:,.0f} times "
            f"({shown}), above max_resample_growth={limits.max_resample_growth:g}; its voxel "
            "spacing is implausibly coarse for CT: fix the header, or raise "
            "max_resample_growth (or target_spacing) in the entry's options"
        )


def reorient_and_resample(
    array: xr.DataArray, target: Three | None, mode: str, limits: SizeOptions | None = None
) -> tuple[torch.Tensor, np.ndarray, list[dict[str, Any]]]:
    """``[1, x, y, z]`` tensor in RAS at the ``target`` spacing (None keeps it), its affine,
    and the steps taken; ``limits`` (default ``SizeOptions()``) bound the new grid."""
    affine = affine_from_attrs(array)
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
        shape = tuple(int(n) for n in tensor.shape[1:])
        out = resampled_shape(shape, current, pixdim)
        source = str(array.attrs.get("source", "the volume"))
        check_resample_size(source, shape, out, limits or SizeOptions())
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


def window_and_scale(
    values: torch.Tensor, window: Pair | None, scaled: Pair | None
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


def earlier_steps(array: xr.DataArray) -> list[dict[str, Any]] | None:
    """The steps an earlier ``normalize_volume`` recorded (they end with the cast), or None
    for a volume as read."""
    steps = array.attrs.get("preprocessing")
    if not (isinstance(steps, list | tuple) and steps and isinstance(steps[-1], Mapping)):
        return None
    return [dict(step) for step in steps] if steps[-1].get("step") == CAST["step"] else None


def _value_steps_done(steps: list[dict[str, Any]]) -> tuple[Pair | None, Pair | None]:
    """(hu_window, scaled_range) an earlier normalisation applied; None where it did not."""
    found: dict[str, Pair | None] = {"clip": None, "scale": None}
    for step in steps:
        if step.get("step") in found:
            pair = step["hu_window"] if step["step"] == "clip" else step["to"]
            found[step["step"]] = (float(pair[0]), float(pair[1]))
    return found["clip"], found["scale"]


def _on_grid(array: xr.DataArray, target: Three | None) -> bool:
    """RAS already, and at the ``target`` spacing along every axis longer than one voxel."""
    affine = affine_from_attrs(array)
    if orientation_of(affine) != "RAS":
        return False
    if target is None:
        return True
    sizes = [int(n) for n in np.shape(array.values)[1:]]
    return all(
        n == 1 or abs(s - t) <= SPACING_TOLERANCE_MM
        for s, t, n in zip(spacing_of(affine), target, sizes, strict=True)
    )


def _carried_attrs(array: xr.DataArray) -> dict[str, Any]:
    return {k: v for k, v in array.attrs.items() if k not in SOURCE_ONLY_ATTRS}


def normalize_volume(array: xr.DataArray, **options: Any) -> xr.DataArray:
    """A valid CT array -> RAS, target spacing, HU window scaled, float32 (steps in attrs).

    Options: ``NormalizeOptions``; ``SizeOptions`` bound the resampled grid. An already
    normalised volume (see ``earlier_steps``) keeps its values: they are no longer HU, so
    windowing them again would squash them; a different ``hu_window``/``scaled_range`` than
    the recorded one is an error. Its grid is resampled only when it is not at
    ``target_spacing`` yet. So normalize(normalize(x)) is normalize(x), and a bundle's
    ``model(array)`` never scales a stored volume twice.
    """
    opts = NormalizeOptions.pick(options)
    wanted = (opts.hu_window, opts.scaled_range if opts.hu_window is not None else None)
    earlier = earlier_steps(array)
    done = _value_steps_done(earlier) if earlier is not None else (None, None)
    if done[0] is not None and done != wanted:
        raise ValueError(
            f"{array.attrs.get('source', 'the volume')} is already normalised with hu_window "
            f"{_shown(done[0])} -> scaled_range {_shown(done[1])} (attrs 'preprocessing'), so "
            f"its values are no longer HU and cannot be windowed as {_shown(wanted[0])} -> "
            f"{_shown(wanted[1])}; normalise the volume as read, or pass the options it was "
            "normalised with"
        )
    steps = list(earlier or [])
    if earlier is None or not _on_grid(array, opts.target_spacing):
        tensor, affine, geometry = reorient_and_resample(
            array, opts.target_spacing, "bilinear", SizeOptions.pick(options)
        )
        steps += geometry
    else:
        tensor = torch.as_tensor(np.asarray(array.values, dtype=np.float32))
        affine = affine_from_attrs(array)
    if done != wanted:  # (None, None) for a volume as read
        tensor, value_steps = window_and_scale(tensor, *wanted)
        steps += value_steps
    if earlier is None or len(steps) > len(earlier):
        steps.append(dict(CAST))
    attrs = {**_carried_attrs(array), "preprocessing": steps}
    volume = tensor[0].numpy().astype(np.float32, copy=False)
    return volume_array(volume, affine, attrs)


def _shown(pair: Pair | None) -> str:
    return "null" if pair is None else f"[{pair[0]:g}, {pair[1]:g}]"


def normalize_labels(array: xr.DataArray, **options: Any) -> xr.DataArray:
    """A label volume onto the grid its image gets: same orientation and spacing, nearest.

    Options: ``target_spacing`` of ``NormalizeOptions`` (the image's)."""
    target = NormalizeOptions.pick(options).target_spacing
    tensor, affine, steps = reorient_and_resample(array, target, mode="nearest")
    labels = torch.round(tensor[0]).numpy().astype(np.int16)
    attrs = {**_carried_attrs(array), "preprocessing": steps, "units": "class index"}
    return volume_array(labels, affine, attrs)
