"""Small real files, one per reader, for the conformance suite (``Plugin.samples``).

All SYNTHETIC (``plugins.sar.scene``): a BigEarthNet-layout patch folder, a two-band COG
(VV, VH named in the band descriptions) with a nodata swath edge, a one-band GeoTIFF of
linear intensity (VV), a NetCDF-3 cube with a polarisation dim, and a zarr store with one
variable per polarisation. Each is georeferenced (EPSG:32633, 10 m).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import rasterio
import rasterio.shutil
import rioxarray  # noqa: F401  (registers the .rio accessor)
import xarray as xr
from rasterio.crs import CRS
from rasterio.transform import from_origin

from plugins.sar import spec
from plugins.sar.generator import EPSG, ORIGIN, PIXEL_M, write_band_folder, write_scene_geotiff
from plugins.sar.readers import BAND_FOLDER_READER, DATACUBE_READER, GEOTIFF_READER
from plugins.sar.scene import SceneModel, dominant_class, present_classes
from sslsci.plugins.kit import Sample

SIZE = 48  # pixels per side: tiles of 32 give a 2 x 2 grid with edge tiles


def _cube(seed: int, size: int) -> xr.DataArray:
    _, db = SceneModel.from_seed(seed).backscatter(0, 0, size, size)
    y = ORIGIN[1] - PIXEL_M * (np.arange(size) + 0.5)
    x = ORIGIN[0] + PIXEL_M * (np.arange(size) + 0.5)
    cube = xr.DataArray(
        db,
        dims=("polarisation", "y", "x"),
        coords={"polarisation": list(spec.POLARISATIONS), "y": y, "x": x},
        name="sigma0",
        attrs={"units": "dB", "long_name": "sigma0 backscatter (synthetic)"},
    )
    return cube.rio.write_crs(f"EPSG:{EPSG}")


def _linear_vv(path: Path, seed: int) -> Path:
    _, db = SceneModel.from_seed(seed).backscatter(0, 0, SIZE, SIZE)
    profile = {
        "driver": "GTiff",
        "height": SIZE,
        "width": SIZE,
        "count": 1,
        "dtype": "float32",
        "crs": CRS.from_epsg(EPSG),
        "transform": from_origin(*ORIGIN, PIXEL_M, PIXEL_M),
    }
    with rasterio.open(path, "w", **profile) as ds:
        ds.write((10.0 ** (db[0] / 10.0)).astype(np.float32), 1)
        ds.update_tags(1, POLARISATION="VV")
        ds.update_tags(SCALE="linear")
    return path


def write_samples(folder: Path, seed: int = 0) -> list[Sample]:
    """One or two small files per reader in ``folder``."""
    classes, db = SceneModel.from_seed(seed).backscatter(0, 0, SIZE, SIZE)
    labels = {"labels": present_classes(classes), "label": dominant_class(classes)}
    patch = write_band_folder(folder, "SYNTH_S1_20200115T053000_SC00_0_0", db, ORIGIN, labels)
    plain = write_scene_geotiff(folder / "scene.tif", SIZE, SIZE, seed, nodata_columns=8)
    cog = folder / "scene_cog.tif"
    rasterio.shutil.copy(plain, cog, driver="COG", BLOCKSIZE=32)
    plain.unlink()
    linear = _linear_vv(folder / "vv_linear.tif", seed + 1)
    cube = _cube(seed + 2, SIZE)
    netcdf = folder / "cube.nc"
    cube.to_dataset().to_netcdf(netcdf, engine="scipy")
    store = folder / "cube.zarr"
    per_pol = xr.Dataset({pol: cube.sel(polarisation=pol, drop=True) for pol in spec.POLARISATIONS})
    per_pol.to_zarr(store, mode="w", zarr_format=2, consolidated=True)
    tiles = {"tile_size": 32}
    return [
        Sample(patch, BAND_FOLDER_READER.name),
        Sample(cog, GEOTIFF_READER.name, tiles),
        Sample(linear, GEOTIFF_READER.name, {"polarisations": ["VV"]}),
        Sample(netcdf, DATACUBE_READER.name),
        Sample(store, DATACUBE_READER.name, tiles),
    ]
