"""sslsci: self-supervised foundation models for scientific sensor data."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sslsci")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0"

# Loading entry points, imported on first use so `import sslsci` stays light.
_LAZY = {
    "load_bundle": "sslsci.bundle",
    "load_pretrained": "sslsci.weights",
    "read": "sslsci.plugins.reading",
}


def __getattr__(name: str):
    """``sslsci.load_bundle``, ``load_pretrained`` and ``read``, imported lazily."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sslsci' has no attribute {name!r}")
