"""The CT plugin, declared: 3-D CT volumes in Hounsfield units from NIfTI files and DICOM."""

from __future__ import annotations

from plugins.ct.backbone_table import BACKBONES
from plugins.ct.options import CtOptions, CtViewOptions, DicomOptions
from plugins.ct.spec import EXAMPLE_SIZE, SPATIAL_DIMS, SPEC
from plugins.ct.task_specs import TASKS
from sslsci.plugins.deferred import DeferredReader
from sslsci.plugins.kit import Plugin

# Heavy parts are named "module:name" and imported on first use, so listing plugins and
# checking a catalog import neither torch nor xarray (see sslsci.plugins.deferred).

EXAMPLE_CROP = 32  # the conformance checks train on whole 32^3 examples, not 96^3 padding

plugin = Plugin(
    spec=SPEC,
    version="0.1.0",
    readers=(
        DeferredReader("plugins.ct.readers_nifti:NiftiReader", "nifti", (".nii", ".nii.gz")),
        DeferredReader(
            "plugins.ct.readers_dicom:DicomReader",
            "dicom",
            (".dcm", ".dicom", ".ima"),
            DicomOptions,
        ),
    ),
    options=CtOptions,
    view_options=CtViewOptions,
    validate="plugins.ct.validate:validate_array",
    normalize="plugins.ct.normalize:normalize_volume",
    views={role: f"plugins.ct.views:{role}_view" for role in ("strong", "light")},
    backbones=BACKBONES,
    tasks=TASKS,
    task_windows="plugins.ct.tasks:task_windows",
    example="plugins.ct.examples:example_volume",
    samples="plugins.ct.examples:write_samples",
    demo_archive="plugins.ct.examples:write_demo_archive",
    example_window=dict(zip(SPATIAL_DIMS, EXAMPLE_SIZE, strict=True)),
    example_view_options={"crop_size": EXAMPLE_CROP},
)
