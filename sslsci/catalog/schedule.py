"""A catalog entry's ``schedule``: a 5-field cron string or ``every N{s,m,h,d}``."""

from __future__ import annotations

import re
from dataclasses import dataclass

INTERVAL_RE = re.compile(r"every\s+(\d+(?:\.\d+)?)\s*([smhd])")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SHAPE = "a 5-field cron string such as '0 * * * *' or an interval such as 'every 10m'"


@dataclass(frozen=True)
class Schedule:
    """Exactly one of ``cron`` and ``interval_seconds``."""

    cron: str | None = None
    interval_seconds: float | None = None


def parse_schedule(text: str) -> Schedule:
    """The schedule ``text`` describes, or a ValueError naming both accepted shapes."""
    text = text.strip()
    match = INTERVAL_RE.fullmatch(text)
    if match:
        seconds = float(match.group(1)) * UNIT_SECONDS[match.group(2)]
        if seconds <= 0:
            raise ValueError(f"schedule {text!r}: the interval must be positive")
        return Schedule(interval_seconds=seconds)
    if len(text.split()) == 5:
        return Schedule(cron=text)
    raise ValueError(f"schedule {text!r} is not {SHAPE}")
