"""The weights registry: publish, list, pull (verified, cached, offline-capable) and load."""

from sslsci.weights.discover import list_models
from sslsci.weights.errors import (
    CacheWriteError,
    IntegrityError,
    InvalidNameError,
    NotFoundError,
    OfflineError,
    PublishError,
    TransferError,
    UnsafeIndexError,
    WeightsError,
)
from sslsci.weights.hf import export_hf
from sslsci.weights.load import load_pretrained
from sslsci.weights.publish import publish
from sslsci.weights.pull import pull
from sslsci.weights.transfer import RetryPolicy

__all__ = [
    "CacheWriteError",
    "IntegrityError",
    "InvalidNameError",
    "NotFoundError",
    "OfflineError",
    "PublishError",
    "RetryPolicy",
    "TransferError",
    "UnsafeIndexError",
    "WeightsError",
    "export_hf",
    "list_models",
    "load_pretrained",
    "publish",
    "pull",
]
