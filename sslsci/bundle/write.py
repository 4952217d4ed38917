"""Write a bundle: backbone weights, optional heads, ``sslsci.json`` and the model card.

Before anything is written the backbone is rebuilt from the plugin with the config
as it will be read back (JSON round trip) and its parameter names and shapes are
compared with the trained one, so every bundle written here loads strictly.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from pydantic import ValidationError
from safetensors.torch import save_file
from torch import nn

import sslsci
from sslsci.bundle.atomic import replace_atomically, write_text_atomic
from sslsci.bundle.card import render_card
from sslsci.bundle.errors import BundleError
from sslsci.bundle.hashing import sha256_file
from sslsci.bundle.schema import (
    CARD_FILE,
    FORMAT_VERSION,
    HEADS_FILE,
    METADATA_FILE,
    WEIGHTS_FILE,
    BundleMetadata,
    describe_validation,
    metadata_json,
    read_metadata,
)
from sslsci.bundle.stem import CONV_TYPES, find_stem
from sslsci.nn.protocol import declaration_problem
from sslsci.plugins.contract import ModalitySpec, PluginError
from sslsci.plugins.discovery import get_plugin
from sslsci.plugins.kit import Plugin

PLACEHOLDER_SHA256 = "0" * 64


def _plugin(plugin_name: str) -> Plugin:
    try:
        return get_plugin(plugin_name)
    except PluginError as exc:
        raise BundleError(f"cannot write a bundle for plugin {plugin_name!r}: {exc}") from None


def json_roundtrip(value: Any, field: str) -> Any:
    """``value`` as it will read back from JSON, or an error naming the field."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise BundleError(
            f"{field} must hold only JSON values (numbers, strings, lists, dicts): {exc}"
        ) from None


def _shapes(model: nn.Module) -> dict[str, tuple[int, ...]]:
    return {name: tuple(tensor.shape) for name, tensor in model.state_dict().items()}


def _build(constructor: Any, config: dict[str, Any], backbone_name: str) -> nn.Module:
    """Build on the meta device (no memory, no init cost); fall back to CPU if unsupported."""
    try:
        with torch.device("meta"):
            return constructor(**copy.deepcopy(config))
    except Exception:  # some init code cannot run on meta tensors; the CPU build decides
        pass
    try:
        return constructor(**copy.deepcopy(config))
    except Exception as exc:
        raise BundleError(
            f"backbone {backbone_name!r} cannot be rebuilt from backbone_config {config}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def check_rebuilds(
    plugin: Plugin, backbone_name: str, config: dict[str, Any], backbone: nn.Module
) -> None:
    """Raise unless ``plugin.backbones[backbone_name](**config)`` matches ``backbone``."""
    constructors = plugin.backbones
    if backbone_name not in constructors:
        raise BundleError(
            f"backbone_name {backbone_name!r} is not one of plugin "
            f"{plugin.spec.name!r}'s backbones ({', '.join(constructors)}); the bundle could "
            "not be rebuilt. Pass the name the backbone was built with."
        )
    rebuilt = _shapes(_build(constructors[backbone_name], config, backbone_name))
    trained = _shapes(backbone)
    if rebuilt != trained:
        missing = sorted(set(trained) - set(rebuilt))[:5]
        extra = sorted(set(rebuilt) - set(trained))[:5]
        reshaped = sorted(k for k in set(trained) & set(rebuilt) if trained[k] != rebuilt[k])[:5]
        raise BundleError(
            f"backbone_config {config} does not rebuild the trained {backbone_name!r}: "
            f"tensors only in the trained model {missing}, only in the rebuilt one {extra}, "
            f"shapes differ for {reshaped}. Pass the exact config the backbone was built with."
        )


def stem_name_of(backbone: nn.Module) -> str:
    """The backbone's ``stem_name``, else its first convolution or linear layer."""
    declared = getattr(backbone, "stem_name", None)
    if declared:
        find_stem(backbone, declared)
        return str(declared)
    for name, module in backbone.named_modules():
        if name and isinstance(module, (*CONV_TYPES, nn.Linear)):
            return name
    raise BundleError(f"{type(backbone).__name__} has no stem_name and no conv/linear layer")


def modality_dict(spec: ModalitySpec) -> dict[str, Any]:
    """The plugin spec as JSON-ready data."""
    fields = dataclasses.asdict(spec)
    return {
        **fields,
        "dims": list(spec.dims),
        "window_dims": list(spec.window_dims),
        "channels": None if spec.channels is None else list(spec.channels),
        "sampling": {str(k): float(v) for k, v in dict(spec.sampling).items()},
        "sampling_units": {
            dim: unit for dim in spec.sampling if (unit := spec.sampling_unit(dim)) is not None
        },
    }


def input_dict(
    spec: ModalitySpec, preprocessing: Mapping[str, Any], given: Mapping[str, Any]
) -> dict[str, Any]:
    """The input contract: spec and window defaults, overridden by what the trainer gives."""
    contract = {
        "dims": list(spec.dims),
        "channels": None if spec.channels is None else list(spec.channels),
        "window": dict(preprocessing.get("window", {})),
        "sampling": {str(k): float(v) for k, v in dict(spec.sampling).items()},
        "units": spec.units,
        "dtype": "float32",
    }
    contract.update(json_roundtrip(dict(given), "input_contract"))
    return contract


