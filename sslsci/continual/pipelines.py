"""Which pipelines a continual service runs: the ones named, or those found beside the
catalog's project that have a ``continual`` section."""

from __future__ import annotations

from pathlib import Path

from sslsci.train.pipeline import Pipeline, PipelineError, load_pipeline


def continual_pipelines(paths: list[Path]) -> list[Pipeline]:
    """The given pipelines; each must have a ``continual`` section."""
    pipelines = [load_pipeline(path) for path in paths]
    for pipeline in pipelines:
        if pipeline.continual is None:
            raise PipelineError(
                f"{pipeline.path}: pipeline {pipeline.name!r} has no 'continual' section, so "
                "there is nothing to serve for it; add one (registry, model, steps) or leave "
                "the file out"
            )
    return pipelines


def found_pipelines(folder: Path, catalog_path: Path) -> list[Path]:
    """Pipelines under ``folder`` with a ``continual`` section that read this catalog."""
    found = []
    for path in sorted(folder.glob("*.y*ml")):
        try:
            pipeline = load_pipeline(path)
        except PipelineError:
            continue  # a broken unrelated recipe must not stop the service
        if pipeline.continual and pipeline.catalog_path() == catalog_path.resolve():
            found.append(path)
    return found
