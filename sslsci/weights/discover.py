"""Read a registry: fetch its index from the first mirror that answers; list and describe."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import requests

from sslsci.bundle.schema import CARD_FILE
from sslsci.weights.errors import IntegrityError, NotFoundError, TransferError
from sslsci.weights.index import (
    INDEX_FILE,
    MAX_CARD_BYTES,
    MAX_INDEX_BYTES,
    RegistryIndex,
    VersionEntry,
    check_file_path,
    parse_index,
)
from sslsci.weights.locations import is_http, is_loopback, join, registry_urls
from sslsci.weights.names import ModelRef, latest_version, parse_ref, version_key
from sslsci.weights.transfer import RetryPolicy, new_session, read_bounded


class PlainHttpWarning(UserWarning):
    """A registry is reached over plain http (not https) on a non-local host."""


@dataclass(frozen=True)
class Found:
    """One resolved release: which model, which version, its entry, which mirror served."""

    name: str
    version: str
    entry: VersionEntry
    mirror: int


def warn_plain_http(url: str) -> None:
    """Files are hash-checked, but a plain-http index itself is not authenticated."""
    if is_http(url) and url.startswith("http://") and not is_loopback(url):
        warnings.warn(
            f"{url} is plain http: downloads are checked against the index's sha256, but the "
            "index itself could be altered in transit. Prefer an https registry.",
            PlainHttpWarning,
            stacklevel=3,
        )


def fetch_index(
    urls: Sequence[str], policy: RetryPolicy, session: requests.Session | None = None
) -> tuple[RegistryIndex, int]:
    """The index from the first mirror that answers, and that mirror's position."""
    session = session or new_session()
    failures = []
    for position, base in enumerate(urls):
        url = join(base, INDEX_FILE)
        warn_plain_http(url)
        try:
            raw = read_bounded(
                url, MAX_INDEX_BYTES, "a registry index", policy=policy, session=session
            )
        except (TransferError, NotFoundError) as exc:
            failures.append(f"  - {base}: {exc}")
            continue
        return parse_index(raw, url), position
    raise TransferError("no registry answered:\n" + "\n".join(failures))


def resolve(index: RegistryIndex, ref: ModelRef, where: str) -> tuple[str, VersionEntry]:
    """The version ``ref`` asks for (latest when unset) and its entry."""
    model = index.models.get(ref.name)
    if model is None or not model.versions:
        known = ", ".join(sorted(index.models)) or "none"
        raise NotFoundError(f"{where} has no model {ref.name!r}; it has: {known}")
    version = ref.version or latest_version(model.versions)
    if version not in model.versions:
        listed = ", ".join(sorted(model.versions, key=version_key))
        raise NotFoundError(f"{where} has no version {version!r} of {ref.name}; it has {listed}")
    return version, model.versions[version]


def find_release(
    ref: ModelRef | str,
    urls: Sequence[str],
    policy: RetryPolicy,
    session: requests.Session | None = None,
) -> Found:
    """Resolve ``ref`` against the first registry that answers."""
    ref = parse_ref(ref) if isinstance(ref, str) else ref
    index, mirror = fetch_index(urls, policy, session)
    version, entry = resolve(index, ref, join(urls[mirror], INDEX_FILE))
    return Found(ref.name, version, entry, mirror)


@dataclass(frozen=True)
class ModelRow:
    """One line of ``sslsci weights list``."""

    name: str
    versions: list[str]
    latest: VersionEntry


def list_models(
    registry: str | Sequence[str] | None = None,
    *,
    modality: str | None = None,
    policy: RetryPolicy | None = None,
) -> list[ModelRow]:
    """Every model in the registry (optionally of one modality), versions oldest first."""
    index, _ = fetch_index(registry_urls(registry), policy or RetryPolicy())
    rows = []
    for name, model in sorted(index.models.items()):
        if not model.versions or (modality and name.split("/")[0] != modality):
            continue
        versions = sorted(model.versions, key=version_key)
        rows.append(ModelRow(name, versions, model.versions[versions[-1]]))
    return rows


def fetch_card(found: Found, urls: Sequence[str], policy: RetryPolicy) -> str:
    """The release's README.md, size-bounded and checked against the index's sha256."""
    listed = {
        check_file_path(f.path, found.name, found.version, "index"): f for f in found.entry.files
    }
    if CARD_FILE not in listed:
        return ""
    file = listed[CARD_FILE]
    url = join(urls[found.mirror], file.path)
    raw = read_bounded(url, MAX_CARD_BYTES, "a model card", policy=policy)
    if hashlib.sha256(raw).hexdigest() != file.sha256:
        raise IntegrityError(f"{url} does not match the sha256 the index lists; not shown")
    return raw.decode("utf-8", errors="replace")
