"""CT validation: each problem on its own, with the sentence a person acts on."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from plugins.ct.geometry import volume_array
from plugins.ct.phantom import Phantom
from plugins.ct.plugin import plugin
from plugins.ct.validate import validate_array
from sslsci.plugins.options import OptionsError


def ct(phantom: Phantom, **attrs) -> xr.DataArray:
    return volume_array(
        phantom.volume.astype(np.float32), phantom.affine, {"modality": "CT", **attrs}
    )


def test_phantom_is_valid(phantom: Phantom) -> None:
    assert validate_array(ct(phantom)) == []


def test_unknown_modality_is_accepted(phantom: Phantom) -> None:
    assert validate_array(ct(phantom, modality="unknown")) == []


def test_values_beyond_plausible_hu_are_a_problem(phantom: Phantom) -> None:
    array = ct(phantom)
    array.values[0, 3, 4, 5] = 65535.0
    (problem,) = validate_array(array)
    assert problem.startswith("values span -1024..65535 after rescale, outside plausible CT")
    assert validate_array(array, max_hu=70000) == []


def test_infinite_voxels_are_located(phantom: Phantom) -> None:
    array = ct(phantom)
    array.values[0, 2, 0, 1] = np.inf
    (problem,) = validate_array(array)
    assert "1 voxels are NaN or infinite (first at x, y, z = (2, 0, 1))" in problem


def test_min_size_option_per_axis(phantom: Phantom) -> None:
    array = ct(phantom)  # 20 x 16 x 12
    assert validate_array(array, min_size=12) == []
    (problem,) = validate_array(array, min_size=[8, 17, 13])
    assert "y=16 < 17, z=12 < 13" in problem


@pytest.mark.parametrize("value", [0, [1, 2], [1, 2, "3"], "big"])
def test_bad_min_size_option_is_explained(phantom: Phantom, value) -> None:
    message = r"min_size: value .*: must be a positive int or three of them .* min_size: 16"
    with pytest.raises(OptionsError, match=message):
        plugin.parse_options({"min_size": value})
    with pytest.raises(OptionsError, match=message):
        plugin.validate(ct(phantom), min_size=value)


def test_hu_limits_must_be_ordered() -> None:
    with pytest.raises(OptionsError, match="min_hu=100 must be below max_hu=-100"):
        plugin.parse_options({"min_hu": 100, "max_hu": -100})
    with pytest.raises(OptionsError, match="max_hu: value 'high'"):
        plugin.parse_options({"max_hu": "high"})


def test_wrong_layout_is_reported_first(phantom: Phantom) -> None:
    array = ct(phantom).rename({"z": "time"})
    (problem,) = validate_array(array)
    assert problem.startswith("dims are ('channel', 'x', 'y', 'time')")


def test_slice_gap_and_duplicate_are_named(phantom: Phantom) -> None:
    positions = [0.0, 2.0, 4.0, 8.0, 8.0, 10.0]
    instances = [1, 2, 3, 4, 5, 6]
    array = ct(phantom, slice_positions=positions, slice_instances=instances)
    problems = validate_array(array)
    assert problems == [
        "slice 3 (InstanceNumber 4, at 8 mm) lies 4 mm after slice 2, the series' usual step "
        "is 2 mm: a slice is missing before it; re-export the complete series.",
        "slice 4 (InstanceNumber 5, at 8 mm) duplicates the position of slice 3 "
        "(InstanceNumber 4); remove the duplicate image or split the stacks.",
    ]


def test_slight_jitter_in_slice_positions_is_tolerated(phantom: Phantom) -> None:
    positions = [0.0, 2.01, 3.99, 6.0, 8.02]
    assert validate_array(ct(phantom, slice_positions=positions)) == []


def test_missing_spacing_attr(phantom: Phantom) -> None:
    array = ct(phantom)
    del array.attrs["spacing"]
    (problem,) = validate_array(array)
    assert problem == "attr spacing=None is not three voxel sizes in mm (x, y, z)."
