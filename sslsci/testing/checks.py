"""The checks of the conformance suite, one function per promise a plugin makes.

Each takes the plugin and a scratch folder, raises ``AssertionError`` (or ``Skip``)
and returns a short detail line for the table ``sslsci plugin check`` prints.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
import xarray as xr

from sslsci.ingest.checks import generic_problems, to_spec_order
from sslsci.nn.protocol import declaration_problem, features_problem, head_problem
from sslsci.nn.tokens import missing_token_members
from sslsci.plugins.discovery import available_plugins
from sslsci.plugins.kit import Plugin, Sample
from sslsci.plugins.options import OptionsError
from sslsci.plugins.reader_choice import pick_reader
from sslsci.views.kinds import VIEW_KINDS

if TYPE_CHECKING:
    from sslsci.bundle.model import PretrainedModel

TASK_KINDS = ("classification", "multilabel")
BATCH = 4
TRAIN_STEPS = 3


class Skip(Exception):  # noqa: N818  (a signal: the check does not apply)
    """The check does not apply to this plugin; the message says why."""


def fail(plugin: Plugin, message: str) -> AssertionError:
    return AssertionError(f"{plugin.name}: {message}")


# spec, options, tasks ----------------------------------------------------------------------
def check_spec(plugin: Plugin, folder: Path) -> str:
    """Dims named, channel dim first and not windowed, window dims among the dims."""
    spec = plugin.spec
    if not spec.dims or len(set(spec.dims)) != len(spec.dims):
        raise fail(plugin, f"dims {spec.dims} must be non-empty and unique")
    if not spec.window_dims or not set(spec.window_dims) <= set(spec.dims):
        raise fail(plugin, f"window_dims {spec.window_dims} must be some of the dims {spec.dims}")
    if spec.dims[0] in spec.window_dims:
        raise fail(plugin, f"the first dim {spec.dims[0]!r} is the channel dim; never window it")
    for label, keys in (("sampling", spec.sampling), ("min_sizes", spec.min_sizes)):
        if not set(keys) <= set(spec.dims):
            raise fail(plugin, f"{label} names dims {sorted(keys)} outside {spec.dims}")
    if not isinstance(plugin.version, str) or not plugin.version:
        raise fail(plugin, "version must be a non-empty string")
    return f"dims ({', '.join(spec.dims)}), windows along {', '.join(spec.window_dims)}"


def check_options(plugin: Plugin, folder: Path) -> str:
    """Defaults are valid, and a misspelt key is refused naming the accepted ones."""
    plugin.parse_options({})
    plugin.parse_view_options({})
    for parse in (plugin.parse_options, plugin.parse_view_options):
        try:
            parse({"no_such_option_xyz": 1})
        except OptionsError as exc:
            if "accepted keys" not in str(exc):
                raise fail(plugin, f"refused without the accepted keys: {exc}") from None
        else:
            raise fail(plugin, "an unknown option key was accepted; derive models from Options")
    catalog = list(plugin.options_model.model_fields)
    views = list(plugin.view_options_model.model_fields)
    return f"{len(catalog)} catalog options, {len(views)} view options"


def check_tasks(plugin: Plugin, folder: Path) -> str:
    """Every task names a kind the core evaluates; plugin-window tasks have task_windows."""
    for task in plugin.tasks.values():
        if task.kind not in TASK_KINDS:
            raise fail(plugin, f"task {task.name!r} has kind {task.kind!r}; kinds: {TASK_KINDS}")
        if task.plugin_windows and plugin.task_windows is None:
            raise fail(plugin, f"task {task.name!r} cuts plugin windows but no task_windows given")
    return ", ".join(plugin.tasks) or "no tasks"


# readers, samples, example ---------------------------------------------------------------------
def _samples(plugin: Plugin, folder: Path) -> list[Sample]:
    return plugin.samples(folder / f"samples-{plugin.name}")


def _records(plugin: Plugin, sample: Sample) -> list[xr.DataArray]:
    reader = pick_reader(plugin, str(sample.path), None)
    if reader.name != sample.reader:
        raise fail(
            plugin,
            f"sniff picked reader {reader.name!r} for {sample.path.name}, "
            f"which is a {sample.reader!r} sample",
        )
    options = plugin.option_values(sample.options)
    arrays = [record.array for record in reader.read(str(sample.path), **options)]
    if not arrays:
        raise fail(plugin, f"reader {reader.name!r} found no records in {sample.path.name}")
    return arrays


def _problems(plugin: Plugin, array: xr.DataArray, options) -> list[str]:
    return generic_problems(array, plugin.spec) + plugin.validate(array, **options)


def check_samples_read(plugin: Plugin, folder: Path) -> str:
    """Each reader reads its sample (picked by sniff) into valid records in the spec's dims."""
    samples = _samples(plugin, folder)
    covered = {s.reader for s in samples}
    exempt = {r.name: r.sample_exempt for r in plugin.readers if getattr(r, "sample_exempt", "")}
    uncovered = [r.name for r in plugin.readers if r.name not in covered | set(exempt)]
    if not samples:
        raise fail(plugin, "declares no samples; give Plugin(samples=...) one file per reader")
    if uncovered:
        raise fail(plugin, f"readers without a sample: {uncovered}")
    for sample in samples:
        for array in _records(plugin, sample):
            problems = _problems(plugin, array, sample.options)
            if problems:
                raise fail(plugin, f"{sample.path.name} reads as invalid: {problems}")
            normalized = to_spec_order(plugin.normalize(array, **sample.options), plugin.spec)
            if tuple(normalized.dims) != tuple(plugin.spec.dims):
                raise fail(plugin, f"{sample.path.name} normalises to dims {normalized.dims}")
    note = "; ".join(f"{name} exempt: {why}" for name, why in exempt.items())
    return f"{len(samples)} samples read by {len(covered)} readers" + (f"; {note}" if note else "")


