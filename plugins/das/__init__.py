"""DAS modality: distributed acoustic sensing records of fibre-optic arrays."""

from plugins.das.plugin import plugin

__all__ = ["plugin"]
