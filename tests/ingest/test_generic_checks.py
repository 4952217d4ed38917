"""Generic validation: the minimum size along window dims, and a plugin's say over it."""

from __future__ import annotations

import dataclasses

import numpy as np
import xarray as xr

from sslsci.ingest.checks import generic_problems
from sslsci.plugins.contract import ModalitySpec

SPEC = ModalitySpec(name="volume", dims=("channel", "x", "z"), window_dims=("x", "z"))


def thin(z: int) -> xr.DataArray:
    return xr.DataArray(np.zeros((1, 4, z), dtype=np.float32), dims=SPEC.dims)


def test_default_refuses_a_single_sample_along_a_window_dim() -> None:
    assert generic_problems(thin(1), SPEC) == ["dim 'z' has 1 samples, fewer than 2"]
    assert generic_problems(thin(2), SPEC) == []


def test_spec_min_sizes_override_the_default_per_dim() -> None:
    spec = dataclasses.replace(SPEC, min_sizes={"z": 1})
    assert generic_problems(thin(1), spec) == []
    strict = dataclasses.replace(SPEC, min_sizes={"x": 5})
    assert generic_problems(thin(1), strict) == [
        "dim 'x' has 4 samples, fewer than 5",
        "dim 'z' has 1 samples, fewer than 2",
    ]
