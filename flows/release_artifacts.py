"""What a continual round shows in the Prefect UI: a markdown report, the metrics of every
version as a table, and a link to the bundle (released or kept with its refusal)."""

from __future__ import annotations

import re

from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)

from sslsci.continual.config import ContinualConfig
from sslsci.continual.round import Outcome
from sslsci.continual.state import RoundPlan


def artifact_key(*parts: str) -> str:
    """Prefect keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9-]+", "-", "-".join(parts).lower()).strip("-")


def report_markdown(
    pipeline: str, config: ContinualConfig, outcome: Outcome, plan: RoundPlan
) -> str:
    verdict = "released" if outcome.released else "refused (not published)"
    added = plan.data_added
    lines = [
        f"# {config.model} {outcome.version}: {verdict}",
        "",
        f"- pipeline: `{pipeline}`, round `{plan.round_id}`",
        f"- parent: {outcome.parent or 'none (first release, trained from scratch)'}",
        f"- gate: {outcome.reason} (metric `{config.metric}`, tolerance {config.tolerance})",
        f"- data added: {added.items} new items from {added.files_total} files"
        f" ({', '.join(added.files[:5])}{', ...' if added.files_total > 5 else ''}),"
        f" {added.replayed_items} earlier items replayed",
        f"- bundle: `{outcome.bundle}`",
        "",
        "| task | score | random init | previous | change |",
        "|---|---|---|---|---|",
    ]
    for check in outcome.decision.checks:
        previous = "" if check.previous is None else f"{check.previous:.4f}"
        change = "" if check.delta is None else f"{check.delta:+.4f}"
        cells = [check.task, f"{check.score:.4f}", f"{check.random_init:.4f}", previous, change]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def publish_artifacts(
    pipeline: str, config: ContinualConfig, outcome: Outcome, plan: RoundPlan
) -> None:
    """Three artifacts under keys stable per model, so the UI keeps their history."""
    create_markdown_artifact(
        report_markdown(pipeline, config, outcome, plan),
        key=artifact_key(config.model, "release-report"),
        description=f"{config.model} {outcome.version} {outcome.summary()['outcome']}",
    )
    create_table_artifact(
        outcome.rows,
        key=artifact_key(config.model, "metrics-by-version"),
        description=f"{config.model}: {config.metric} of every version and this candidate",
    )
    create_link_artifact(
        outcome.bundle.resolve().as_uri(),
        link_text=f"{config.model} {outcome.version} bundle",
        key=artifact_key(config.model, "bundle"),
        description="the published bundle" if outcome.released else "the refused candidate",
    )
