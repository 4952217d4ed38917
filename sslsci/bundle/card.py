"""The human model card (``README.md``), rendered from the bundle metadata alone.

Because the card is generated from ``sslsci.json``, the two cannot disagree; it is
re-rendered whenever evaluation results are added or a release gets its name.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from numbers import Real
from typing import Any

from sslsci.bundle.schema import BackboneInfo, BundleMetadata

MAX_TABLE_ROWS = 60
MAX_TABLE_COLUMNS = 12


def numeric_leaves(
    tree: Mapping[str, Any], prefix: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], float]]:
    """Every number in a nested dict of results, with the keys that lead to it."""
    for key, value in tree.items():
        path = (*prefix, str(key))
        if isinstance(value, Mapping):
            yield from numeric_leaves(value, path)
        elif isinstance(value, Real) and not isinstance(value, bool):
            yield path, float(value)


def headline_results(evaluation: Mapping[str, Any], limit: int = 12) -> dict[str, float]:
    """The first ``limit`` numeric results, keyed ``task/model/metric`` (for index cards)."""
    leaves = numeric_leaves(evaluation)
    return {"/".join(path): value for (path, value), _ in zip(leaves, range(limit), strict=False)}


def results_table(evaluation: Mapping[str, Any]) -> str:
    """A markdown table: one row per result group, one column per metric (the last key)."""
    rows: dict[str, dict[str, float]] = {}
    columns: list[str] = []
    for path, value in numeric_leaves(evaluation):
        group = " / ".join(path[:-1]) or "(all)"
        if group not in rows and len(rows) >= MAX_TABLE_ROWS:
            continue
        if path[-1] not in columns:
            if len(columns) >= MAX_TABLE_COLUMNS:
                continue
            columns.append(path[-1])
        rows.setdefault(group, {})[path[-1]] = value
    if not rows:
        return "No evaluation has been recorded for this model yet."
    lines = ["| result | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for group, values in rows.items():
        cells = [_number(values[c]) if c in values else "" for c in columns]
        lines.append(f"| {group} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _number(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) >= 1 else f"{value:.4g}"


def _inline(value: Any) -> str:
    return "`" + json.dumps(value, sort_keys=True, default=str) + "`"


def usage_snippet(meta: BundleMetadata, reference: str) -> str:
    """The three lines that load the model and embed an array from the plugin's reader."""
    return (
        "```python\n"
        "import sslsci\n"
        f"model = sslsci.load_pretrained({reference!r})\n"
        f"embedding = model(array)  # array: xarray.DataArray from a {meta.plugin.name} reader\n"
        "```"
    )


def _input_section(meta: BundleMetadata) -> str:
    contract = meta.input
    prep = meta.preprocessing
    window = ", ".join(f"{dim}={size}" for dim, size in contract.window.items())
    sampling = ", ".join(f"{dim}: {rate:g}" for dim, rate in contract.sampling.items()) or "-"
    channels = ", ".join(contract.channels) if contract.channels else "any"
    stats = (
        "none"
        if prep.standardize is None
        else (f"mean {_inline(prep.standardize.mean)}, std {_inline(prep.standardize.std)}")
    )
    return "\n".join(
        [
            "| field | value |",
            "|---|---|",
            f"| dims | {', '.join(contract.dims)} |",
            f"| channels | {channels} |",
            f"| window (samples) | {window} |",
            f"| sampling (Hz or spacing) | {sampling} |",
            f"| units | {contract.units or '-'} |",
            f"| dtype | {contract.dtype} |",
            f"| plugin normalize options | {_inline(prep.normalize)} |",
            f"| per-channel standardisation | {stats} |",
        ]
    )


def _data_section(meta: BundleMetadata) -> str:
    data = meta.data
    entries = data.catalog if isinstance(data.catalog, list) else [data.catalog]
    names = [str(e.get("name", e.get("uri", "?"))) for e in entries if isinstance(e, Mapping)]
    named = (data.model_extra or {}).get("entries")  # the trainer records entry names
    if not names and isinstance(named, list):
        names = [str(name) for name in named]
    listed = ", ".join(f"`{n}`" for n in names) or "not recorded"
    return (
        f"Pretrained on {data.rows} items of the training manifest "
        f"(sha256 `{data.manifest_sha256}`) from catalog entries: {listed}."
    )


