"""Wearables modality: accelerometer and gyroscope recordings from body-worn sensors."""

from plugins.wearables.plugin import plugin

__all__ = ["plugin"]
