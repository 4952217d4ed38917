"""The suite's figures (matplotlib Agg canvases, no global pyplot state), as PNG bytes."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from sslsci.evaluate.report import plot_confusion

LABELS = {"ssl": "SSL", "random_init": "random init"}
BOUNDED = {"accuracy", "macro_f1", "balanced_accuracy", "mean_average_precision", "micro_f1"}
STYLES = {"linear": "-", "knn": ":", "finetune": "--"}


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    return buffer.getvalue()


def _figure(width: float = 6.0, height: float = 4.0) -> tuple[Figure, Any]:
    figure = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def fraction_curve(results: dict[str, Any], title: str) -> bytes:
    """Primary metric vs label fraction (log x), mean and 95% band, SSL vs random init."""
    metric = results["primary_metric"]
    figure, axes = _figure()
    for protocol, backbones in results["summary"].items():
        for name, cells in backbones.items():
            fractions = [float(key.rstrip("%")) for key in cells]
            stats = [cells[key][metric] for key in cells]
            mean = np.array([s["mean"] for s in stats])
            colour = "tab:blue" if name == "ssl" else "tab:grey"
            axes.plot(
                fractions,
                mean,
                STYLES.get(protocol, "-"),
                marker="o",
                color=colour,
                label=f"{LABELS.get(name, name)} {protocol}",
            )
            if all(s["low"] is not None for s in stats):
                low, high = [s["low"] for s in stats], [s["high"] for s in stats]
                if metric in BOUNDED:  # a few seeds give wide t-intervals: clip to the range
                    low, high = np.clip(low, 0, 1), np.clip(high, 0, 1)
                axes.fill_between(fractions, low, high, color=colour, alpha=0.12)
    axes.set_xscale("log")
    shown = sorted(
        {
            float(key.rstrip("%"))
            for b in results["summary"].values()
            for c in b.values()
            for key in c
        }
    )
    axes.set_xticks(shown, [f"{value:g}%" for value in shown])
    axes.minorticks_off()
    axes.set_xlabel("labelled share of the train split")
    axes.set_ylabel(metric)
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=7)
    return _png(figure)


def confusion_png(
    matrix: np.ndarray, class_names: Sequence[str], title: str, folder: Path
) -> bytes:
    """The existing confusion-matrix plot, written to ``folder`` and returned as bytes."""
    path = folder / "confusion_matrix.png"
    plot_confusion(np.asarray(matrix), list(class_names), path, title=title)
    return path.read_bytes()


def embedding_map(
    embedding: np.ndarray,
    targets: np.ndarray,
    kind: str,
    class_names: Sequence[str],
    title: str,
    seed: int = 0,
) -> bytes:
    """2-D t-SNE of the test embeddings, coloured by label (or target value, regression)."""
    from sklearn.manifold import TSNE

    count = len(embedding)
    perplexity = float(max(2.0, min(30.0, (count - 1) / 3)))
    points = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed)
    points = (
        points.fit_transform(np.asarray(embedding, dtype=np.float64))
        if count > 3
        else (np.c_[np.arange(count), np.zeros(count)])
    )
    figure, axes = _figure(5.5, 4.5)
    if kind == "regression":
        shown = axes.scatter(points[:, 0], points[:, 1], c=targets, cmap="viridis", s=14)
        figure.colorbar(shown, ax=axes, label="target")
    else:
        labels = np.asarray(targets)
        if kind == "multilabel":  # colour by the first positive class, -1 for none
            labels = np.where(labels.any(axis=1), labels.argmax(axis=1), -1)
        for value in np.unique(labels):
            name = class_names[value] if 0 <= value < len(class_names) else "none"
            where = labels == value
            axes.scatter(points[where, 0], points[where, 1], s=14, label=str(name))
        axes.legend(fontsize=7, markerscale=1.2)
    axes.set_title(title, fontsize=9)
    axes.set_xticks([])
    axes.set_yticks([])
    return _png(figure)


def pretraining_curves(table: Any, title: str) -> bytes:
    """train/loss and the health metrics (embedding std, effective rank) against step."""
    columns = [c for c in ("train/loss", "health/std_mean", "health/rankme") if c in table]
    figure = Figure(figsize=(4.0 * len(columns), 3.2), layout="constrained")
    FigureCanvasAgg(figure)
    for position, column in enumerate(columns, start=1):
        axes = figure.add_subplot(1, len(columns), position)
        series = table[["step", column]].dropna()
        axes.plot(series["step"], series[column], marker="." if len(series) < 30 else None)
        axes.set_xlabel("step")
        axes.set_title(column, fontsize=9)
    figure.suptitle(title, fontsize=9)
    return _png(figure)