def check_sniff_exclusive(plugin: Plugin, folder: Path) -> str:
    """No reader of this plugin claims a sample of another installed plugin."""
    others = {n: p for n, p in available_plugins().items() if n != plugin.name}
    claimed = []
    count = 0
    for name, other in others.items():
        for sample in other.samples(folder / f"samples-{name}"):
            count += 1
            head = _head(sample.path)
            for reader in plugin.readers:
                if reader.sniff(str(sample.path), head):
                    claimed.append(f"{reader.name} claims {name}'s {sample.path.name}")
    if claimed:
        raise fail(plugin, "; ".join(claimed))
    if not count:
        raise Skip("no other installed plugin declares samples")
    return f"none of {count} samples of {len(others)} other plugins claimed"


def _head(path: Path) -> bytes:
    if path.is_dir():
        return b""
    with open(path, "rb") as handle:
        return handle.read(4096)


def normalized_example(plugin: Plugin, seed: int = 0) -> xr.DataArray:
    """The example, validated and normalised the way ingest does it."""
    example = plugin.example(seed)
    problems = _problems(plugin, example, {})
    if problems:
        raise fail(plugin, f"example({seed}) is invalid: {problems}")
    array = to_spec_order(plugin.normalize(example), plugin.spec)
    if tuple(array.dims) != tuple(plugin.spec.dims):
        raise fail(plugin, f"normalize gave dims {array.dims}, the spec says {plugin.spec.dims}")
    return array


def check_example(plugin: Plugin, folder: Path) -> str:
    """example(seed) is valid, repeats for a seed, and normalises to the spec's dims."""
    first, again = plugin.example(0), plugin.example(0)
    if not np.array_equal(np.asarray(first.values), np.asarray(again.values)):
        raise fail(plugin, "example(0) differs between calls; draw from the seed only")
    array = normalized_example(plugin)
    return "x".join(str(n) for n in array.shape)


def _same(a: xr.DataArray, b: xr.DataArray) -> bool:
    if tuple(a.dims) != tuple(b.dims) or a.shape != b.shape:
        return False
    return bool(np.allclose(np.asarray(a.values), np.asarray(b.values), rtol=1e-5, atol=1e-6))


def check_idempotent(plugin: Plugin, folder: Path) -> str:
    """normalize(normalize(x)) == normalize(x); a normalised array is valid and stays so."""
    arrays = [(plugin.example(0), {})]
    arrays += [(a, s.options) for s in _samples(plugin, folder) for a in _records(plugin, s)]
    for array, options in arrays:
        once = plugin.normalize(array, **options)
        twice = plugin.normalize(once, **options)
        if not _same(once, twice):
            where = array.attrs.get("source", "an array")
            raise fail(plugin, f"normalize(normalize(x)) != normalize(x) for {where}")
        for problems in (plugin.validate(once, **options), plugin.validate(once, **options)):
            if problems:
                raise fail(plugin, f"a normalised array fails validate: {problems}")
    return f"{len(arrays)} arrays"


