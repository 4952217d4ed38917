"""The CT plugin object: spec, readers and the functions the core calls."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr
from torch import nn

from plugins.ct.backbones import BACKBONES
from plugins.ct.geometry import volume_array
from plugins.ct.normalize import normalize_labels, normalize_volume
from plugins.ct.phantom_anatomy import ADULT_FOV_MM, make_phantom
from plugins.ct.readers_dicom import DicomReader
from plugins.ct.readers_nifti import NiftiReader
from plugins.ct.recipes import views_for
from plugins.ct.spec import DEFAULT_TARGET_SPACING_MM, SPEC
from plugins.ct.tasks import (
    ORGAN_PATCH,
    TASKS,
    organ_patch_task_windows,
    organ_patch_windows,
    read_label_volume,
)
from plugins.ct.validate import validate_array
from sslsci.plugins.contract import ModalitySpec, Reader, TaskSpec, Transform

EXAMPLE_SIZE = (32, 32, 32)


class CtPlugin:
    """3-D CT volumes in Hounsfield units from NIfTI files and DICOM series."""

    spec: ModalitySpec = SPEC
    version: str = "0.1.0"

    def __init__(self) -> None:
        self._readers: tuple[Reader, ...] = (NiftiReader(), DicomReader())

    @property
    def readers(self) -> Sequence[Reader]:
        """NIfTI (.nii, .nii.gz) and DICOM (files, series folders, multi-series folders)."""
        return self._readers

    def validate(self, array: xr.DataArray, **options: Any) -> list[str]:
        """Modality, HU range, spacing, min_size, even slices, finite (see validate.Limits)."""
        return validate_array(array, **options)

    def normalize(self, array: xr.DataArray, **options: Any) -> xr.DataArray:
        """RAS, ``target_spacing`` (1.5 mm), ``hu_window`` [-1000, 1000] -> ``scaled_range``."""
        return normalize_volume(array, **options)

    def normalize_labels(self, array: xr.DataArray, **options: Any) -> xr.DataArray:
        """A label volume onto the grid ``normalize`` gives its image (nearest neighbour)."""
        return normalize_labels(array, **options)

    def views(self, method: str, **options: Any) -> list[list[Transform]]:
        """Seeded MONAI augmentations per view (option ``crop_size``, default 96)."""
        return views_for(method, **options)

    def backbones(self) -> Mapping[str, Callable[..., nn.Module]]:
        """resnet10, resnet18 (MONAI), swin (SwinUNETR encoder), transformer (core)."""
        return dict(BACKBONES)

    def tasks(self) -> Mapping[str, TaskSpec]:
        """organ_patch (paired label volume) and volume_label (CSV sidecar)."""
        return dict(TASKS)

    def task_windows(
        self,
        task: str,
        array: xr.DataArray,
        labels: Mapping[str, str],
        *,
        root: str,
        window: Mapping[str, int],
        options: Mapping[str, Any],
        per_item: int,
        seed: int,
    ) -> list[tuple[np.ndarray, str]]:
        """Labelled windows for ``organ_patch`` (the core asks for plugin_windows tasks)."""
        if task != ORGAN_PATCH.name:
            raise ValueError(f"the ct task {task!r} does not cut its own windows; only organ_patch")
        return organ_patch_task_windows(
            array,
            labels,
            root=root,
            window=window,
            options=options,
            per_item=per_item,
            seed=seed,
        )

    def organ_patch_windows(
        self, volume: xr.DataArray, labels: xr.DataArray, size: Any, per_class: int, seed: int
    ) -> list[tuple[np.ndarray, int]]:
        """Evaluation windows for ``organ_patch`` (see ``plugins.ct.tasks``)."""
        return organ_patch_windows(volume, labels, size, per_class, seed)

    def read_label_volume(self, path: str, **options: Any) -> xr.DataArray:
        """A segmentation file on the normalised grid of its image."""
        return read_label_volume(path, **options)

    def example(self, seed: int) -> xr.DataArray:
        """A miniature synthetic phantom (32^3 at 1.5 mm), valid and normalised."""
        scale = EXAMPLE_SIZE[0] * DEFAULT_TARGET_SPACING_MM / float(ADULT_FOV_MM[0])
        spacing = (DEFAULT_TARGET_SPACING_MM,) * 3
        phantom = make_phantom(EXAMPLE_SIZE, seed=seed, spacing=spacing, scale=scale)
        attrs = {
            "source": f"synthetic phantom seed {seed}",
            "format": "synthetic",
            "modality": "CT",
            "condition": phantom.condition,
        }
        return normalize_volume(volume_array(phantom.volume, phantom.affine, attrs))


plugin = CtPlugin()
