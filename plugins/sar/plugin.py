"""The SAR plugin, declared: Sentinel-1-like VV/VH scenes and patches, tiled, to SAR
encoders (speckle-aware views, FG-MAE targets, multi-label land cover)."""

from __future__ import annotations

from plugins.sar.backbones import BACKBONES
from plugins.sar.generator import example_array, write_demo_archive
from plugins.sar.normalize import normalize_array
from plugins.sar.options import SarOptions, SarViewOptions
from plugins.sar.readers import READERS
from plugins.sar.samples import write_samples
from plugins.sar.spec import SPEC
from plugins.sar.tasks import TASKS
from plugins.sar.validate import validate_array
from plugins.sar.views import VIEWS
from sslsci.plugins import Plugin

plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=READERS,
    options=SarOptions,
    view_options=SarViewOptions,
    validate=validate_array,
    normalize=normalize_array,
    views=VIEWS,
    backbones=BACKBONES,
    tasks=TASKS,
    example=example_array,
    samples=write_samples,
    demo_archive=write_demo_archive,
    example_view_options={"crop_size": 32},
    example_backbones={
        "transformer": {"embed_dim": 32, "depth": 1, "num_heads": 2},
        "resnet18": {"widen_factor": 0.25},
        "resnet50": {"widen_factor": 0.25},
    },
)
