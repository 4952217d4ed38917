"""The suite's report: report.json (every number with n and seeds), report.md, and one
self-contained report.html (plots inlined as base64 PNG, no external resource)."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path
from typing import Any

import numpy as np

from sslsci.evaluate import plots
from sslsci.evaluate.report import _json_value
from sslsci.evaluate.suite import fraction_key

ROW_NAMES = {"ssl": "SSL", "random_init": "random init"}
PROTOCOL_NAMES = {"linear": "linear probe", "knn": "kNN", "finetune": "fine-tune"}


def cell_text(cell: dict[str, Any]) -> str:
    """'0.812 ± 0.031' (95% t-interval half-width), or the mean alone for one seed."""
    if cell["half_width"] is None:
        return f"{cell['mean']:.3f}"
    return f"{cell['mean']:.3f} ± {cell['half_width']:.3f}"


def fraction_rows(results: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the fraction table: protocol x (SSL, random init, gain)."""
    metric = results["primary_metric"]
    keys = [fraction_key(f) for f in results["fractions"]]
    labelled = results["summary"][results["protocols"][0]]["ssl"]
    header = ["protocol", "backbone"] + [
        f"{key} (n={labelled[key][metric]['n_labelled']})" for key in keys
    ]
    rows = []
    for protocol in results["protocols"]:
        for name in ("ssl", "random_init"):
            cells = results["summary"][protocol][name]
            rows.append(
                [PROTOCOL_NAMES[protocol], ROW_NAMES[name]]
                + [cell_text(cells[k][metric]) for k in keys]
            )
        gains = results["gain"][protocol]
        rows.append(
            [PROTOCOL_NAMES[protocol], "gain (SSL − random)"]
            + [cell_text(gains[k][metric]) for k in keys]
        )
    return header, rows


def headline(results: dict[str, Any]) -> dict[str, Any]:
    """The card's table: mean primary metric per protocol, backbone and fraction."""
    metric = results["primary_metric"]
    table: dict[str, Any] = {}
    for protocol in results["protocols"]:
        rows = {name: results["summary"][protocol][name] for name in ("ssl", "random_init")}
        rows["gain"] = results["gain"][protocol]
        table[f"{protocol} {metric}"] = {
            name: {key: cell[metric]["mean"] for key, cell in cells.items()}
            for name, cells in rows.items()
        }
    return table


def task_figures(
    key: str, results: dict[str, Any], extras: dict[str, np.ndarray], folder: Path
) -> dict[str, bytes]:
    """Fraction curve, confusion matrix (classification) and t-SNE map of one task."""
    stem = key.replace(":", "-")
    figures = {
        f"{stem}-fractions.png": plots.fraction_curve(
            results, f"{key}: {results['primary_metric']} vs label fraction"
        ),
    }
    classes = results.get("classes") or []
    if results["kind"] == "classification":
        best = max(results["fractions"])
        run = next(
            r
            for r in results["runs"]
            if r["protocol"] == "linear" and r["backbone"] == "ssl" and r["fraction"] == best
        )
        names = [classes[v] if v < len(classes) else str(v) for v in run["labels"]]
        figures[f"{stem}-confusion.png"] = plots.confusion_png(
            run["confusion_matrix"],
            names,
            f"{key}: SSL linear probe, {fraction_key(best)} labels, seed {run['seed']}",
            folder,
        )
    figures[f"{stem}-tsne.png"] = plots.embedding_map(
        extras["test_embedding"],
        extras["test_targets"],
        results["kind"],
        classes,
        f"{key}: t-SNE of SSL test embeddings",
    )
    return figures


