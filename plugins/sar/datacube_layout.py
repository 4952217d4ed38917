"""Where the backscatter sits in a NetCDF or zarr datacube, found by the variables' dims.

Two layouts are common: one variable with a polarisation dim (``sigma0(polarisation, y,
x)``, the polarisation names in its coordinate), or one variable per polarisation
(``VV(y, x)``, ``VH(y, x)``, also ``sigma0_vv``). Either may carry a leading ``time``
dim (one scene per time step). Spatial dims are ``y``/``x`` (projected) or
``lat``/``lon`` (``latitude``/``longitude``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import xarray as xr

from plugins.sar.metadata import polarisation_in, select_bands

SPATIAL_PAIRS = (("y", "x"), ("lat", "lon"), ("latitude", "longitude"), ("northing", "easting"))
POLARISATION_DIMS = ("polarisation", "polarization", "pol", "band", "channel")
TIME_DIMS = ("time", "t")


@dataclass(frozen=True)
class Layout:
    """How to cut one polarisation-ordered window out of the cube."""

    y: str
    x: str
    time: str | None
    variables: tuple[str, ...]  # one per declared polarisation, or one with a pol dim
    pol_dim: str | None = None
    pol_positions: tuple[int, ...] = ()
    how: str = ""

    @property
    def geographic(self) -> bool:
        return self.y in ("lat", "latitude")


def spatial_dims(dims: Sequence[str]) -> tuple[str, str] | None:
    for y, x in SPATIAL_PAIRS:
        if y in dims and x in dims:
            return y, x
    return None


def _others(dims: Sequence[str], y: str, x: str) -> tuple[str | None, str | None, list[str]]:
    """(time dim, polarisation dim, dims that are neither) of a variable."""
    rest = [d for d in dims if d not in (y, x)]
    time = next((d for d in rest if d in TIME_DIMS), None)
    pol = next((d for d in rest if d in POLARISATION_DIMS), None)
    return time, pol, [d for d in rest if d not in (time, pol)]


def raster_variables(dims_by_name: Mapping[str, Sequence[str]]) -> list[str]:
    """Variables laid out as (time?, polarisation?, y, x): what a SAR cube holds."""
    found = []
    for name, dims in dims_by_name.items():
        pair = spatial_dims(dims)
        if pair is None or len(dims) > 4:
            continue
        _, _, stray = _others(dims, *pair)
        if not stray:
            found.append(name)
    return found


def find_layout(
    where: str, dataset: xr.Dataset, declared: Sequence[str], variable: str | None
) -> Layout:
    """The declared polarisations' place in ``dataset``; ValueError naming what is there."""
    dims = {name: tuple(str(d) for d in var.dims) for name, var in dataset.data_vars.items()}
    candidates = raster_variables(dims)
    if variable is not None:
        if variable not in dims:
            raise ValueError(f"{where}: has no variable {variable!r}; it has {sorted(dims)}")
        candidates = [variable] if variable in candidates else []
    if not candidates:
        raise ValueError(
            f"{where}: no variable is laid out as (time?, polarisation?, y, x); variables and "
            f"dims: {dims}. Name the variable with the option variable, or rename its dims"
        )
    with_pol = [n for n in candidates if _others(dims[n], *spatial_dims(dims[n]))[1]]
    if with_pol:
        return _stacked(where, dataset, with_pol[0], dims[with_pol[0]], declared)
    return _per_polarisation(where, dataset, candidates, dims, declared)


def _stacked(
    where: str, dataset: xr.Dataset, name: str, dims: tuple[str, ...], declared: Sequence[str]
) -> Layout:
    y, x = spatial_dims(dims)
    time, pol, _ = _others(dims, y, x)
    coord = dataset[name].coords.get(pol)
    names = (
        [polarisation_in(str(v)) for v in coord.values]
        if coord is not None
        else [None] * dataset.sizes[pol]
    )
    positions, how = select_bands(f"{where} variable {name!r}", names, declared)
    return Layout(y, x, time, (name,), pol, tuple(positions), how)


def _per_polarisation(
    where: str,
    dataset: xr.Dataset,
    candidates: list[str],
    dims: Mapping[str, tuple[str, ...]],
    declared: Sequence[str],
) -> Layout:
    named = {}
    for name in candidates:
        pol = polarisation_in(name) or polarisation_in(dataset[name].attrs.get("long_name"))
        if pol is not None:
            named.setdefault(pol, name)
    if not named and len(candidates) == 1 and len(declared) == 1:
        named = {declared[0]: candidates[0]}
    missing = [p for p in declared if p not in named]
    if missing:
        raise ValueError(
            f"{where}: polarisations declares {', '.join(declared)}, but the raster variables "
            f"name {', '.join(sorted(named)) or 'no polarisation'} (variables {candidates}); "
            "set polarisations to those present, or name the variables VV, VH, ..."
        )
    chosen = [named[p] for p in declared]
    shapes = {n: dims[n] for n in chosen}
    if len(set(shapes.values())) != 1:
        raise ValueError(
            f"{where}: the polarisation variables have different dims {shapes}; the bands of "
            "one item must share one grid"
        )
    y, x = spatial_dims(dims[chosen[0]])
    time, _, _ = _others(dims[chosen[0]], y, x)
    return Layout(y, x, time, tuple(chosen), how="variable names")
