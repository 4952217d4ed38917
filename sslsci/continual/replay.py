"""Which earlier items are replayed beside the new ones, so a round does not forget."""

from __future__ import annotations

import math
import random

from sslsci.store import ItemRow


def replay_count(new: int, old: int, share: float) -> int:
    """Old items for ``share`` of the round's data to be replayed: old / (new + old) = share,
    capped by how many old items there are."""
    if share <= 0 or old == 0:
        return 0
    return min(old, math.ceil(new * share / (1.0 - share)))


def select_replay(new: list[ItemRow], old: list[ItemRow], share: float, seed: int) -> list[ItemRow]:
    """A seeded sample of old items (stable for the same inputs, so a resumed round
    trains on the same selection)."""
    count = replay_count(len(new), len(old), share)
    chosen = random.Random(seed).sample(range(len(old)), count)
    return [old[k] for k in sorted(chosen)]
