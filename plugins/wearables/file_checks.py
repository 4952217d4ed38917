"""Checks on source files that every reader shares.

Each check raises ``ValueError`` naming the file, the problem and the fix, so a bad
file lands in quarantine with a reason a person can act on.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

SNIFF_BYTES = 8192


def check_text_file(path: str, kind: str) -> None:
    """Refuse empty files and binary files wearing a text suffix."""
    file = Path(path)
    if not file.is_file():
        raise ValueError(f"{path}: not a file; point the catalog glob at {kind} files")
    with file.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise ValueError(
            f"{path}: the file is empty; re-export it or exclude it from the catalog glob"
        )
    if b"\x00" in head:
        raise ValueError(
            f"{path}: holds binary data (NUL bytes), not {kind} text, so it is not a {kind} "
            "file; the suffix is wrong or "
            f"the file is corrupt: give it the suffix of its real format or re-export it as {kind}"
        )
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the sniff boundary is not an error.
        if exc.start < len(head) - 4:
            raise ValueError(
                f"{path}: is not UTF-8 text (byte {exc.start}), so it is not a {kind} file; it "
                f"is binary or in another encoding: re-export it as UTF-8 {kind}"
            ) from exc


def require_sampling_rate(options: Mapping[str, Any], path: str, fmt: str) -> float:
    """The declared rate (checked by the options model), or an error saying how to
    declare it for this format."""
    rate = options.get("sampling_rate")
    if rate is None:
        raise ValueError(
            f"{path}: the {fmt} format does not record the sampling rate and none was given; "
            "set options: {sampling_rate: ...} (Hz) in the catalog entry "
            "(for example 10 for the UEA BasicMotions and RacketSports sets)"
        )
    return float(rate)
