"""`sslsci evaluate BUNDLE --suite`: every task the pipeline names, at label fractions x seeds.

Writes BUNDLE/suite/report.{json,md,html} with the plots under BUNDLE/suite/plots, and
puts the headline table (mean primary metric per protocol, backbone and fraction, and the
gain) into the bundle's sslsci.json and model card under ``<task>.suite``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sslsci.evaluate.finetune import FinetuneSettings
from sslsci.evaluate.on_bundle import prepare_task
from sslsci.evaluate.suite import SuiteSettings, run_suite
from sslsci.train.pipeline import EvalConfig

SUITE_FOLDER = "suite"


def pipeline_tasks(bundle: str | Path) -> list[EvalConfig]:
    """The ``evaluate:`` tasks the bundle's pipeline named (recorded at export)."""
    from sslsci.bundle import load_bundle

    tasks = load_bundle(Path(bundle)).metadata.get("training", {}).get("evaluate") or []
    return [EvalConfig.model_validate(task) for task in tasks]


def suite_settings(
    task: EvalConfig, fractions: Sequence[float] | None, seeds: int | None
) -> SuiteSettings:
    """The task's declared fractions, seeds and fine-tuning budget; CLI options override."""
    finetune = FinetuneSettings(**task.finetune.model_dump()) if task.finetune else None
    return SuiteSettings(
        fractions=tuple(fractions or task.fractions),
        seeds=tuple(range(seeds or task.seeds)),
        k=task.k,
        finetune=finetune,
    )


def evaluate_suite_bundle(
    bundle: str | Path,
    tasks: Sequence[EvalConfig],
    *,
    catalog_path: str | Path,
    workdir: str | Path | None = None,
    fractions: Sequence[float] | None = None,
    seeds: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the suite on each task and write the report; returns the report document."""
    from sslsci.bundle import update_bundle_evaluation
    from sslsci.evaluate.run_logs import read_metrics
    from sslsci.evaluate.suite_report import headline, write_suite_report

    if not tasks:
        raise ValueError(
            "the pipeline names no `evaluate:` tasks; add one (e.g. evaluate: [{entry: NAME}]) "
            "or pass --task"
        )
    bundle = Path(bundle)
    document: dict[str, Any] = {"bundle": None, "tasks": {}}
    extras: dict[str, Any] = {}
    for task in tasks:
        prepared = prepare_task(bundle, task, catalog_path=catalog_path, workdir=workdir)
        document["bundle"] = prepared.meta["name"]
        train, test = prepared.sets
        say = (lambda line, key=task.key: progress(f"{key}: {line}")) if progress else None
        results, extra = run_suite(
            prepared.model.backbone,
            prepared.build_backbone,
            train,
            test,
            kind=prepared.kind,
            groups=prepared.train_groups(),
            settings=suite_settings(task, fractions, seeds),
            progress=say,
        )
        classes = getattr(train, "class_index", {})
        results.update(
            task=task.key,
            classes=[c for c, _ in sorted(classes.items(), key=lambda kv: kv[1])],
            synthetic=task.synthetic,
            leakage=prepared.leaked,
        )
        document["tasks"][task.key] = results
        extras[task.key] = extra
    folder = bundle / SUITE_FOLDER
    paths = write_suite_report(document, extras, folder, read_metrics(bundle))
    update_bundle_evaluation(
        bundle, {key: {"suite": headline(r)} for key, r in document["tasks"].items()}
    )
    return {**document, "report": {name: str(path) for name, path in paths.items()}}
