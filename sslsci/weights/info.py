"""``info``: a release's index entry and model card, from the cache when it holds it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sslsci.bundle.schema import CARD_FILE
from sslsci.weights.cache import cache_root, offline_mode, read_entry
from sslsci.weights.discover import fetch_card, find_release
from sslsci.weights.index import MAX_CARD_BYTES, VersionEntry
from sslsci.weights.locations import registry_urls
from sslsci.weights.names import ModelRef, parse_ref
from sslsci.weights.pull import from_cache_offline
from sslsci.weights.transfer import RetryPolicy


@dataclass(frozen=True)
class ReleaseInfo:
    name: str
    version: str
    entry: VersionEntry
    card: str
    source: str


def _cached_info(root: Path, ref: ModelRef) -> ReleaseInfo:
    folder = from_cache_offline(root, ref)
    entry = read_entry(folder, ref.name, folder.name)
    card_path = folder / CARD_FILE
    card = ""
    if card_path.is_file() and card_path.stat().st_size <= MAX_CARD_BYTES:
        card = card_path.read_text(encoding="utf-8", errors="replace")
    return ReleaseInfo(ref.name, folder.name, entry, card, str(folder))


def release_info(
    ref: str | ModelRef,
    *,
    registry: str | Sequence[str] | None = None,
    cache_dir: Path | str | None = None,
    offline: bool | None = None,
    retry: RetryPolicy | None = None,
) -> ReleaseInfo:
    """Entry and card of ``NAME[@VERSION]`` (latest when no version is given)."""
    ref = parse_ref(ref) if isinstance(ref, str) else ref
    root = cache_root(cache_dir)
    if offline_mode(offline):
        return _cached_info(root, ref)
    urls = registry_urls(registry)
    policy = retry or RetryPolicy()
    found = find_release(ref, urls, policy)
    card = fetch_card(found, urls, policy)
    return ReleaseInfo(found.name, found.version, found.entry, card, urls[found.mirror])
