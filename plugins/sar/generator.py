"""SYNTHETIC SAR data made from seeded scenes (``plugins.sar.scene``): the example tile,
GeoTIFF scenes of any size, BigEarthNet-layout patch folders and the demo archive.

Files are real georeferenced GeoTIFFs written with rasterio (UTM zone 33N, 10 m pixels,
as Sentinel-1 GRD after terrain correction and as BigEarthNet-S1 ships them).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import rasterio
import xarray as xr
from rasterio.crs import CRS
from rasterio.transform import from_origin
from rasterio.windows import Window as RioWindow

from plugins.sar import spec
from plugins.sar.scale import DB
from plugins.sar.scene import SceneModel, dominant_class, present_classes
from plugins.sar.tiling import Affine6, SceneMeta, TileGrid, tile_array

EPSG = 32633
PIXEL_M = 10.0
ORIGIN = (400_000.0, 5_300_000.0)  # easting, northing of the upper-left corner
EXAMPLE_SIZE = 64
PATCH = 120  # BigEarthNet-S1 patches: 120 x 120 pixels of 10 m
DEMO_SCENES = 3
DEMO_GRID = (3, 4)  # patches per scene (rows, cols): 3 x 12 = 36 patches, about 4 MB
WRITE_BLOCK = 512
WRITE_CACHE = 64 * 2**20  # bytes
README = """# Synthetic SAR demo archive (sslsci sar plugin)

SYNTHETIC DATA. These patches are not Sentinel-1 measurements: every pixel was made by
`plugins.sar.scene` from seed {seed} (land-cover regions water, forest, urban, fields with
class-typical VV/VH backscatter, Gamma texture and {looks}-look Gamma speckle).
The labels are synthetic too: `labels` lists the classes covering at least 1% of a
patch, `label` the dominant one (a key BigEarthNet does not have).

