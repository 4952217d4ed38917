"""The DAS plugin, declared: fibre-optic (distance, time) records from any interrogator
DASCore reads, NetCDF (xdas) and miniSEED arrays, to SSL encoders."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from plugins.das.backbones import BACKBONES
from plugins.das.generator import example_array, write_demo_archive
from plugins.das.normalize import normalize_array
from plugins.das.options import DasOptions
from plugins.das.readers import READERS
from plugins.das.samples import write_samples
from plugins.das.spec import SPEC
from plugins.das.tasks import TASKS
from plugins.das.validate import validate_array
from plugins.das.views import VIEWS, DasViewOptions
from sslsci.plugins import Plugin


def example(seed: int) -> xr.DataArray:
    """One synthetic local earthquake record, valid and normalised."""
    return normalize_array(example_array(seed))


def demo_archive(folder: Path, seed: int) -> None:
    """The SYNTHETIC labelled archive of pipelines/das.yaml (DASDAE files + labels.csv)."""
    write_demo_archive(folder, seed)


plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=READERS,
    options=DasOptions,
    view_options=DasViewOptions,
    validate=validate_array,
    normalize=normalize_array,
    views=VIEWS,
    backbones=BACKBONES,
    tasks=TASKS,
    example=example,
    samples=write_samples,
    demo_archive=demo_archive,
    example_window={"distance": 64, "time": 256},
    example_view_options={"crop_size": [64, 256]},
    example_backbones={
        "transformer": {"embed_dim": 32, "depth": 1, "num_heads": 2},
        "phasenet_das": {"widths": [4, 8, 16]},
    },
)
