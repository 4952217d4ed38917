"""Wearables modality: accelerometer and gyroscope recordings from body-worn sensors."""

from plugins.wearables.plugin import WearablesPlugin, plugin

__all__ = ["WearablesPlugin", "plugin"]
