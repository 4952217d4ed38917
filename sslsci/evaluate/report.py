"""report.json, report.md and the SSL linear-probe confusion matrix of one evaluation."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

CONFUSION_PNG = "confusion_matrix.png"
HEADER = (
    "backbone",
    "linear acc",
    "linear macro-F1",
    "linear balanced acc",
    "kNN acc",
    "kNN macro-F1",
)
ROWS = (("SSL", "ssl"), ("random init", "random_init"))
MULTILABEL_HEADER = (
    "backbone",
    "linear mAP",
    "linear micro-F1",
    "linear macro-F1",
    "kNN mAP",
    "kNN micro-F1",
    "kNN macro-F1",
)


def write_report(results: dict[str, Any], out_dir: Path, title: str) -> tuple[Path, Path]:
    """Write the results as JSON and as a markdown table (with the confusion-matrix PNG)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path, md_path = out_dir / "report.json", out_dir / "report.md"
    json_path.write_text(json.dumps(results, indent=2, default=_json_value) + "\n")
    if results.get("kind") == "multilabel":
        md_path.write_text(multilabel_report(results, title))
        return json_path, md_path
    linear = results["ssl"]["linear"]
    class_names = _names(linear["labels"], results.get("classes"))
    plot_confusion(
        np.asarray(linear["confusion_matrix"]),
        class_names,
        out_dir / CONFUSION_PNG,
        title=f"{title}: SSL linear probe",
    )
    md_path.write_text(markdown_report(results, title))
    return json_path, md_path


def markdown_report(results: dict[str, Any], title: str) -> str:
    lines = [
        f"# {title}",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    for label, key in ROWS:
        lin, knn = results[key]["linear"], results[key]["knn"]
        cells = [
            lin["accuracy"],
            lin["macro_f1"],
            lin["balanced_accuracy"],
            knn["accuracy"],
            knn["macro_f1"],
        ]
        lines.append(f"| {label} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")
    ssl = results["ssl"]
    lines += [
        "",
        f"n_train = {results['n_train']}, n_test = {results['n_test']}"
        + (
            f"; classes: {', '.join(map(str, results['classes']))}"
            if results.get("classes")
            else ""
        ),
        "",
        "Linear probe: standardised frozen features, multinomial logistic regression; C chosen "
        f"by {ssl['linear']['cv_folds']}-fold stratified cross-validation on the train split "
        f"only (SSL C = {ssl['linear']['C']:g}, random init C = "
        f"{results['random_init']['linear']['C']:g}).",
        f"kNN: cosine similarity, majority vote of the k = {ssl['knn']['k']} nearest train items.",
        "Random init: the same architecture, untrained, evaluated on the same split.",
    ]
    lines += _warnings(results)
    lines += ["", f"![SSL linear-probe confusion matrix]({CONFUSION_PNG})", ""]
    return "\n".join(lines)


def multilabel_report(results: dict[str, Any], title: str) -> str:
    """mAP and F1 per probe for SSL and random init (no confusion matrix: labels overlap)."""
    lines = [
        f"# {title}",
        "",
        "| " + " | ".join(MULTILABEL_HEADER) + " |",
        "|" + "---|" * len(MULTILABEL_HEADER),
    ]
    for label, key in ROWS:
        lin, knn = results[key]["linear"], results[key]["knn"]
        cells = [
            lin["mean_average_precision"],
            lin["micro_f1"],
            lin["macro_f1"],
            knn["mean_average_precision"],
            knn["micro_f1"],
            knn["macro_f1"],
        ]
        lines.append(f"| {label} | " + " | ".join(f"{v:.3f}" for v in cells) + " |")
    classes = results.get("classes") or []
    lines += [
        "",
        f"n_train = {results['n_train']}, n_test = {results['n_test']}; "
        f"{len(classes)} classes: {', '.join(map(str, classes))}",
        "",
        "Multi-label: one standardised logistic regression per class (C by log loss "
        "over stratified folds of the train split), and a cosine kNN whose class scores are "
        f"the shares among the k = {results['ssl']['knn']['k']} nearest train items. mAP "
        "averages over the classes present in the test split; F1 thresholds scores at 0.5.",
        "Random init: the same architecture, untrained, evaluated on the same split.",
    ]
    return "\n".join(lines + _warnings(results)) + "\n"


def plot_confusion(matrix: np.ndarray, class_names: Sequence[str], path: Path, title: str) -> None:
    """Counts per (true, predicted) class, annotated; Agg canvas, no global pyplot state."""
    size = max(3.5, 0.6 * len(class_names) + 2)
    figure = Figure(figsize=(size, size), layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.imshow(matrix, cmap="Blues")
    ticks = range(len(class_names))
    axes.set_xticks(ticks, class_names, rotation=45, ha="right")
    axes.set_yticks(ticks, class_names)
    axes.set_xlabel("predicted")
    axes.set_ylabel("true")
    axes.set_title(title, fontsize=9)
    threshold = matrix.max() / 2 if matrix.size else 0
    for (row, column), count in np.ndenumerate(matrix):
        axes.text(
            column,
            row,
            str(count),
            ha="center",
            va="center",
            color="white" if count > threshold else "black",
        )
    figure.savefig(path, dpi=100)


def _warnings(results: dict[str, Any]) -> list[str]:
    lines = []
    if results.get("synthetic"):
        lines += [
            "",
            "**Labels are synthetic**: they come from a seeded generator, so these "
            "scores show the pipeline works, not how the model does on real data.",
        ]
    leaked = results.get("leakage") or []
    if leaked:
        lines += [
            "",
            f"**Leakage**: {len(leaked)} test file(s) were also in the pretraining "
            f"data (e.g. {leaked[0]}); evaluated with --force, so the scores are "
            "optimistic.",
        ]
    if not all(results[key]["linear"].get("converged", True) for _, key in ROWS):
        lines += ["", "Note: some logistic-regression fits stopped at their iteration limit."]
    return lines


def _names(labels: Sequence[int], classes: Sequence[str] | None) -> list[str]:
    if not classes:
        return [str(label) for label in labels]
    return [str(classes[label]) if 0 <= label < len(classes) else str(label) for label in labels]


def _json_value(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return str(value)
