"""When missing files mean "deleted" and when they mean "the archive is not there".

An empty mount point (a share that did not come up, a USB disk not plugged in) lists
nothing, and marking every file gone would let ``store prune`` delete all its data. So
when most of an archive's known files vanish at once, ingest treats the archive as
unreachable and marks nothing gone, and prune asks before deleting such a share.
"""

from __future__ import annotations

MAX_GONE_FRACTION = 0.5  # losing more than this share of the files at once needs a yes


def looks_unreachable(missing: int, known: int) -> bool:
    """True when ``missing`` of ``known`` files vanishing at once is more likely an
    unreachable archive than deletions: all of them, or more than half (and not one)."""
    if missing <= 0 or known <= 0:
        return False
    return missing == known or (missing >= 2 and missing > MAX_GONE_FRACTION * known)


def unreachable_warning(uri: str, listed: int, missing: int, known: int) -> str:
    return (
        f"archive {uri} lists {listed} files, and {missing} of the {known} files ingested "
        "from it before are missing: treated as unreachable (an empty mount point?), so "
        "nothing is marked gone; if those files were really deleted, rerun with --accept-gone"
    )


def prune_refusal(entries: dict[str, tuple[int, int]]) -> str | None:
    """The refusal for entries whose gone files are most of them ({entry: (gone, total)})."""
    risky = {e: (g, t) for e, (g, t) in entries.items() if looks_unreachable(g, t)}
    if not risky:
        return None
    what = ", ".join(f"{g} of {t} files of entry '{e}'" for e, (g, t) in sorted(risky.items()))
    return (
        f"store prune would delete the data of {what}, marked gone from their archive; "
        "if the archive is only unreachable, remount it and ingest again; if the files were "
        "really deleted, run `sslsci store prune --yes`"
    )