# views, backbones ---------------------------------------------------------------------------------
def example_window_sizes(plugin: Plugin) -> dict[str, int]:
    """The plugin's ``example_window``, else 160 samples (1-D) or 32 per dim (N-D)."""
    if plugin.example_window:
        return dict(plugin.example_window)
    size = 160 if len(plugin.spec.window_dims) == 1 else 32
    return {dim: size for dim in plugin.spec.window_dims}


def standardized_windows(plugin: Plugin, count: int, seed: int = 0) -> torch.Tensor:
    """``count`` random windows [N, C, ...] of the normalised example, standardised."""
    array = normalized_example(plugin)
    values = np.asarray(array.values, dtype=np.float32)
    flat = values.reshape(values.shape[0], -1)
    mean, std = flat.mean(axis=1), np.maximum(flat.std(axis=1), 1e-6)
    shape = (-1,) + (1,) * (values.ndim - 1)
    values = (values - mean.reshape(shape)) / std.reshape(shape)
    sizes = example_window_sizes(plugin)
    target = [sizes.get(dim, n) for dim, n in zip(array.dims, values.shape, strict=True)]
    rng = np.random.default_rng(seed)
    windows = []
    for _ in range(count):
        window = np.zeros(target, dtype=np.float32)
        starts = [
            int(rng.integers(0, max(1, n - t + 1)))
            for n, t in zip(values.shape, target, strict=True)
        ]
        cut = values[tuple(slice(s, s + t) for s, t in zip(starts, target, strict=True))]
        window[tuple(slice(0, n) for n in cut.shape)] = cut
        windows.append(window)
    return torch.from_numpy(np.stack(windows))


def draw_views(plugin: Plugin, kind: str, windows: torch.Tensor, seed: int) -> list[torch.Tensor]:
    """The views of ``kind`` for each window, batched per view; one generator for all."""
    g = torch.Generator().manual_seed(seed)
    recipe = plugin.views(kind, **plugin.example_view_options)
    per_view: list[list[torch.Tensor]] = [[] for _ in recipe]
    for window in windows:
        for k, transforms in enumerate(recipe):
            x = window.clone()
            for transform in transforms:
                x = transform(x, g)
            per_view[k].append(x.contiguous())
    return [torch.stack(views) for views in per_view]


def supported_kinds(plugin: Plugin) -> list[str]:
    return [name for name in VIEW_KINDS if plugin.supports(name)]


def check_views(plugin: Plugin, folder: Path) -> str:
    """For every view kind supplied: seeded, finite, same ndim, one shape across draws."""
    kinds = supported_kinds(plugin)
    if not kinds:
        raise fail(plugin, f"supplies no view kind; kinds: {', '.join(VIEW_KINDS)}")
    windows = standardized_windows(plugin, 2)
    for kind in kinds:
        first, again, other = (draw_views(plugin, kind, windows, s) for s in (7, 7, 8))
        for a, b, c in zip(first, again, other, strict=True):
            if not torch.equal(a, b):
                raise fail(plugin, f"views({kind!r}) differ for one seed")
            if not torch.isfinite(a).all():
                raise fail(plugin, f"views({kind!r}) gave non-finite values")
            if a.ndim != windows.ndim or a.shape != c.shape:
                raise fail(
                    plugin,
                    f"views({kind!r}) change shape between draws: "
                    f"{tuple(a.shape)} vs {tuple(c.shape)}",
                )
    return ", ".join(kinds)


def build(plugin: Plugin, name: str, in_channels: int) -> torch.nn.Module:
    """The backbone at the plugin's ``example_backbones`` config, for the example's channels."""
    backbone = plugin.backbones[name]
    config = dict(plugin.example_backbones.get(name, {}))
    if backbone.accepts("in_channels"):
        config["in_channels"] = in_channels
    return backbone(**config)


