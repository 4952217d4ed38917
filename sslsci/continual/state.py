"""A round's folder and its ``round.json``: the plan, its status, and why it ended so.

The plan is written before training, so a round that was killed is found again with the
same item selection and resumes from its last checkpoint instead of starting over.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sslsci.bundle.atomic import write_text_atomic
from sslsci.bundle.schema import DataAdded

ROUND_FILE = "round.json"
UNFINISHED = ("planned", "training", "trained")


@dataclass
class RoundPlan:
    """One continual round: what it trains on, from which parent, and where it stands."""

    round_id: str
    folder: str
    parent: str | None
    parent_bundle: str | None
    items: list[tuple[str, str, str]]  # (entry, uri, item) of new + replayed, in order
    seen_sha256: list[str]
    added: dict
    status: str = "planned"
    version: str | None = None
    reason: str | None = None
    resumed_from_step: int | None = None
    history: list[str] = field(default_factory=list)

    @property
    def data_added(self) -> DataAdded:
        return DataAdded.model_validate(self.added)

    @property
    def path(self) -> Path:
        return Path(self.folder)

    def save(self, status: str | None = None) -> None:
        if status is not None:
            self.status = status
            self.history.append(status)
        self.path.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path / ROUND_FILE, json.dumps(asdict(self), indent=2) + "\n")

    @classmethod
    def load(cls, folder: Path) -> RoundPlan:
        document = json.loads((folder / ROUND_FILE).read_text())
        document["items"] = [tuple(key) for key in document["items"]]
        return cls(**document)


def unfinished_rounds(rounds_dir: Path) -> list[RoundPlan]:
    """Rounds whose process stopped before they were released or refused."""
    if not rounds_dir.is_dir():
        return []
    plans = [RoundPlan.load(p.parent) for p in sorted(rounds_dir.glob(f"*/{ROUND_FILE}"))]
    return [plan for plan in plans if plan.status in UNFINISHED]
