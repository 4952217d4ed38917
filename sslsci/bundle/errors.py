"""Errors raised while writing, reading or loading a weights bundle."""

from __future__ import annotations


class BundleError(Exception):
    """A bundle is missing, malformed or disagrees with the model it describes."""


class UnsafeFileError(BundleError):
    """A file would be unsafe to load (pickle-based weights, a path that escapes)."""