def check_backbones(plugin: Plugin, folder: Path) -> str:
    """Config checkable, the backbone protocol, and the token interface where claimed."""
    if not plugin.backbones:
        raise fail(plugin, "offers no backbones")
    batch = standardized_windows(plugin, 2)
    tokens, layouts = [], []
    for name, backbone in plugin.backbones.items():
        if backbone.parameters() is None:
            raise fail(
                plugin,
                f"backbone {name!r} takes **kwargs, so a misspelt config key "
                "cannot be caught; give its constructor named parameters",
            )
        model = build(plugin, name, batch.shape[1]).eval()
        _check_protocol(plugin, name, model, batch)
        dict(model.named_modules())[model.stem_name]
        layouts.append(f"{name} ({model.feature_layout})")
        if hasattr(model, "embed_tokens"):
            _check_tokens(plugin, name, model, batch)
            tokens.append(name)
    return f"{', '.join(layouts)}; token interface: {', '.join(tokens) or 'none'}"


def _check_protocol(plugin: Plugin, name: str, model: torch.nn.Module, batch: torch.Tensor) -> None:
    """``sslsci.nn.protocol``: declared layout and widths, unpooled ``forward_features``,
    ``forward_head`` pooling to ``[B, num_features]``, ``forward`` the two together."""
    problem = declaration_problem(model)
    if problem is None:
        with torch.no_grad():
            features = model.forward_features(batch)
            problem = features_problem(model, batch.shape[0], features)
            if problem is None:
                problem = head_problem(
                    model, batch.shape[0], model.forward_head(features), model(batch)
                )
    if problem is not None:
        raise fail(
            plugin,
            f"backbone {name!r} breaks the backbone protocol (sslsci.nn.protocol): {problem}",
        )


def _check_tokens(plugin: Plugin, name: str, model, batch: torch.Tensor) -> None:
    missing = missing_token_members(model)
    if missing:
        raise fail(plugin, f"backbone {name!r} has embed_tokens but lacks {missing}")
    with torch.no_grad():
        embedded = model.embed_tokens(batch)
        encoded = model.encode_tokens(embedded)
        patches = model.patchify(batch)
    grid = model.grid_shape(batch.shape[2:])
    if embedded.shape[1] != math.prod(grid) or patches.shape[1] != embedded.shape[1]:
        raise fail(
            plugin,
            f"backbone {name!r}: {embedded.shape[1]} tokens, grid {grid}, "
            f"{patches.shape[1]} patches",
        )
    if encoded.shape[:2] != embedded.shape[:2] or patches.shape[2] != model.patch_dim:
        raise fail(plugin, f"backbone {name!r}: token shapes disagree")


# methods, export ---------------------------------------------------------------------------
def compatible_backbone(plugin: Plugin, method) -> tuple[str, torch.nn.Module] | None:
    """The first plugin backbone the method can train, built for the example's channels."""
    channels = int(normalized_example(plugin).shape[0])
    for name in plugin.backbones:
        model = build(plugin, name, channels)
        if method.backbone_problem(model) is None:
            return name, model
    return None


def train_steps(plugin: Plugin, method_name: str, backbone: torch.nn.Module) -> list[float]:
    """``TRAIN_STEPS`` optimiser steps of the method on views of the example."""
    from sslsci.methods import METHODS, build_method

    torch.manual_seed(0)
    method = build_method(method_name, backbone, **METHODS[method_name].check_hparams)
    groups = method.parameter_groups(weight_decay=0.01)
    optimizer = torch.optim.AdamW(groups, lr=1e-3)
    kind = type(method).view_kind.name
    losses = []
    method.train()
    for step in range(TRAIN_STEPS):
        views = draw_views(plugin, kind, standardized_windows(plugin, BATCH, seed=step), step)
        output = method(views)
        optimizer.zero_grad()
        output.loss.backward()
        optimizer.step()
        method.momentum_update(step, TRAIN_STEPS)
        losses.append(float(output.loss.detach()))
    return losses


