"""NetCDF and zarr datacubes through xarray (CRS and transform through rioxarray), tiled.

The cube is opened lazily (``cache=False``: xarray keeps no copy of whole variables), its
sizes are checked before any read, and each tile is cut with ``isel`` so only that
window is read. A leading time dim gives one scene per time step (items ``t<k>_...``).
NetCDF-3 opens with scipy, NetCDF-4 with h5netcdf or netCDF4 where installed, zarr with
zarr. ``_FillValue`` cells are nodata. CRS comes from the CF grid mapping; lat/lon grids
without one are WGS 84 (EPSG:4326), as CF defines.
"""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr

from plugins.sar.datacube_layout import Layout, find_layout, raster_variables
from plugins.sar.file_kinds import is_hdf5, is_netcdf3, read_head
from plugins.sar.metadata import SCALE_TAGS, first_tag, iso_time
from plugins.sar.options import ReadOptions, TilingOptions
from plugins.sar.scale import scale_from_text
from plugins.sar.tiling import IDENTITY, SceneMeta, Window, check_scene_size, read_tiles
from sslsci.plugins.contract import Record

ZARR_MARKERS = ("zarr.json", ".zgroup", ".zarray", ".zmetadata")
NETCDF_SUFFIXES = (".nc", ".nc4", ".netcdf", ".cdf", ".h5", ".hdf5")


def is_zarr(path: Path) -> bool:
    return path.is_dir() and any((path / marker).exists() for marker in ZARR_MARKERS)


def hdf5_engine() -> str | None:
    for module, engine in (("h5netcdf", "h5netcdf"), ("netCDF4", "netcdf4")):
        if importlib.util.find_spec(module) is not None:
            return engine
    return None


def _hdf5_raster_dims(path: str) -> bool:
    """Whether an HDF5 file holds a dataset with y/x (or lat/lon) dimension scales."""
    import h5py

    dims: dict[str, list[str]] = {}

    def visit(name: str, item: Any) -> None:
        if isinstance(item, h5py.Dataset) and 2 <= item.ndim <= 4:
            labels = []
            for axis in item.dims:
                labels.append(axis[0].name.rsplit("/", 1)[-1] if len(axis) else "")
            dims[name] = labels

    try:
        with h5py.File(path, "r") as handle:
            handle.visititems(visit)
    except (OSError, ValueError, KeyError):
        return False
    return bool(raster_variables(dims))


@contextmanager
def open_cube(path: str) -> Iterator[xr.Dataset]:
    file = Path(path)
    if is_zarr(file):
        kwargs: dict[str, Any] = {"engine": "zarr", "chunks": None}
    else:
        head = read_head(path, 8)
        if is_netcdf3(head):
            kwargs = {"engine": "scipy", "cache": False}
        elif is_hdf5(head):
            engine = hdf5_engine()
            if engine is None:
                raise ValueError(
                    f"{path}: a NetCDF-4/HDF5 datacube, and neither h5netcdf nor netCDF4 is "
                    "installed to read it; pip install h5netcdf, or convert the cube to "
                    "zarr or NetCDF-3 (xarray to_netcdf(format='NETCDF3_64BIT'))"
                )
            kwargs = {"engine": engine, "cache": False}
        else:
            raise ValueError(f"{path}: neither NetCDF nor zarr; it cannot be read as a datacube")
    try:
        with warnings.catch_warnings():  # unconsolidated zarr: xarray warns, then reads it
            warnings.filterwarnings("ignore", message=".*consolidated metadata.*")
            dataset = xr.open_dataset(path, decode_coords="all", mask_and_scale=True, **kwargs)
    except Exception as exc:  # every backend has its own errors for a damaged file
        raise ValueError(
            f"{path}: cannot open the datacube ({type(exc).__name__}: {exc}); the file is "
            "truncated or corrupt"
        ) from None
    try:
        yield dataset
    finally:
        dataset.close()


def _georeference(
    var: xr.DataArray, layout: Layout
) -> tuple[str | None, str | None, tuple[float, ...], bool]:
    """(WKT, EPSG id, affine, CRS in metres) through rioxarray."""
    grid = var.rio.set_spatial_dims(x_dim=layout.x, y_dim=layout.y)
    crs = grid.rio.crs
    if crs is None and layout.geographic:
        from rasterio.crs import CRS

        crs = CRS.from_epsg(4326)
    if layout.x not in var.coords or layout.y not in var.coords:
        return (crs.to_wkt() if crs else None), None, IDENTITY, False
    t = grid.rio.transform(recalc=True)
    transform = (float(t.a), float(t.b), float(t.c), float(t.d), float(t.e), float(t.f))
    if crs is None:
        return None, None, transform, False
    epsg = crs.to_epsg()
    metres = (crs.linear_units or "").lower() in ("metre", "meter", "m")
    return crs.to_wkt(), (f"EPSG:{epsg}" if epsg else None), transform, metres


