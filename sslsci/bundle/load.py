"""Load a bundle folder into a ``PretrainedModel``: verified, rebuilt, strict, eval mode.

Weights are read with ``safetensors.torch.load_file`` only; nothing here unpickles.
Every weights file is checked against the sha256 recorded in the metadata first.
The backbone is first rebuilt on the meta device (shapes, no memory) and its
tensor names and shapes compared with the safetensors header, so metadata
asking for a huge backbone is refused before anything that size is allocated.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file
from torch import nn
from torch.nn.modules.module import (
    register_module_buffer_registration_hook,
    register_module_parameter_registration_hook,
)

from sslsci.bundle.errors import BundleError, UnsafeFileError
from sslsci.bundle.filetypes import is_pickle_name, pickle_refusal
from sslsci.bundle.hashing import sha256_file
from sslsci.bundle.model import PretrainedModel
from sslsci.bundle.schema import BundleMetadata, FileInfo, metadata_path, read_metadata
from sslsci.bundle.stem import adapt_stem, find_stem
from sslsci.nn.protocol import declaration_problem
from sslsci.plugins.contract import PluginError
from sslsci.plugins.discovery import get_plugin
from sslsci.plugins.kit import Plugin


class PluginVersionWarning(UserWarning):
    """The installed plugin's version differs from the one that wrote the bundle."""


def verified_file(folder: Path, info: FileInfo) -> Path:
    """The weights file ``info`` names, after its size and sha256 have been checked."""
    path = folder / info.path
    if not path.is_file():
        pickles = sorted(p.name for p in folder.iterdir() if is_pickle_name(p.name))
        if pickles:
            raise UnsafeFileError(pickle_refusal(pickles[0], str(folder)))
        raise BundleError(
            f"{path} is missing; {metadata_path(folder).name} lists it. Copy or download the "
            "whole bundle folder again."
        )
    size = path.stat().st_size
    if size != info.size:
        raise BundleError(
            f"{path} is {size} bytes but the metadata records {info.size}; the file is "
            "truncated or was replaced. Download or export the bundle again."
        )
    digest = sha256_file(path)
    if digest != info.sha256:
        raise BundleError(
            f"{path} has sha256 {digest} but the metadata records {info.sha256}; the file is "
            "corrupt or was changed. Download or export the bundle again."
        )
    return path


def read_tensors(path: Path) -> dict[str, torch.Tensor]:
    """Tensors of a safetensors file (no pickle), with a clear error for a broken file."""
    try:
        return load_file(path, device="cpu")
    except (SafetensorError, OSError, ValueError) as exc:
        raise BundleError(f"{path} is not a readable safetensors file: {exc}") from None


def header_shapes(path: Path) -> dict[str, tuple[int, ...]]:
    """Tensor names and shapes from a safetensors header, without reading any tensor."""
    try:
        with safe_open(path, framework="pt") as handle:
            names = handle.keys()  # a safe_open handle is not iterable
            return {key: tuple(handle.get_slice(key).get_shape()) for key in names}
    except (SafetensorError, OSError, ValueError) as exc:
        raise BundleError(f"{path} is not a readable safetensors file: {exc}") from None


@contextmanager
def tensors_on_meta() -> Iterator[None]:
    """Move parameters and buffers to the meta device as modules register them.

    Not ``with torch.device("meta")``: some constructors (torchaudio filterbanks,
    MONAI drop-path rates) compute small values with ``.item()``, which meta
    tensors cannot give. A parameter made with ``torch.empty`` is moved before
    anything touches its memory, so a huge one costs no resident memory.
    """

    def parameter(module: nn.Module, name: str, value: nn.Parameter | None):
        if value is None or value.is_meta:
            return None
        return nn.Parameter(value.to("meta"), requires_grad=value.requires_grad)

    def buffer(module: nn.Module, name: str, value: torch.Tensor | None):
        return None if value is None or value.is_meta else value.to("meta")

    handles = [
        register_module_parameter_registration_hook(parameter),
        register_module_buffer_registration_hook(buffer),
    ]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def _mismatches(
    expected: dict[str, tuple[int, ...]], found: dict[str, tuple[int, ...]]
) -> list[str]:
    problems = [f"{key} is missing from the weights" for key in sorted(expected.keys() - found)]
    problems += [f"{key} is not in the backbone" for key in sorted(found.keys() - expected)]
    problems += [
        f"{key} has shape {list(found[key])} in the weights but {list(expected[key])} in the "
        "backbone"
        for key in sorted(expected.keys() & found.keys())
        if expected[key] != found[key]
    ]
    return problems


