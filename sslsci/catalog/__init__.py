"""The data catalog: named archives with their labels, splits and checks (stage 1 of the flow).

The loaders and schema classes are imported on first use, so a command that only shows
``--help`` loads neither the YAML parser nor pydantic.
"""

from importlib import import_module

from sslsci.catalog.defaults import DEFAULT_CATALOG, DEFAULT_WORKDIR

_LAZY = {
    "load_catalog": "sslsci.catalog.load",
    "parse_catalog": "sslsci.catalog.load",
    "Catalog": "sslsci.catalog.model",
    "CatalogEntry": "sslsci.catalog.model",
    "CatalogError": "sslsci.catalog.model",
    "LabelSpec": "sslsci.catalog.model",
    "SplitSpec": "sslsci.catalog.model",
}

__all__ = ["DEFAULT_CATALOG", "DEFAULT_WORKDIR", *_LAZY]


def __getattr__(name: str):
    """The catalog's loaders and schema classes, imported on first use."""
    if name not in _LAZY:
        raise AttributeError(f"module 'sslsci.catalog' has no attribute {name!r}")
    return getattr(import_module(_LAZY[name]), name)