Layout as BigEarthNet-S1: a folder per patch holding `<patch>_VV.tif`, `<patch>_VH.tif`
(120 x 120 float32 dB, EPSG:{epsg}, 10 m) and `<patch>_labels_metadata.json`. Patches
named `SYNTH_S1_<date>_SC<scene>_<row>_<col>` are neighbours within one scene; catalog
the folders (include: ["SYNTH_*"]), not this README.
"""


def _transform(origin: tuple[float, float]) -> Affine6:
    t = from_origin(origin[0], origin[1], PIXEL_M, PIXEL_M)
    return (t.a, t.b, t.c, t.d, t.e, t.f)


def example_array(seed: int) -> xr.DataArray:
    """A 64 x 64 VV/VH tile in dB, with the attrs a reader gives (a synthetic scene)."""
    _, db = SceneModel.from_seed(seed).backscatter(0, 0, EXAMPLE_SIZE, EXAMPLE_SIZE)
    meta = SceneMeta(
        source=f"synthetic scene seed {seed}",
        scene=f"synthetic-{seed}",
        height=EXAMPLE_SIZE,
        width=EXAMPLE_SIZE,
        polarisations=spec.POLARISATIONS,
        crs=CRS.from_epsg(EPSG).to_wkt(),
        crs_id=f"EPSG:{EPSG}",
        transform=_transform(ORIGIN),
        scale=DB,
        extra_attrs={"format": "synthetic"},
    )
    window = (0, 0, EXAMPLE_SIZE, EXAMPLE_SIZE)
    return tile_array(db, meta, 0, 0, window, 0.0, (1, 1), True)


def write_scene_geotiff(
    path: Path,
    height: int,
    width: int,
    seed: int = 0,
    *,
    scale: str = DB,
    nodata_columns: int = 0,
    tile: int = 256,
    compress: str | None = None,
    origin: tuple[float, float] = ORIGIN,
) -> Path:
    """A two-band (VV, VH) GeoTIFF scene written block by block: memory stays at one block.

    ``nodata_columns`` blanks the first columns (a swath edge) with the nodata value:
    NaN for dB, 0 for linear intensity (as GRD products have it).
    """
    model = SceneModel.from_seed(seed)
    nodata = float("nan") if scale == DB else 0.0
    profile = {
        "driver": "GTiff",
        "height": height,
        "width": width,
        "count": 2,
        "dtype": "float32",
        "crs": CRS.from_epsg(EPSG),
        "transform": from_origin(*origin, PIXEL_M, PIXEL_M),
        "nodata": nodata,
        "tiled": True,
        "blockxsize": tile,
        "blockysize": tile,
        "BIGTIFF": "IF_SAFER",
        **({"compress": compress} if compress else {}),
    }
    # a small GDAL block cache: blocks are written once (the default cache is 5% of RAM)
    with rasterio.Env(GDAL_CACHEMAX=WRITE_CACHE), rasterio.open(path, "w", **profile) as ds:
        ds.update_tags(SCALE=scale, SYNTHETIC="plugins.sar.scene seed " + str(seed))
        for band, name in enumerate(spec.POLARISATIONS, start=1):
            ds.set_band_description(band, name)
        for _, _, (y0, x0, h, w) in TileGrid(height, width, WRITE_BLOCK).windows():
            _, db = model.backscatter(y0, x0, h, w)
            values = db if scale == DB else (10.0 ** (db / 10.0)).astype(np.float32)
            blank = max(0, min(w, nodata_columns - x0))
            values[:, :, :blank] = nodata
            ds.write(values, window=RioWindow(x0, y0, w, h))
    return path


def write_band_folder(
    folder: Path,
    name: str,
    db: np.ndarray,
    origin: tuple[float, float],
    labels: dict[str, object],
) -> Path:
    """One BigEarthNet-layout patch folder: ``name_VV.tif``, ``name_VH.tif``, labels JSON."""
    patch = folder / name
    patch.mkdir(parents=True, exist_ok=True)
    crs = CRS.from_epsg(EPSG)
    profile = {
        "driver": "GTiff",
        "height": db.shape[1],
        "width": db.shape[2],
        "count": 1,
        "dtype": "float32",
        "crs": crs,
        "transform": from_origin(*origin, PIXEL_M, PIXEL_M),
    }
    for index, pol in enumerate(spec.POLARISATIONS):
        with rasterio.open(patch / f"{name}_{pol}.tif", "w", **profile) as ds:
            ds.write(db[index], 1)
    metadata = {
        **labels,
        "coordinates": {
            "ulx": origin[0],
            "uly": origin[1],
            "lrx": origin[0] + PIXEL_M * db.shape[2],
            "lly": origin[1] - PIXEL_M * db.shape[1],
        },
        "projection": crs.to_wkt(),
        "synthetic": True,
    }
    (patch / f"{name}_labels_metadata.json").write_text(json.dumps(metadata), encoding="utf-8")
    return patch


def write_demo_archive(folder: Path, seed: int = 0) -> None:
    """The SYNTHETIC demo archive: 3 scenes of 3 x 4 neighbouring 120 x 120 patches."""
    folder.mkdir(parents=True, exist_ok=True)
    rows, cols = DEMO_GRID
    for scene in range(DEMO_SCENES):
        model = SceneModel.from_seed(seed * 1000 + scene)
        classes, db = model.backscatter(0, 0, rows * PATCH, cols * PATCH)
        day = f"2020{1 + scene:02d}15"
        origin = (ORIGIN[0] + scene * 50_000.0, ORIGIN[1])
        for r in range(rows):
            for c in range(cols):
                cut = (slice(r * PATCH, (r + 1) * PATCH), slice(c * PATCH, (c + 1) * PATCH))
                name = f"SYNTH_S1_{day}T053000_SC{scene:02d}_{r}_{c}"
                patch_classes = classes[cut]
                labels = {
                    "labels": present_classes(patch_classes),
                    "label": dominant_class(patch_classes),
                    "acquisition_time": f"{day[:4]}-{day[4:6]}-{day[6:]}T05:30:00",
                }
                corner = (origin[0] + c * PATCH * PIXEL_M, origin[1] - r * PATCH * PIXEL_M)
                write_band_folder(folder, name, db[(slice(None), *cut)], corner, labels)
    (folder / "README.md").write_text(
        README.format(seed=seed, looks=SceneModel.from_seed(0).looks, epsg=EPSG), encoding="utf-8"
    )


__all__ = ["example_array", "write_band_folder", "write_demo_archive", "write_scene_geotiff"]
