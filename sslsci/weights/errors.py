"""Errors of the weights registry; each message names the model, the file and the fix."""

from __future__ import annotations


class WeightsError(Exception):
    """A registry, index, download or cache problem."""


class InvalidNameError(WeightsError):
    """A model name or version does not follow the naming rules."""


class NotFoundError(WeightsError):
    """The registry has no such model or version."""


class UnsafeIndexError(WeightsError):
    """An index is oversized, malformed, or names a file that could escape the cache."""


class IntegrityError(WeightsError):
    """A downloaded or cached file has the wrong size or sha256."""


class TransferError(WeightsError):
    """Every mirror failed to deliver a file after the retries."""


class CacheWriteError(WeightsError):
    """The cache cannot take a download (disk full, quota, size limit): fatal, not retried."""


class OfflineError(WeightsError):
    """Offline mode is on and the cache lacks what was asked for."""


class PublishError(WeightsError):
    """A publish was refused (existing version, bad bundle, read-only registry)."""
