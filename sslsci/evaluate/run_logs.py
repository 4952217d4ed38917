"""The pretraining logs beside a bundle: Lightning's CSVLogger metrics of the run.

``sslsci pretrain`` writes ``<run>/logs/version_N/metrics.csv`` and exports the bundle to
``<run>/bundle``; a bundle copied elsewhere has no logs, and the report says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def find_metrics(bundle: Path) -> list[Path]:
    """metrics.csv files of the run that exported ``bundle``, oldest version first."""
    logs = Path(bundle).resolve().parent / "logs"
    if not logs.is_dir():
        return []
    versions = [p for p in logs.glob("version_*") if (p / "metrics.csv").is_file()]
    versions.sort(key=lambda p: int(p.name.split("_")[-1]) if p.name[8:].isdigit() else 0)
    return [p / "metrics.csv" for p in versions]


def read_metrics(bundle: Path) -> Any | None:
    """One table of every logged step (a resumed run's versions concatenated), or None."""
    import pandas as pd

    paths = find_metrics(bundle)
    if not paths:
        return None
    table = pd.concat([pd.read_csv(p) for p in paths], ignore_index=True)
    if "step" not in table or "train/loss" not in table:
        return None
    return table.sort_values("step", kind="stable")
