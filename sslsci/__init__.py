"""sslsci: self-supervised foundation models for scientific sensor data."""

# Loading entry points, imported on first use so `import sslsci` stays light.
_LAZY = {
    "load_bundle": "sslsci.bundle",
    "load_pretrained": "sslsci.weights",
    "read": "sslsci.plugins.reading",
}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sslsci")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0.0.0"


def __getattr__(name: str):
    """``__version__`` (read from the installed metadata, which costs an import) and
    ``sslsci.load_bundle``, ``load_pretrained`` and ``read``, imported lazily."""
    if name == "__version__":
        return _version()
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'sslsci' has no attribute {name!r}")
