"""What the training pool holds that the parent release never saw (the manifest diff)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sslsci.bundle.schema import DataAdded
from sslsci.store import ItemRow

MAX_LISTED_FILES = 50


@dataclass(frozen=True)
class ManifestDiff:
    """Training items new to the lineage, the ones it has seen, and source hashes gone."""

    new: list[ItemRow]
    old: list[ItemRow]
    gone_sources: int

    def new_files(self, relative: Callable[[ItemRow], str]) -> list[str]:
        """The files the new items came from, in manifest order, each once."""
        return list(dict.fromkeys(relative(item) for item in self.new))


def manifest_diff(seen_sha256: Iterable[str], pool: list[ItemRow]) -> ManifestDiff:
    """Split the training pool by whether the parent's lineage trained on the item's source.

    Sources are compared by content hash, so a file renamed or copied back unchanged is
    not new, and a file rewritten in place is.
    """
    seen = set(seen_sha256)
    new = [item for item in pool if item.sha256 not in seen]
    old = [item for item in pool if item.sha256 in seen]
    gone = len(seen - {item.sha256 for item in pool})
    return ManifestDiff(new, old, gone)


def item_hours(item: ItemRow, time_dim: str, rate_hz: float | None) -> float | None:
    """Hours of recording in an item along its time dim, when its sampling rate is known."""
    rate = item.attrs.get("sampling_rate", rate_hz)
    if time_dim not in item.dims or not isinstance(rate, int | float) or rate <= 0:
        return None
    return item.shape[item.dims.index(time_dim)] / float(rate) / 3600.0


def hours_of(items: list[ItemRow], time_dim: str, rate_hz: float | None) -> float | None:
    """Total hours of ``items``, or ``None`` if any item's duration is unknown."""
    hours = [item_hours(item, time_dim, rate_hz) for item in items]
    if any(h is None for h in hours):
        return None
    return float(sum(hours))


def data_added(
    diff: ManifestDiff,
    relative: Callable[[ItemRow], str],
    hours: float | None,
    replayed: int,
) -> DataAdded:
    """The release record's account of the data a round added."""
    files = diff.new_files(relative)
    return DataAdded(
        items=len(diff.new),
        files=files[:MAX_LISTED_FILES],
        files_total=len(files),
        hours=hours,
        replayed_items=replayed,
    )
