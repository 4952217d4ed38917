"""Checkpoint -> bundle: backbone weights, heads, and everything needed to use them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from sslsci.plugins.discovery import get_plugin
from sslsci.train.pipeline import Pipeline
from sslsci.train.pretrain import CHECKPOINT_KEY, build_backbone, read_checkpoint_file

BACKBONE_PREFIX = "method.backbone."


def read_checkpoint(path: str | Path) -> dict[str, Any]:
    """Load a Lightning checkpoint of ours with tensors and plain data only (no pickled code)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"checkpoint {path} not found")
    checkpoint = read_checkpoint_file(
        path, "export", "Export a checkpoint `sslsci pretrain` wrote."
    )
    if CHECKPOINT_KEY not in checkpoint:
        raise ValueError(
            f"{path} is not an sslsci checkpoint (no {CHECKPOINT_KEY!r} record); "
            "export checkpoints written by `sslsci pretrain`"
        )
    return checkpoint


def split_state(state: dict[str, torch.Tensor]) -> tuple[dict, dict]:
    """Backbone tensors (prefix stripped) and every other method tensor (the heads)."""
    backbone = {
        k[len(BACKBONE_PREFIX) :]: v for k, v in state.items() if k.startswith(BACKBONE_PREFIX)
    }
    heads = {
        k.removeprefix("method."): v for k, v in state.items() if not k.startswith(BACKBONE_PREFIX)
    }
    return backbone, heads


def export_checkpoint(checkpoint_path: str | Path, out_dir: str | Path | None = None) -> Path:
    """Write a bundle for a checkpoint (default: ``<run>/bundle``) and return its folder."""
    from sslsci.bundle import write_bundle

    checkpoint = read_checkpoint(checkpoint_path)
    context = checkpoint[CHECKPOINT_KEY]
    pipeline = Pipeline.model_validate(context["pipeline"])
    plugin = get_plugin(pipeline.plugin)
    backbone, config = build_backbone(
        plugin, pipeline.backbone.name, context["backbone_config"], len(context["channel_names"])
    )
    weights, heads = split_state(checkpoint["state_dict"])
    backbone.load_state_dict(weights, strict=True)
    target = Path(out_dir) if out_dir else Path(checkpoint_path).resolve().parents[1] / "bundle"
    spec = plugin.spec
    sampling = {**spec.sampling, **context.get("sampling", {})}  # as stored, when recorded
    if "sampling" not in context and "target_rate" in context["normalize"]:
        sampling[spec.window_dims[0]] = float(context["normalize"]["target_rate"])
    return write_bundle(
        target,
        backbone=backbone,
        name=pipeline.name,
        plugin_name=pipeline.plugin,
        backbone_name=pipeline.backbone.name,
        backbone_config=config,
        preprocessing={
            "normalize": context["normalize"],
            "standardize": context["standardize"],
            "window": dict(pipeline.data.window),
        },
        input_contract={
            "dims": list(spec.dims),
            "channels": context["channel_names"],
            "window": dict(pipeline.data.window),
            "sampling": sampling,
            "units": spec.units,
            "dtype": "float32",
        },
        method={"name": pipeline.method.name, "hparams": pipeline.method.hparams()},
        training={
            "steps": int(checkpoint.get("global_step", 0)),
            "optimizer": pipeline.optimizer.model_dump(),
            "trainer": pipeline.trainer.model_dump(),
            "data": pipeline.data.model_dump(),
            "views": pipeline.views,
            "seed": pipeline.seed,
            # the tasks `sslsci evaluate BUNDLE --suite` runs
            "evaluate": [task.model_dump(mode="json") for task in pipeline.evaluate],
        },
        data=context["data"],
        heads=heads or None,
    )