def check_stem_channels(backbone: nn.Module, stem: str, channels: list[str] | None) -> None:
    """The stem convolution must take exactly the recorded channels."""
    module = find_stem(backbone, stem)
    takes = module.in_channels if isinstance(module, CONV_TYPES) else None
    if channels is not None and takes is not None and takes != len(channels):
        raise BundleError(
            f"input channels {channels} ({len(channels)}) disagree with the stem "
            f"{stem!r}, which takes {takes}; pass input_contract="
            "{'channels': [...]} naming the channels the backbone was trained on."
        )


def _cpu_tensors(tensors: Mapping[str, torch.Tensor], field: str) -> dict[str, torch.Tensor]:
    """Detached, contiguous CPU copies (safetensors refuses shared or strided storage)."""
    out = {}
    for name, tensor in tensors.items():
        if not isinstance(tensor, torch.Tensor):
            raise BundleError(f"{field}[{name!r}] is a {type(tensor).__name__}, not a tensor")
        out[str(name)] = tensor.detach().to("cpu").contiguous().clone()
    return out


def _save_tensors(path: Path, tensors: dict[str, torch.Tensor]) -> dict[str, Any]:
    replace_atomically(path, lambda tmp: save_file(tensors, tmp, metadata={"format": "pt"}))
    return {"path": path.name, "sha256": sha256_file(path), "size": path.stat().st_size}


def validate_metadata(document: dict[str, Any], where: str) -> BundleMetadata:
    """Validate a metadata document before writing it, with field-level messages."""
    try:
        return BundleMetadata.model_validate(document)
    except ValidationError as exc:
        problems = describe_validation(exc)
        raise BundleError(f"{where}: invalid bundle metadata:\n{problems}") from None


def write_bundle(
    out_dir: Path,
    *,
    backbone: nn.Module,
    name: str,
    plugin_name: str,
    backbone_name: str,
    backbone_config: dict,
    preprocessing: dict,
    input_contract: dict,
    method: dict,
    training: dict,
    data: dict,
    evaluation: dict | None = None,
    heads: dict[str, torch.Tensor] | None = None,
) -> Path:
    """Write a bundle folder; returns its path. See ``sslsci.bundle.schema`` for fields."""
    out_dir = Path(out_dir)
    plugin = _plugin(plugin_name)
    config = json_roundtrip(backbone_config, "backbone_config")
    check_rebuilds(plugin, backbone_name, config, backbone)
    problem = declaration_problem(backbone)
    if problem is not None:
        raise BundleError(f"{type(backbone).__name__} {problem}")
    stem = stem_name_of(backbone)
    head_tensors = _cpu_tensors(heads or {}, "heads")
    prep = json_roundtrip(preprocessing, "preprocessing")
    placeholder = {"path": WEIGHTS_FILE, "sha256": PLACEHOLDER_SHA256, "size": 0}
    document = {
        "format_version": FORMAT_VERSION,
        "name": name,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "sslsci_version": sslsci.__version__,
        "plugin": {"name": plugin_name, "version": str(plugin.version)},
        "modality": modality_dict(plugin.spec),
        "backbone": {
            "name": backbone_name,
            "config": config,
            "num_features": backbone.num_features,
            "feature_layout": backbone.feature_layout,
            "feature_dim": backbone.feature_dim,
            "stem_name": stem,
            "accepts": json_roundtrip(dict(getattr(backbone, "accepts", {}) or {}), "accepts"),
        },
        "layers": {"stem": stem, "heads": sorted(head_tensors)},
        "preprocessing": prep,
        "input": input_dict(plugin.spec, prep, input_contract),
        "method": json_roundtrip(method, "method"),
        "training": json_roundtrip(training, "training"),
        "data": json_roundtrip(data, "data"),
        "evaluation": json_roundtrip(evaluation or {}, "evaluation"),
        "files": {
            "weights": placeholder,
            "heads": dict(placeholder, path=HEADS_FILE) if head_tensors else None,
        },
    }
    draft = validate_metadata(document, str(out_dir))
    check_stem_channels(backbone, stem, draft.input.channels)
    out_dir.mkdir(parents=True, exist_ok=True)
    document["files"]["weights"] = _save_tensors(
        out_dir / WEIGHTS_FILE, _cpu_tensors(backbone.state_dict(), "backbone")
    )
    if head_tensors:
        document["files"]["heads"] = _save_tensors(out_dir / HEADS_FILE, head_tensors)
    else:
        (out_dir / HEADS_FILE).unlink(missing_ok=True)
    write_metadata_and_card(out_dir, validate_metadata(document, str(out_dir)))
    return out_dir


def write_metadata_and_card(folder: Path, meta: BundleMetadata) -> None:
    """Write ``sslsci.json`` and the card rendered from it."""
    write_text_atomic(folder / METADATA_FILE, metadata_json(meta))
    write_text_atomic(folder / CARD_FILE, render_card(meta, reference=str(folder)))


def deep_merge(base: dict[str, Any], update: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``update`` merged in, nested dicts merged key by key."""
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def update_bundle_evaluation(path: Path, results: dict) -> None:
    """Merge evaluation ``results`` into ``sslsci.json`` and re-render the card."""
    folder = Path(path)
    if not (folder / METADATA_FILE).is_file():
        raise BundleError(
            f"{folder} has no {METADATA_FILE}; evaluation results go into a bundle written "
            "by write_bundle (re-export a Hugging Face folder after updating the bundle)."
        )
    meta = read_metadata(folder)
    document = meta.model_dump(mode="json")
    document["evaluation"] = deep_merge(document["evaluation"], json_roundtrip(results, "results"))
    write_metadata_and_card(folder, validate_metadata(document, str(folder)))