def _nodata(var: xr.DataArray, reading: ReadOptions) -> float | None:
    if "_FillValue" in var.encoding or "missing_value" in var.encoding:
        return float("nan")  # decoded to NaN by mask_and_scale
    return reading.nodata


def _time_steps(dataset: xr.Dataset, layout: Layout) -> list[str | None]:
    if layout.time is None:
        return [None]
    values = dataset[layout.time].values if layout.time in dataset.coords else None
    count = dataset.sizes[layout.time]
    if values is None:
        return [None] * count
    return [
        iso_time(np.datetime_as_string(v, unit="s"))
        if np.issubdtype(np.asarray(v).dtype, np.datetime64)
        else None
        for v in values
    ]


class DatacubeReader:
    """NetCDF (``.nc``) files and zarr stores of SAR backscatter, tiled."""

    name = "datacube"
    suffixes = (*NETCDF_SUFFIXES, ".zarr")

    def sniff(self, path: str, head: bytes) -> bool:
        """A NetCDF-3/4 file or zarr store with a (time?, polarisation?, y, x) variable."""
        file = Path(path)
        if file.is_dir():
            if not is_zarr(file):
                return False
        elif is_hdf5(head):
            return _hdf5_raster_dims(path)
        elif not is_netcdf3(head):
            return False
        try:
            with open_cube(path) as dataset:
                dims = {n: tuple(map(str, v.dims)) for n, v in dataset.data_vars.items()}
                return bool(raster_variables(dims))
        except ValueError:
            return False

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        tiling, reading = TilingOptions.pick(options), ReadOptions.pick(options)
        with open_cube(path) as dataset:
            layout = find_layout(path, dataset, reading.polarisations, reading.variable)
            first = dataset[layout.variables[0]]
            check_scene_size(
                path,
                first.sizes[layout.y],
                first.sizes[layout.x],
                len(reading.polarisations),
                tiling,
            )
            crs, crs_id, transform, metres = _georeference(first, layout)
            if reading.require_georeferenced and (crs is None or transform == IDENTITY):
                raise ValueError(
                    f"{path}: the datacube is not georeferenced (no CF grid mapping with a CRS, "
                    f"or no 1-D {layout.y}/{layout.x} coordinates), and the entry requires "
                    "georeferenced rasters; write the CRS (rioxarray .rio.write_crs) or set "
                    "require_georeferenced: false"
                )
            text = first_tag({**dataset.attrs, **first.attrs}, SCALE_TAGS)
            stated = scale_from_text(text) or scale_from_text(first.attrs.get("long_name"))
            for step, moment in enumerate(_time_steps(dataset, layout)):
                meta = SceneMeta(
                    source=path,
                    scene=Path(path).stem + (f"@{moment or step}" if layout.time else ""),
                    height=first.sizes[layout.y],
                    width=first.sizes[layout.x],
                    polarisations=reading.polarisations,
                    crs=crs,
                    crs_id=crs_id,
                    transform=transform,
                    nodata=_nodata(first, reading),
                    scale=reading.scale if reading.scale != "auto" else stated,
                    acquisition_time=moment
                    or iso_time(
                        first_tag(dataset.attrs, ("time_coverage_start", "acquisition_time"))
                    ),
                    orbit=None,
                    extra_attrs={
                        "format": "zarr" if Path(path).is_dir() else "NetCDF",
                        "variables": list(layout.variables),
                        "polarisations_from": layout.how,
                    },
                )
                prefix = f"t{step}_" if layout.time else ""
                yield from read_tiles(
                    meta, _window_reader(dataset, layout, step), tiling, metres, prefix
                )


def _window_reader(dataset: xr.Dataset, layout: Layout, step: int):
    def window(w: Window) -> np.ndarray:
        y0, x0, h, width = w
        index: dict[str, Any] = {layout.y: slice(y0, y0 + h), layout.x: slice(x0, x0 + width)}
        if layout.time is not None:
            index[layout.time] = step
        planes = []
        for name in layout.variables:
            var = dataset[name]
            if layout.pol_dim is not None:
                cut = var.isel({**index, layout.pol_dim: list(layout.pol_positions)})
                planes.append(cut.transpose(layout.pol_dim, layout.y, layout.x).values)
            else:
                planes.append(var.isel(index).transpose(layout.y, layout.x).values[None])
        return np.concatenate(planes).astype(np.float32)

    return window
