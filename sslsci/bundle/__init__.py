"""Weights bundles: a folder with safetensors weights, ``sslsci.json`` and a model card."""

from sslsci.bundle.errors import BundleError, UnsafeFileError
from sslsci.bundle.load import load_bundle
from sslsci.bundle.model import PretrainedModel
from sslsci.bundle.schema import FORMAT_VERSION, BundleMetadata, read_metadata
from sslsci.bundle.write import update_bundle_evaluation, write_bundle

__all__ = [
    "FORMAT_VERSION",
    "BundleError",
    "BundleMetadata",
    "PretrainedModel",
    "UnsafeFileError",
    "load_bundle",
    "read_metadata",
    "update_bundle_evaluation",
    "write_bundle",
]