def check_methods_train(plugin: Plugin, folder: Path) -> str:
    """Every core method whose views the plugin supplies trains 3 steps on the example."""
    from sslsci.methods import METHODS

    trained, skipped = [], []
    for name, method in METHODS.items():
        if not plugin.supports(method.view_kind):
            skipped.append(f"{name} (no {method.view_kind.name} views)")
            continue
        found = compatible_backbone(plugin, method)
        if found is None:
            skipped.append(f"{name} (no backbone fits)")
            continue
        backbone_name, backbone = found
        before = [p.detach().clone() for p in backbone.parameters()]
        losses = train_steps(plugin, name, backbone)
        if not all(math.isfinite(v) for v in losses):
            raise fail(plugin, f"{name} on {backbone_name}: non-finite losses {losses}")
        if all(torch.equal(a, b) for a, b in zip(before, backbone.parameters(), strict=True)):
            raise fail(plugin, f"{name} on {backbone_name}: {TRAIN_STEPS} steps changed nothing")
        trained.append(f"{name}/{backbone_name}")
    if not trained:
        raise fail(plugin, f"no core method trains: {skipped}")
    return "trained " + ", ".join(trained) + ("; skipped " + ", ".join(skipped) if skipped else "")


def check_export_reload(plugin: Plugin, folder: Path) -> str:
    """A bundle written from a backbone reloads to the same embeddings, exactly."""
    from sslsci.bundle import load_bundle, write_bundle

    array = normalized_example(plugin)
    windows = standardized_windows(plugin, 2)
    name = next(iter(plugin.backbones))
    torch.manual_seed(0)
    backbone = build(plugin, name, windows.shape[1]).eval()
    config = dict(getattr(backbone, "config", {}) or {})
    values = np.asarray(array.values, dtype=np.float64).reshape(array.shape[0], -1)
    channel = plugin.spec.dims[0]
    channels = [str(c) for c in array.coords[channel].values] if channel in array.coords else None
    folder = write_bundle(
        folder / "bundle",
        backbone=backbone,
        name=f"{plugin.name}-conformance",
        plugin_name=plugin.name,
        backbone_name=name,
        backbone_config=config,
        preprocessing={
            "normalize": {},
            "standardize": {
                "mean": values.mean(1).tolist(),
                "std": np.maximum(values.std(1), 1e-6).tolist(),
            },
            "window": example_window_sizes(plugin),
        },
        input_contract={"channels": channels} if channels else {},
        method={"name": "none", "hparams": {}},
        training={"steps": 0},
        data={"manifest_sha256": "", "rows": 0, "note": "conformance check: random weights"},
    )
    loaded = load_bundle(folder)
    with torch.no_grad():
        expected = backbone.forward_features(windows)
        got = loaded.backbone.forward_features(windows)
    if not torch.equal(expected, got):
        raise fail(
            plugin,
            f"reloaded {name!r} embeds differently (max diff "
            f"{float((expected - got).abs().max()):.3g})",
        )
    embedding = loaded(array)
    if embedding.shape != (backbone.num_features,) or not np.isfinite(embedding).all():
        raise fail(plugin, f"model(example) gave shape {embedding.shape}")
    dense = _check_dense(plugin, loaded, windows, values)
    return (
        f"{name}: identical features; model(example) -> {embedding.shape[0]} features; "
        f"model.features(window) -> {loaded.feature_layout} {dense}"
    )


def _check_dense(
    plugin: Plugin, loaded: PretrainedModel, windows: torch.Tensor, values: np.ndarray
) -> tuple[int, ...]:
    """``model.features`` of raw windows has the declared layout, and ``forward_head`` of
    it is ``model(window)`` (one window is one tile)."""
    shape = (-1,) + (1,) * (windows.ndim - 2)
    mean = values.mean(1).reshape(shape)
    std = np.maximum(values.std(1), 1e-6).reshape(shape)
    raw = windows.double().numpy() * std + mean
    dense = torch.from_numpy(loaded.features(raw))
    problem = features_problem(loaded.backbone, len(raw), dense)
    if problem is not None:
        raise fail(plugin, f"model.features: {problem}")
    with torch.no_grad():
        pooled = loaded.backbone.forward_head(dense).numpy()
    if not np.allclose(pooled, loaded(raw), atol=1e-4, rtol=1e-4):
        raise fail(plugin, "forward_head(model.features(window)) differs from model(window)")
    return tuple(dense.shape[1:])


__all__ = [
    "Skip",
    "check_backbones",
    "check_example",
    "check_export_reload",
    "check_idempotent",
    "check_methods_train",
    "check_options",
    "check_samples_read",
    "check_sniff_exclusive",
    "check_spec",
    "check_tasks",
    "check_views",
]
