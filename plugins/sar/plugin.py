"""The SAR plugin, declared: Sentinel-1-like VV/VH scenes and patches, tiled, to SAR
encoders (speckle-aware views, FG-MAE targets, multi-label land cover)."""

from __future__ import annotations

from plugins.sar.backbones import BACKBONES
from plugins.sar.options import SarOptions, SarViewOptions
from plugins.sar.spec import SPEC
from plugins.sar.tasks import TASKS
from sslsci.plugins import Plugin
from sslsci.plugins.deferred import DeferredReader

# Heavy parts are named "module:name" and imported on first use, so listing plugins and
# checking a catalog import neither torch nor xarray (see sslsci.plugins.deferred).
READERS = (
    DeferredReader("plugins.sar.readers:BAND_FOLDER_READER", "band_folder", ()),
    DeferredReader("plugins.sar.readers:GEOTIFF_READER", "geotiff", (".tif", ".tiff")),
    DeferredReader(
        "plugins.sar.readers:DATACUBE_READER",
        "datacube",
        (".nc", ".nc4", ".netcdf", ".cdf", ".h5", ".hdf5", ".zarr"),
    ),
)

plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=READERS,
    options=SarOptions,
    view_options=SarViewOptions,
    validate="plugins.sar.validate:validate_array",
    normalize="plugins.sar.normalize:normalize_array",
    views={role: f"plugins.sar.views:{role}_view" for role in ("strong", "light")},
    backbones=BACKBONES,
    tasks=TASKS,
    example="plugins.sar.generator:example_array",
    samples="plugins.sar.samples:write_samples",
    demo_archive="plugins.sar.generator:write_demo_archive",
    example_view_options={"crop_size": 32},
    example_backbones={
        "transformer": {"embed_dim": 32, "depth": 1, "num_heads": 2},
        "resnet18": {"widen_factor": 0.25},
        "resnet50": {"widen_factor": 0.25},
    },
)
