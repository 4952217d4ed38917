"""Which sources of an archive need reading: skip by stat signature, skip by hash, or read."""

from __future__ import annotations

from sslsci.ingest.archive import SourceInfo, source_sha256
from sslsci.store import Manifest


def plan_sources(
    found, known, version, opts, verify, counts, manifest, entry, store
) -> list[SourceInfo]:
    """Decide per source: skip by signature, skip by hash, or process."""
    todo: list[SourceInfo] = []
    keys_by_uri: dict[str, list[str]] | None = None  # read once, only if a file is hashed
    for info in found:
        prev = known.get(info.uri)
        same_config = (
            prev is not None
            and prev.status in ("ok", "quarantined")
            and prev.plugin_version == version
            and prev.options_hash == opts
        )
        if same_config and not verify and prev.signature == info.signature:
            counts["unchanged"] += 1
            continue
        if same_config and prev.sha256 is not None:
            sha = source_sha256(info)
            if keys_by_uri is None:
                keys_by_uri = _stored_keys(manifest, entry.name)
            intact = prev.status != "ok" or all(
                store.has(key) for key in keys_by_uri.get(info.uri, [])
            )
            if sha == prev.sha256 and intact:
                manifest.touch_signature(entry.name, info.uri, info.signature)
                counts["unchanged"] += 1
                continue
        counts["changed" if prev is not None and prev.status != "gone" else "new"] += 1
        todo.append(info)
    return todo


def _stored_keys(manifest: Manifest, entry: str) -> dict[str, list[str]]:
    """Store keys of each ok source of an entry, from one manifest query."""
    keys: dict[str, list[str]] = {}
    for item in manifest.items([entry]):
        keys.setdefault(item.uri, []).append(item.store_key)
    return keys
