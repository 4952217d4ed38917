"""SAR modality: synthetic aperture radar backscatter (Sentinel-1 VV/VH)."""

from plugins.sar.plugin import plugin

__all__ = ["plugin"]
