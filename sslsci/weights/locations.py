"""Registry locations: a base URL (folder, ``file://``, ``http(s)://``, ``s3://``, any
fsspec URL) or several, tried in order as mirrors."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from sslsci.weights.errors import WeightsError

REGISTRY_ENV = "SSLSCI_REGISTRY"
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def registry_urls(registry: str | Sequence[str] | None = None) -> list[str]:
    """Mirror URLs in order: from the argument, else ``$SSLSCI_REGISTRY`` (comma-separated)."""
    if registry is None:
        registry = os.environ.get(REGISTRY_ENV, "")
    items = [registry] if isinstance(registry, str | os.PathLike) else list(registry)
    urls = [u.strip() for item in items for u in str(item).split(",") if u.strip()]
    if not urls:
        raise WeightsError(
            f"no registry given: pass --registry URL (or registry=...) or set {REGISTRY_ENV}="
            "URL[,MIRROR_URL...]"
        )
    return urls


def scheme(url: str) -> str:
    """URL scheme, ``""`` for a plain path."""
    parts = urlsplit(url)
    return "" if len(parts.scheme) <= 1 else parts.scheme.lower()  # "C:" is a drive, not one


def is_http(url: str) -> bool:
    return scheme(url) in ("http", "https")


def is_loopback(url: str) -> bool:
    return urlsplit(url).hostname in LOOPBACK_HOSTS


def local_dir(url: str) -> Path | None:
    """The folder for a plain path or ``file://`` URL, else ``None``."""
    found = scheme(url)
    if found == "":
        return Path(url).expanduser()
    if found == "file":
        return Path(unquote(urlsplit(url).path))
    return None


def join(base: str, relative: str) -> str:
    """``relative`` (a checked posix path) under the base URL or folder."""
    folder = local_dir(base)
    if folder is not None:
        return str(folder / relative)
    return base.rstrip("/") + "/" + relative
