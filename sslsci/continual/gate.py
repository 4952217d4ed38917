"""The release gate: a candidate is released only if no task got worse than the previous
release by more than the tolerance and every task beats its random-init baseline."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


def metric_value(results: Mapping[str, Any], model: str, metric: str) -> float:
    """``results[model]`` followed along ``metric`` (``linear/accuracy``) to a number."""
    node: Any = results.get(model)
    for part in metric.split("/"):
        if not isinstance(node, Mapping) or part not in node:
            raise KeyError(
                f"evaluation results have no {model}/{metric}; set continual.metric to a path "
                f"the task reports, e.g. linear/accuracy or knn/accuracy"
            )
        node = node[part]
    return float(node)


@dataclass(frozen=True)
class TaskCheck:
    """One task's candidate score against its random init and the previous release."""

    task: str
    score: float
    random_init: float
    previous: float | None

    @property
    def delta(self) -> float | None:
        return None if self.previous is None else self.score - self.previous

    def problems(self, tolerance: float) -> list[str]:
        found = []
        if self.score <= self.random_init:
            found.append(
                f"{self.task}: {self.score:.4f} does not beat random init ({self.random_init:.4f})"
            )
        if self.previous is not None and self.score < self.previous - tolerance:
            found.append(
                f"{self.task}: {self.score:.4f} is below the previous release's "
                f"{self.previous:.4f} by {self.previous - self.score:.4f}, more than the "
                f"tolerance {tolerance:g}"
            )
        return found


@dataclass(frozen=True)
class GateDecision:
    accepted: bool
    checks: list[TaskCheck]
    reasons: list[str] = field(default_factory=list)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "every task passed"


def task_checks(
    candidate: Mapping[str, Mapping[str, Any]],
    previous: Mapping[str, float] | None,
    metric: str,
) -> list[TaskCheck]:
    """Per task (key -> evaluate_bundle results): score, random init and previous score."""
    return [
        TaskCheck(
            task=task,
            score=metric_value(results, "ssl", metric),
            random_init=metric_value(results, "random_init", metric),
            previous=None if previous is None else previous.get(task),
        )
        for task, results in candidate.items()
    ]


def decide(checks: list[TaskCheck], tolerance: float) -> GateDecision:
    """Accept only when there are tasks and none of them has a problem."""
    if not checks:
        return GateDecision(
            False, [], ["the pipeline declares no evaluate tasks, so nothing can be gated"]
        )
    reasons = [problem for check in checks for problem in check.problems(tolerance)]
    return GateDecision(not reasons, checks, reasons)