def write_suite_report(
    document: dict[str, Any],
    extras: dict[str, dict[str, np.ndarray]],
    folder: Path,
    metrics_table: Any | None = None,
) -> dict[str, Path]:
    """Write report.json, report.md, report.html and the PNGs into ``folder``."""
    folder = Path(folder)
    (folder / "plots").mkdir(parents=True, exist_ok=True)
    figures: dict[str, dict[str, bytes]] = {}
    for key, results in document["tasks"].items():
        figures[key] = task_figures(key, results, extras[key], folder / "plots")
    pretraining = None
    if metrics_table is not None:
        pretraining = plots.pretraining_curves(metrics_table, f"{document['bundle']}: pretraining")
    document["pretraining_logs"] = pretraining is not None
    (folder / "plots" / "confusion_matrix.png").unlink(missing_ok=True)
    for named in figures.values():
        for name, data in named.items():
            (folder / "plots" / name).write_bytes(data)
    if pretraining is not None:
        (folder / "plots" / "pretraining.png").write_bytes(pretraining)
    paths = {
        "json": folder / "report.json",
        "md": folder / "report.md",
        "html": folder / "report.html",
    }
    paths["json"].write_text(json.dumps(document, indent=2, default=_json_value) + "\n")
    paths["md"].write_text(markdown(document, figures, pretraining is not None))
    paths["html"].write_text(html_page(document, figures, pretraining))
    return paths


def _notes(results: dict[str, Any]) -> list[str]:
    notes = [
        f"{results['kind']}; primary metric {results['primary_metric']}; n_train = "
        f"{results['n_train']}, n_test = {results['n_test']}; seeds {results['seeds']}; mean ± "
        "95% t-interval half-width over seeds (one subset of the train split per fraction "
        "and seed, shared by every protocol and both backbones).",
        "Random init: the same architecture untrained (frozen probes) and trained from "
        "scratch with the same fine-tuning budget.",
    ]
    settings = results.get("finetune_settings")
    if settings:
        notes.append(
            f"Fine-tune: at most {settings['max_steps']} steps, head lr {settings['lr']:g}, "
            f"backbone lr × {settings['backbone_lr_scale']:g}, early stopping on a validation "
            "part of the labelled subset (step 0 included)"
            + (
                "; the head starts as a linear probe on the starting backbone's embeddings "
                "of the rest of the subset (LP-FT)."
                if settings.get("head_init", "probe") == "probe"
                else "; the head starts fresh."
            )
        )
    if results.get("synthetic"):
        notes.append(
            "**Labels are synthetic**: these scores show the pipeline works, not how "
            "the model does on real data."
        )
    if results.get("leakage"):
        notes.append(
            f"**Leakage**: {len(results['leakage'])} test file(s) were in the "
            "pretraining data (evaluated with --force)."
        )
    return notes


def markdown(document: dict[str, Any], figures: dict[str, dict[str, bytes]], curves: bool) -> str:
    lines = [f"# Evaluation suite: {document['bundle']}", ""]
    for key, results in document["tasks"].items():
        header, rows = fraction_rows(results)
        lines += [f"## {key}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        lines += ["", *_notes(results), ""]
        lines += [f"![{name}](plots/{name})" for name in figures[key]] + [""]
    if curves:
        lines += ["## Pretraining", "", "![pretraining](plots/pretraining.png)", ""]
    else:
        lines += ["No pretraining logs were found beside the bundle (<run>/logs).", ""]
    return "\n".join(lines)


def _img(data: bytes, alt: str) -> str:
    encoded = base64.b64encode(data).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{encoded}">'


def html_page(
    document: dict[str, Any], figures: dict[str, dict[str, bytes]], pretraining: bytes | None
) -> str:
    """One file: inline CSS, tables and base64 images; nothing fetched when opened."""
    title = html.escape(f"Evaluation suite: {document['bundle']}")
    body = [f"<h1>{title}</h1>"]
    for key, results in document["tasks"].items():
        header, rows = fraction_rows(results)
        body.append(f"<h2>{html.escape(key)}</h2>")
        body.append(
            '<table class="fractions"><thead><tr>'
            + "".join(f"<th>{html.escape(h)}</th>" for h in header)
            + "</tr></thead><tbody>"
        )
        for row in rows:
            body.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
        body.append("</tbody></table>")
        body += [f"<p>{html.escape(note).replace('**', '')}</p>" for note in _notes(results)]
        body += [_img(data, name) for name, data in figures[key].items()]
    body.append("<h2>Pretraining</h2>")
    if pretraining is not None:
        body.append(_img(pretraining, "pretraining curves"))
    else:
        body.append("<p>No pretraining logs were found beside the bundle.</p>")
    style = (
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse}td,th{border:1px solid #bbb;padding:4px 8px}"
        "img{max-width:100%;display:block;margin:1em 0}"
    )
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{style}</style></head><body>" + "\n".join(body) + "</body></html>\n"
    )
