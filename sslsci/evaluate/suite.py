"""The evaluation suite: probes and fine-tuning at label fractions over seeds, SSL vs random init.

Every protocol sees the same train/test split. For each label fraction and seed one
labelled subset of the train split is drawn (``fractions.label_fraction``) and shared by
all protocols and both backbones, so the SSL - random-init gain is paired. Frozen
embeddings are computed once per backbone (SSL, and one random init) and reused by every
probe, fraction and seed; only fine-tuning runs the backbone again, within the budget
the pipeline declares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from torch import nn
from torch.utils.data import Dataset

from sslsci.evaluate.embed import check_same_architecture, embed_items, random_init_like
from sslsci.evaluate.finetune import FinetuneSettings, finetune, head_outputs, predict
from sslsci.evaluate.fractions import label_fraction, validation_part
from sslsci.evaluate.intervals import mean_interval
from sslsci.evaluate.metrics import classification_metrics
from sslsci.evaluate.multilabel import (
    multilabel_knn_probe,
    multilabel_linear_probe,
    multilabel_metrics,
)
from sslsci.evaluate.probes import knn_probe, linear_probe
from sslsci.evaluate.regression import (
    regression_knn_probe,
    regression_linear_probe,
    regression_metrics,
)

KINDS = ("classification", "multilabel", "regression")
BACKBONES = ("ssl", "random_init")
PRIMARY = {"classification": "accuracy", "multilabel": "mean_average_precision", "regression": "r2"}
METRICS = {
    "classification": ("accuracy", "macro_f1", "balanced_accuracy"),
    "multilabel": ("mean_average_precision", "micro_f1", "macro_f1"),
    "regression": ("r2", "mae"),
}
DEFAULT_FRACTIONS = (0.01, 0.1, 1.0)
DEFAULT_SEEDS = 3

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SuiteSettings:
    fractions: tuple[float, ...] = DEFAULT_FRACTIONS
    seeds: tuple[int, ...] = tuple(range(DEFAULT_SEEDS))
    k: int = 20
    finetune: FinetuneSettings | None = field(default_factory=FinetuneSettings)

    @property
    def protocols(self) -> tuple[str, ...]:
        return ("linear", "knn") + (("finetune",) if self.finetune else ())


def progress_steps(settings: SuiteSettings) -> int:
    """How many times ``run_suite`` reports progress (for a progress bar's total)."""
    per_draw = 4 + (2 if settings.finetune else 0)
    return 2 + len(settings.fractions) * len(settings.seeds) * per_draw


def fraction_key(fraction: float) -> str:
    """'1%', '10%', '100%': the JSON key of a fraction (exact up to 4 decimals)."""
    return f"{100 * fraction:.4g}%"


def probe(
    kind: str,
    protocol: str,
    train: tuple[np.ndarray, np.ndarray],
    test: tuple[np.ndarray, np.ndarray],
    *,
    k: int,
    seed: int,
) -> dict[str, Any]:
    """One frozen-feature probe (``linear`` or ``knn``) of any task kind."""
    (train_X, train_y), (test_X, test_y) = train, test
    if kind == "regression":
        if protocol == "linear":
            return regression_linear_probe(train_X, train_y, test_X, test_y)
        return regression_knn_probe(train_X, train_y, test_X, test_y, k=k)
    if kind == "multilabel":
        if protocol == "linear":
            return multilabel_linear_probe(train_X, train_y, test_X, test_y, seed=seed)
        return multilabel_knn_probe(train_X, train_y, test_X, test_y, k=k)
    if protocol == "linear":
        return linear_probe(train_X, train_y, test_X, test_y, seed=seed)
    # At 1% labels a class may have a single example: with k above the smallest class count
    # every vote would tie and go to class 0, so k never exceeds it.
    smallest = int(np.unique(train_y, return_counts=True)[1].min())
    return knn_probe(train_X, train_y, test_X, test_y, k=max(1, min(k, smallest)))


def scored(kind: str, truth: np.ndarray, predicted: np.ndarray, outputs: int) -> dict[str, Any]:
    """Metrics of fine-tuned predictions, defined exactly as the probes define them."""
    if kind == "regression":
        return regression_metrics(truth, predicted)
    if kind == "multilabel":
        return multilabel_metrics(truth, predicted)
    return classification_metrics(truth, predicted, np.arange(outputs))


def run_suite(
    backbone: nn.Module,
    make_random_backbone: Callable[[], nn.Module],
    train: Dataset,
    test: Dataset,
    *,
    kind: str = "classification",
    groups: Sequence[str] | None = None,
    settings: SuiteSettings = SuiteSettings(),
    progress: Progress | None = None,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Results (JSON-ready: runs, summary with intervals, gains) and the test embeddings.

    ``groups`` (one per train sample: subject, recording) makes the label subsets and the
    fine-tuning validation part group-aware.
    """
    if kind not in KINDS:
        raise ValueError(f"task kind {kind!r} is not one of {KINDS}")
    say = progress or (lambda _: None)
    seeds = tuple(settings.seeds)
    baseline = random_init_like(make_random_backbone, seeds[0])
    check_same_architecture(backbone, baseline)
    say("embedding train and test items (SSL)")
    ssl_train, ssl_test = embed_items(backbone, train), embed_items(backbone, test)
    say("embedding train and test items (random init)")
    features = {
        "ssl": (ssl_train, ssl_test),
        "random_init": (embed_items(baseline, train), embed_items(baseline, test)),
    }
    train_y, test_y = ssl_train[1], ssl_test[1]
    outputs = head_outputs(kind, np.concatenate([train_y, test_y]))
    runs: list[dict[str, Any]] = []
    for fraction in settings.fractions:
        for seed in seeds:
            subset = label_fraction(train_y, fraction, seed, kind=kind, groups=groups)
            common = {"fraction": fraction, "seed": seed, "n_labelled": len(subset)}
            for name, (tr, te) in features.items():
                for protocol in ("linear", "knn"):
                    say(f"{protocol} {name} {fraction_key(fraction)} seed {seed}")
                    metrics = probe(
                        kind, protocol, (tr[0][subset], tr[1][subset]), te, k=settings.k, seed=seed
                    )
                    runs.append({"protocol": protocol, "backbone": name, **common, **metrics})
            if settings.finetune is None:
                continue
            fit, held = validation_part(subset, train_y, seed, kind=kind, groups=groups)
            starts = {"ssl": backbone, "random_init": random_init_like(make_random_backbone, seed)}
            for name, start in starts.items():
                say(f"finetune {name} {fraction_key(fraction)} seed {seed}")
                model, head, log = finetune(
                    start,
                    train,
                    fit,
                    held,
                    kind=kind,
                    outputs=outputs,
                    settings=settings.finetune,
                    seed=seed,
                )
                metrics = scored(kind, test_y, predict(model, head, test, kind), outputs)
                runs.append(
                    {
                        "protocol": "finetune",
                        "backbone": name,
                        **common,
                        **metrics,
                        "finetune": log,
                        "n_test": len(test_y),
                    }
                )
    results = {
        "kind": kind,
        "primary_metric": PRIMARY[kind],
        "metrics": list(METRICS[kind]),
        "protocols": list(settings.protocols),
        "fractions": list(settings.fractions),
        "seeds": list(seeds),
        "n_train": len(train_y),
        "n_test": len(test_y),
        "num_features": int(ssl_train[0].shape[1]),
        "finetune_settings": vars(settings.finetune) if settings.finetune else None,
        "k": settings.k,
        "runs": runs,
        **summarise(runs, kind),
    }
    return results, {"test_embedding": ssl_test[0], "test_targets": test_y}


def summarise(runs: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """``summary[protocol][backbone][fraction][metric]`` and ``gain[protocol][fraction][metric]``
    (SSL - random init, paired by seed): mean, 95% t-interval, values, n_seeds, n."""
    summary: dict[str, Any] = {}
    gain: dict[str, Any] = {}
    by_key = {(r["protocol"], r["backbone"], r["fraction"], r["seed"]): r for r in runs}
    for protocol, name, fraction in sorted(
        {(r["protocol"], r["backbone"], r["fraction"]) for r in runs}
    ):
        rows = [r for key, r in by_key.items() if key[:3] == (protocol, name, fraction)]
        cell = {
            metric: {
                **mean_interval([r[metric] for r in rows]),
                "n_labelled": rows[0]["n_labelled"],
                "n_test": rows[0]["n_test"],
            }
            for metric in METRICS[kind]
        }
        summary.setdefault(protocol, {}).setdefault(name, {})[fraction_key(fraction)] = cell
        if name != "ssl":
            continue
        paired = [(r, by_key.get((protocol, "random_init", fraction, r["seed"]))) for r in rows]
        paired = [(a, b) for a, b in paired if b is not None]
        if paired:
            gain.setdefault(protocol, {})[fraction_key(fraction)] = {
                metric: {
                    **mean_interval([a[metric] - b[metric] for a, b in paired]),
                    "n_labelled": rows[0]["n_labelled"],
                    "n_test": rows[0]["n_test"],
                }
                for metric in METRICS[kind]
            }
    return {"summary": summary, "gain": gain}
