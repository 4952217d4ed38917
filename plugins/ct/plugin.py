"""The CT plugin, declared: 3-D CT volumes in Hounsfield units from NIfTI files and DICOM."""

from __future__ import annotations

from plugins.ct.backbones import BACKBONES
from plugins.ct.examples import EXAMPLE_SIZE, example_volume, write_demo_archive, write_samples
from plugins.ct.normalize import normalize_volume
from plugins.ct.options import CtOptions, CtViewOptions
from plugins.ct.readers_dicom import DicomReader
from plugins.ct.readers_nifti import NiftiReader
from plugins.ct.spec import SPATIAL_DIMS, SPEC
from plugins.ct.tasks import TASKS, task_windows
from plugins.ct.validate import validate_array
from plugins.ct.views import VIEWS
from sslsci.plugins.kit import Plugin

EXAMPLE_CROP = 32  # the conformance checks train on whole 32^3 examples, not 96^3 padding

plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=(NiftiReader(), DicomReader()),
    options=CtOptions,
    view_options=CtViewOptions,
    validate=validate_array,
    normalize=normalize_volume,
    views=VIEWS,
    backbones=BACKBONES,
    tasks=TASKS,
    task_windows=task_windows,
    example=example_volume,
    samples=write_samples,
    demo_archive=write_demo_archive,
    example_window=dict(zip(SPATIAL_DIMS, EXAMPLE_SIZE, strict=True)),
    example_view_options={"crop_size": EXAMPLE_CROP},
)
