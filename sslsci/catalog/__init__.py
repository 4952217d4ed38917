"""The data catalog: named archives with their labels, splits and checks (stage 1 of the flow)."""

from sslsci.catalog.load import load_catalog, parse_catalog
from sslsci.catalog.model import (
    DEFAULT_CATALOG,
    DEFAULT_WORKDIR,
    Catalog,
    CatalogEntry,
    CatalogError,
    LabelSpec,
    SplitSpec,
)

__all__ = [
    "DEFAULT_CATALOG",
    "DEFAULT_WORKDIR",
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "LabelSpec",
    "SplitSpec",
    "load_catalog",
    "parse_catalog",
]
