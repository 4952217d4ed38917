"""Archive entries every corpus holds: links and special files that are never sources."""

from __future__ import annotations

import os
from pathlib import Path


def write_odd_entries(folder: Path, suffix: str) -> dict[str, str]:
    """A broken symlink, a symlink loop, a named pipe and a link to /dev/zero, each named
    with ``suffix`` so the entry's globs match them; {name: expected reason}."""
    os.symlink(folder / f"missing{suffix}", folder / f"broken{suffix}")
    os.symlink(folder / f"loop{suffix}", folder / f"loop{suffix}")
    os.mkfifo(folder / f"pipe{suffix}")
    os.symlink("/dev/zero", folder / f"zero{suffix}")
    return {
        f"broken{suffix}": "broken symlink",
        f"loop{suffix}": "symlink loop",
        f"pipe{suffix}": "named pipe",
        f"zero{suffix}": "character device",
    }