def _unpooled(backbone: BackboneInfo) -> str:
    """How ``model.features`` lays out the unpooled features (older bundles do not say)."""
    if backbone.feature_layout is None:
        return ""
    shape = "[tokens, D]" if backbone.feature_layout == "tokens" else "[D, *spatial]"
    return f"; unpooled `{backbone.feature_layout}` {shape} with D={backbone.feature_dim}"


def _method_section(meta: BundleMetadata) -> str:
    backbone = meta.backbone
    return (
        f"Self-supervised method **{meta.method.name}** with hyperparameters "
        f"{_inline(meta.method.hparams)}.\n\n"
        f"Backbone `{backbone.name}` ({backbone.num_features} features{_unpooled(backbone)}) "
        f"from plugin "
        f"`{meta.plugin.name}` {meta.plugin.version}, config {_inline(backbone.config)}; "
        f"stem layer `{backbone.stem_name}`. Training config: {_inline(meta.training)}."
    )


def _limitations(meta: BundleMetadata) -> str:
    contract = meta.input
    return "\n".join(
        [
            "- Learned only from the data listed above; accuracy on other devices, placements, "
            "sites, populations or acquisition settings has not been measured.",
            f"- Inputs must match the contract: dims {contract.dims}, sampling "
            f"{contract.sampling or 'as recorded'}, units '{contract.units or 'as recorded'}'. "
            "The plugin's normalize step is applied to reader arrays; raw numpy arrays are "
            "assumed already normalised.",
            "- An array's embedding is the mean over its window tiles "
            "(`preprocessing.embedding`); arrays shorter than one window are zero-padded "
            "after standardisation. `model.features(array)` gives the unpooled features "
            "of the whole array for dense tasks.",
            "- Self-supervised features need a downstream head trained on labelled data; "
            "they are not predictions and were not validated for clinical or safety-critical use.",
        ]
    )


def lineage_section(meta: BundleMetadata) -> list[str]:
    """Parent version, data added and metric deltas of a continual release (none otherwise)."""
    lineage = meta.lineage
    if lineage is None:
        return []
    added = lineage.data_added
    parent = f"version **{lineage.parent}**" if lineage.parent else "no parent (from scratch)"
    hours = f", {added.hours:.3g} hours" if added.hours is not None else ""
    files = ", ".join(f"`{name}`" for name in added.files) or "none"
    more = added.files_total - len(added.files)
    if more > 0:
        files += f" and {more} more"
    lines = [
        "## Lineage",
        "",
        f"Continual release warm-started from {parent}.",
        "",
        f"Data added: {added.items} items{hours} from files {files}; "
        f"{added.replayed_items} earlier items replayed beside them.",
        "",
    ]
    if lineage.metrics:
        lines += ["| metric | value | change vs parent |", "|---|---|---|"]
        for name, value in lineage.metrics.items():
            delta = lineage.metric_deltas.get(name)
            lines.append(f"| {name} | {value:.4f} | {'' if delta is None else f'{delta:+.4f}'} |")
        lines.append("")
    return lines


def render_card(meta: BundleMetadata, reference: str) -> str:
    """The model card; ``reference`` is what ``load_pretrained`` is given in the snippet."""
    modality = meta.modality
    return "\n".join(
        [
            f"# {meta.name}",
            "",
            f"A `{meta.backbone.name}` backbone pretrained with {meta.method.name} on "
            f"{modality.name} data by sslsci {meta.sslsci_version} "
            f"(created {meta.created:%Y-%m-%d}).",
            "",
            "## Usage",
            "",
            usage_snippet(meta, reference),
            "",
            "## Intended use",
            "",
            f"Feature extraction for {modality.name} arrays "
            f"({modality.description or 'see the input contract below'}): frozen embeddings for "
            "linear probes, kNN or clustering, or a starting point for fine-tuning. Load with "
            "`adapt_in_channels=N` for a different channel count (the stem is re-initialised "
            "from the pretrained kernel); heads are dropped unless `drop_heads=False`.",
            "",
            "## Input",
            "",
            _input_section(meta),
            "",
            "## Data",
            "",
            _data_section(meta),
            "",
            *lineage_section(meta),
            "## Method",
            "",
            _method_section(meta),
            "",
            "## Results",
            "",
            results_table(meta.evaluation),
            "",
            "## Limitations",
            "",
            _limitations(meta),
            "",
        ]
    )
