"""CT modality: 3-D X-ray computed tomography volumes from NIfTI and DICOM."""

from plugins.ct.plugin import plugin

__all__ = ["plugin"]