def check_fits(skeleton: nn.Module, weights: Path, meta: BundleMetadata, source: Path) -> None:
    """The weights header must name exactly the skeleton's tensors, with the same shapes."""
    expected = {key: tuple(value.shape) for key, value in skeleton.state_dict().items()}
    problems = _mismatches(expected, header_shapes(weights))
    if problems:
        shown = "; ".join(problems[:5]) + ("; ..." if len(problems) > 5 else "")
        raise BundleError(
            f"{source}: {weights.name} does not fit backbone {meta.backbone.name!r} built from "
            f"the recorded config {meta.backbone.config} ({len(problems)} problems: {shown}). "
            "Nothing was allocated; the metadata was edited, or the installed plugin differs "
            f"from {meta.plugin.name} {meta.plugin.version} that wrote the bundle."
        )


def bundle_plugin(meta: BundleMetadata, source: Path) -> Plugin:
    """The installed plugin the bundle was written with (warns on a version change)."""
    try:
        plugin = get_plugin(meta.plugin.name)
    except PluginError as exc:
        raise BundleError(f"{source} needs plugin {meta.plugin.name!r}: {exc}") from None
    if str(plugin.version) != meta.plugin.version:
        warnings.warn(
            f"{source} was written with plugin {meta.plugin.name} {meta.plugin.version}; "
            f"{plugin.version} is installed, and its normalize step may differ",
            PluginVersionWarning,
            stacklevel=3,
        )
    return plugin


def rebuild_backbone(meta: BundleMetadata, plugin: Plugin, source: Path) -> nn.Module:
    """``plugin.backbones[name](**config)``, with errors naming the bundle."""
    constructors = plugin.backbones
    name = meta.backbone.name
    if name not in constructors:
        raise BundleError(
            f"{source}: plugin {meta.plugin.name!r} has no backbone {name!r} (it has "
            f"{', '.join(constructors)}); install the plugin version {meta.plugin.version}."
        )
    try:
        return constructors[name](**copy.deepcopy(meta.backbone.config))
    except Exception as exc:
        raise BundleError(
            f"{source}: backbone {name!r} cannot be built from its recorded config "
            f"{meta.backbone.config}: {type(exc).__name__}: {exc}"
        ) from exc


def load_strict(backbone: nn.Module, tensors: dict[str, torch.Tensor], source: Path) -> None:
    """Load every tensor, refusing missing, unexpected or reshaped ones."""
    try:
        backbone.load_state_dict(tensors, strict=True)
    except RuntimeError as exc:
        raise BundleError(
            f"{source}: the weights do not fit the rebuilt backbone (installed code differs "
            f"from the code that wrote them): {exc}"
        ) from None


def check_agrees(backbone: nn.Module, meta: BundleMetadata, source: Path) -> None:
    """The rebuilt backbone must keep the backbone protocol with the recorded shapes
    (feature layout and width only where recorded: older bundles lack them) and stem."""
    problem = declaration_problem(backbone)
    if problem is not None:
        raise BundleError(
            f"{source}: the rebuilt backbone {type(backbone).__name__} {problem}; update "
            f"the {meta.plugin.name} plugin"
        )
    for field in ("num_features", "feature_layout", "feature_dim"):
        recorded, found = getattr(meta.backbone, field), getattr(backbone, field)
        if recorded is not None and found != recorded:
            raise BundleError(
                f"{source}: the rebuilt backbone has {field}={found!r}, the metadata "
                f"records {recorded!r} (installed code differs from the code that wrote it)"
            )
    find_stem(backbone, meta.layers.stem)


def load_bundle(
    path: Path | str,
    *,
    adapt_in_channels: int | None = None,
    drop_heads: bool = True,
    device: str | torch.device = "cpu",
) -> PretrainedModel:
    """Rebuild a bundle's backbone in eval mode with its preprocessing.

    ``adapt_in_channels`` rebuilds the stem for another channel count from the
    pretrained kernel; heads are read only with ``drop_heads=False``.
    """
    folder = Path(path)
    if not folder.is_dir():
        raise BundleError(f"{folder} is not a folder; give the bundle folder (with sslsci.json)")
    meta = read_metadata(folder)
    weights = verified_file(folder, meta.files.weights)
    plugin = bundle_plugin(meta, folder)
    with tensors_on_meta():
        skeleton = rebuild_backbone(meta, plugin, folder)
    check_fits(skeleton, weights, meta, folder)
    check_agrees(skeleton, meta, folder)
    backbone = rebuild_backbone(meta, plugin, folder)
    load_strict(backbone, read_tensors(weights), folder)
    if adapt_in_channels is not None:
        adapt_stem(backbone, meta.layers.stem, adapt_in_channels)
    heads = None
    if not drop_heads and meta.files.heads is not None:
        heads = read_tensors(verified_file(folder, meta.files.heads))
    backbone.to(device).eval()
    return PretrainedModel(backbone, meta, plugin, heads=heads, source=folder)
