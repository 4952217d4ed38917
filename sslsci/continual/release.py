"""Release records: the next version number, the lineage written into card and index, and
the rows of the metrics-across-versions table."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sslsci.bundle.schema import DataAdded, Lineage
from sslsci.continual.gate import GateDecision
from sslsci.weights.index import ModelEntry
from sslsci.weights.names import latest_version, version_key


def next_version(versions: Iterable[str]) -> str:
    """``1`` for the first release; otherwise the latest's first number plus one, keeping its
    shape (``1`` -> ``2``, ``1.3`` -> ``2.0``)."""
    latest = latest_version(versions)
    if latest is None:
        return "1"
    parts = version_key(latest)
    return ".".join([str(parts[0] + 1)] + ["0"] * (len(parts) - 1))


def metrics_of(decision: GateDecision, metric: str) -> dict[str, float]:
    """``task/metric`` -> candidate score, as the lineage records it."""
    return {f"{check.task}/{metric}": check.score for check in decision.checks}


def lineage(
    parent: str | None,
    added: DataAdded,
    decision: GateDecision,
    metric: str,
    eval_splits_sha256: str | None,
) -> Lineage:
    """What a release records about where it came from and how it compares."""
    deltas = {
        f"{check.task}/{metric}": check.delta
        for check in decision.checks
        if check.delta is not None
    }
    return Lineage(
        parent=parent,
        data_added=added,
        metrics=metrics_of(decision, metric),
        metric_deltas=deltas,
        eval_splits_sha256=eval_splits_sha256,
    )


def released_scores(model: ModelEntry | None, version: str, metric: str) -> dict[str, float]:
    """task -> score of a released version: its lineage, else its index card's results."""
    if model is None or version not in model.versions:
        return {}
    entry = model.versions[version]
    suffix = f"/{metric}"
    if entry.lineage is not None and entry.lineage.metrics:
        items = entry.lineage.metrics.items()
        return {key.removesuffix(suffix): value for key, value in items if key.endswith(suffix)}
    marker = f"/ssl/{metric}"
    return {
        key.removesuffix(marker): value
        for key, value in entry.card.results.items()
        if key.endswith(marker)
    }


def history_rows(
    model: ModelEntry | None,
    metric: str,
    candidate: str,
    decision: GateDecision,
) -> list[dict[str, Any]]:
    """One row per version and task: every released version, then this round's candidate."""
    rows: list[dict[str, Any]] = []
    versions = sorted(model.versions, key=version_key) if model else []
    for version in versions:
        for task, score in released_scores(model, version, metric).items():
            rows.append(
                {"version": version, "outcome": "released", "task": task, metric: round(score, 4)}
            )
    outcome = "released" if decision.accepted else "refused"
    for check in decision.checks:
        rows.append(
            {
                "version": candidate,
                "outcome": outcome,
                "task": check.task,
                metric: round(check.score, 4),
                "random_init": round(check.random_init, 4),
                "change": None if check.delta is None else round(check.delta, 4),
            }
        )
    return rows
