"""Screen recipe changes fast: pretrain a pipeline variant, then linear-probe SSL vs random init.

The full suite (`sslsci evaluate BUNDLE --suite`) also fine-tunes and takes minutes per
task; to compare recipe changes (views, method, steps) only the frozen probe at a few
label fractions is needed. This pretrains the pipeline with overrides, embeds the first
`evaluate:` task once per backbone, and prints the mean linear-probe accuracy over label
subsets (the suite's subsets) for the SSL bundle and the seed-0 random init.

    python benchmarks/recipe_screen.py pipelines/speech.yaml --workdir WORK \
        --steps 150 --set views.mix_ratio=0.4 --set method.temperature=0.1

docs/recipes.md lists what was screened this way for the built-in recipes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

SUBSETS = 5  # label subsets per fraction below 100 %


def variant(pipeline: Path, steps: int | None, sets: list[str], output: Path) -> dict:
    """The pipeline with ``key.path=value`` overrides (values parsed as YAML)."""
    document = yaml.safe_load(pipeline.read_text())
    document["catalog"] = str((pipeline.parent / document["catalog"]).resolve())
    document["output"] = str(output)
    if steps is not None:
        document["trainer"]["max_steps"] = steps
        document["trainer"]["checkpoint_every_n_steps"] = steps
    for assignment in sets:
        key, _, value = assignment.partition("=")
        *path, last = key.split(".")
        node = document
        for part in path:
            node = node.setdefault(part, {})
        node[last] = yaml.safe_load(value)
    return document


def probe_accuracies(bundle: Path, catalog: str, workdir: str, fractions: list[float]) -> dict:
    """Mean linear-probe accuracy per backbone and fraction on the first pipeline task."""
    from sslsci.evaluate.embed import embed_items, random_init_like
    from sslsci.evaluate.fractions import label_fraction
    from sslsci.evaluate.on_bundle import prepare_task
    from sslsci.evaluate.probes import linear_probe
    from sslsci.evaluate.suite_bundle import pipeline_tasks

    task = pipeline_tasks(bundle)[0]
    prepared = prepare_task(bundle, task, catalog_path=catalog, workdir=workdir)
    train, test = prepared.sets
    backbones = {
        "ssl": prepared.model.backbone,
        "random_init": random_init_like(prepared.build_backbone, 0),
    }
    groups = prepared.train_groups()
    results: dict = {}
    for name, backbone in backbones.items():
        (train_X, train_y), (test_X, test_y) = (
            embed_items(backbone, train),
            embed_items(backbone, test),
        )
        for fraction in fractions:
            scores = []
            for seed in range(SUBSETS if fraction < 1 else 1):
                subset = label_fraction(train_y, fraction, seed, groups=groups)
                run = linear_probe(train_X[subset], train_y[subset], test_X, test_y, seed=seed)
                scores.append(run["accuracy"])
            results[f"{name}@{fraction:g}"] = round(float(np.mean(scores)), 3)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pipeline", type=Path)
    parser.add_argument("--workdir", required=True, help="store with the entries ingested")
    parser.add_argument("--steps", type=int, help="override trainer.max_steps")
    parser.add_argument("--set", action="append", default=[], help="key.path=yaml-value")
    parser.add_argument("--fractions", default="0.1,1")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="recipe-screen-") as folder:
        document = variant(args.pipeline, args.steps, args.set, Path(folder) / "runs")
        path = Path(folder) / "pipeline.yaml"
        path.write_text(yaml.safe_dump(document, sort_keys=False))
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "sslsci", "pretrain", str(path), "--workdir", args.workdir],
            check=True,
        )
        seconds = time.perf_counter() - started
        bundle = Path(folder) / "runs" / document["name"] / "bundle"
        fractions = [float(f) for f in args.fractions.split(",")]
        scores = probe_accuracies(bundle, document["catalog"], args.workdir, fractions)
    print(json.dumps({"pretrain_seconds": round(seconds), "overrides": args.set, **scores}))


if __name__ == "__main__":
    main()
