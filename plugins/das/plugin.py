"""The DAS plugin, declared: fibre-optic (distance, time) records from any interrogator
DASCore reads, NetCDF (xdas) and miniSEED arrays, to SSL encoders."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from plugins.das.backbones import BACKBONES
from plugins.das.options import DasOptions
from plugins.das.spec import SPEC
from plugins.das.tasks import TASKS
from plugins.das.view_options import DasViewOptions
from sslsci.plugins import Plugin
from sslsci.plugins.deferred import DeferredReader

if TYPE_CHECKING:
    import xarray as xr

# Heavy parts are named "module:name" and imported on first use, so listing plugins and
# checking a catalog import neither torch nor xarray (see sslsci.plugins.deferred).
READERS = (
    DeferredReader("plugins.das.readers:NETCDF_READER", "netcdf", (".nc", ".nc4")),
    DeferredReader(
        "plugins.das.readers:MINISEED_READER", "miniseed", (".mseed", ".miniseed", ".ms")
    ),
    DeferredReader(
        "plugins.das.readers:DASCORE_READER",
        "dascore",
        (".h5", ".hdf5", ".hdf", ".he5", ".sgy", ".segy", ".tdms", ".das", ".raw"),
    ),
)


def example(seed: int) -> xr.DataArray:
    """One synthetic local earthquake record, valid and normalised."""
    from plugins.das.generator import example_array
    from plugins.das.normalize import normalize_array

    return normalize_array(example_array(seed))


def demo_archive(folder: Path, seed: int) -> None:
    """The SYNTHETIC labelled archive of pipelines/das.yaml (DASDAE files + labels.csv)."""
    from plugins.das.generator import write_demo_archive

    write_demo_archive(folder, seed)


plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=READERS,
    options=DasOptions,
    view_options=DasViewOptions,
    validate="plugins.das.validate:validate_array",
    normalize="plugins.das.normalize:normalize_array",
    views={role: f"plugins.das.views:{role}_view" for role in ("strong", "light")},
    backbones=BACKBONES,
    tasks=TASKS,
    example=example,
    samples="plugins.das.samples:write_samples",
    demo_archive=demo_archive,
    example_window={"distance": 64, "time": 256},
    example_view_options={"crop_size": [64, 256]},
    example_backbones={
        "transformer": {"embed_dim": 32, "depth": 1, "num_heads": 2},
        "phasenet_das": {"widths": [4, 8, 16]},
    },
)
