"""`sslsci pretrain`: stored windows -> Lightning training -> checkpoints -> bundle."""

from __future__ import annotations

import hashlib
import pickle
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback, ModelCheckpoint
from lightning.pytorch.loggers import CSVLogger, TensorBoardLogger
from torch import nn
from torch.utils.data import DataLoader

from sslsci.catalog import Catalog, load_catalog
from sslsci.data import LabelledWindows, RandomWindows, Standardizer, worker_context
from sslsci.data.window_size import stored_sampling
from sslsci.plugins.contract import ModalitySpec
from sslsci.plugins.discovery import get_plugin
from sslsci.plugins.kit import Plugin
from sslsci.store import ItemRow, Workspace
from sslsci.train.acceleration import pin_memory, prepare_backbone, resolve_precision
from sslsci.train.check import built_or_refused, check_pipeline
from sslsci.train.errors import CheckpointError, TrainingDataError
from sslsci.train.launch import launched_topology
from sslsci.train.module import SSLModule
from sslsci.train.pipeline import Pipeline
from sslsci.train.progress import StepProgress
from sslsci.train.run_folder import refuse_overwrite, resume_checkpoint
from sslsci.train.window import resolve_window

CHECKPOINT_KEY = "sslsci"


@dataclass
class TrainingData:
    """What pretraining reads, and what a bundle must record about it."""

    catalog: Catalog
    workspace: Workspace
    items: list[ItemRow]
    standardizer: Standardizer
    channel_names: list[str]
    manifest_sha256: str
    rows: int

    @property
    def in_channels(self) -> int:
        return int(self.items[0].shape[0])


@dataclass(frozen=True)
class WarmStart:
    """A continual round: train on ``items`` (new + replayed) starting from ``bundle``'s
    weights and statistics, into ``run_dir``; ``seen_sha256`` is what the lineage trained on."""

    items: list[ItemRow]
    run_dir: Path
    bundle: Path | None = None
    seen_sha256: tuple[str, ...] = ()


def load_training_data(
    pipeline: Pipeline,
    catalog_path: str | Path | None = None,
    workdir: str | Path | None = None,
    warm: WarmStart | None = None,
) -> TrainingData:
    """The stored items a pipeline pretrains on, with their standardisation statistics."""
    catalog = load_catalog(pipeline.catalog_path(catalog_path))
    workspace = catalog.workspace(workdir or pipeline.workdir)
    manifest = workspace.snapshot()
    try:
        for name in pipeline.data.entries:
            catalog.entry(name)
        items = manifest.items(pipeline.data.entries, split=pipeline.data.split)
        digest, rows = manifest.data_hash(pipeline.data.entries)
        if warm is not None:
            items = warm.items
    finally:
        manifest.close()
    if not items:
        raise TrainingDataError(
            f"no stored items for entries {pipeline.data.entries} (split {pipeline.data.split!r})"
            f" in {workspace.root}; run `sslsci ingest NAME` first"
        )
    channels = {item.shape[0] for item in items}
    if len(channels) != 1:
        raise TrainingDataError(
            f"stored items disagree on channel count {sorted(channels)}; "
            "set the plugin's channel options so all items match"
        )
    names = items[0].attrs.get("channel_names") or _channel_names(workspace, items[0])
    standardizer = Standardizer.from_items(items)
    if warm is not None and warm.bundle is not None:
        standardizer = _bundle_standardizer(warm.bundle) or standardizer
    return TrainingData(catalog, workspace, items, standardizer, names, digest, rows)


def _bundle_standardizer(bundle: Path) -> Standardizer | None:
    """The parent's statistics: a warm start keeps the input scaling its weights learned."""
    from sslsci.bundle.schema import read_metadata

    stats = read_metadata(bundle).preprocessing.standardize
    return None if stats is None else Standardizer(tuple(stats.mean), tuple(stats.std))


def warm_start_weights(method: nn.Module, bundle: Path) -> None:
    """Load a released bundle's backbone (and heads, when it kept them) into ``method``."""
    from sslsci.bundle.load import read_tensors, verified_file
    from sslsci.bundle.schema import read_metadata

    meta = read_metadata(bundle)
    state = {
        f"backbone.{k}": v
        for k, v in read_tensors(verified_file(bundle, meta.files.weights)).items()
    }
    if meta.files.heads is not None:
        state.update(read_tensors(verified_file(bundle, meta.files.heads)))
    missing, _ = method.load_state_dict(state, strict=False)
    missing_backbone = [k for k in missing if k.startswith("backbone.")]
    if missing_backbone:
        raise CheckpointError(
            f"cannot warm-start from {bundle}: its weights lack {missing_backbone[:3]}; the "
            "pipeline's backbone differs from the release's. Release under a new model name."
        )


def _channel_names(workspace: Workspace, item: ItemRow) -> list[str]:
    array = workspace.store().open(item.store_key)
    return [str(c) for c in array.attrs.get("channel_names", [])]


def build_backbone(
    plugin: Plugin, name: str, config: dict[str, Any], in_channels: int
) -> tuple[nn.Module, dict[str, Any]]:
    """Construct a plugin backbone, filling in the channel count from the data."""
    if name not in plugin.backbones:
        raise ValueError(
            f"backbone {name!r} is not offered by plugin {plugin.name!r}; "
            f"choose from {sorted(plugin.backbones)}"
        )
    backbone = plugin.backbones[name]
    config = dict(config)
    if "in_channels" not in config and backbone.accepts("in_channels"):
        config["in_channels"] = in_channels
    return backbone(**config), config


def training_loader(
    pipeline: Pipeline, plugin: Plugin, data: TrainingData, start_epoch: int = 0
) -> DataLoader:
    """Random windows; a resumed run starts at its checkpoint's epoch so it draws new ones."""
    from sslsci.methods import METHODS

    views = plugin.views(METHODS[pipeline.method.name].view_kind, **pipeline.views)
    weights = {e.name: e.weight for e in data.catalog.entries}
    dataset = RandomWindows(
        data.workspace.store(cache_bytes=int(pipeline.data.cache_mb * 1024**2)),
        data.items,
        pipeline.data.window,
        views,
        data.standardizer,
        samples_per_epoch=pipeline.data.samples_per_epoch,
        seed=pipeline.seed,
        entry_weights=weights,
        windows_per_read=pipeline.data.windows_per_read,
    )
    dataset.set_epoch(start_epoch)
    workers = pipeline.data.num_workers
    return DataLoader(
        dataset,
        batch_size=pipeline.data.batch_size,
        num_workers=workers,
        multiprocessing_context=worker_context(workers),
        persistent_workers=workers > 0,
        prefetch_factor=pipeline.data.prefetch_factor if workers > 0 else None,
        pin_memory=pin_memory(pipeline.trainer),
        drop_last=True,
    )


class WindowFingerprints(Callback):
    """Per-rank hashes of every batch and of the final weights: DDP checks read them."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def on_train_batch_start(self, trainer, module, batch, batch_idx: int) -> None:
        digest = hashlib.sha256(batch[0].detach().cpu().numpy().tobytes()).hexdigest()[:16]
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / f"windows_rank{trainer.global_rank}.txt", "a") as handle:
            handle.write(f"{trainer.global_step}\t{digest}\n")

    def on_train_end(self, trainer, module) -> None:
        # Parameters only: DDP keeps them equal, while BatchNorm running statistics
        # take each rank's last batch (SyncBatchNorm needs a GPU) and export uses rank 0.
        digest = hashlib.sha256()
        for name, tensor in sorted(module.named_parameters()):
            digest.update(name.encode() + tensor.detach().cpu().numpy().tobytes())
        path = self.folder / f"weights_rank{trainer.global_rank}.txt"
        path.write_text(digest.hexdigest() + "\n")


class RecordContext(Callback):
    """Stores what export needs (pipeline, statistics, data hash) inside each checkpoint."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.context = context

    def on_save_checkpoint(self, trainer, module, checkpoint: dict[str, Any]) -> None:
        checkpoint[CHECKPOINT_KEY] = self.context


def checkpoint_context(
    pipeline: Pipeline,
    data: TrainingData,
    backbone_config: dict[str, Any],
    spec: ModalitySpec,
    seen_sha256: tuple[str, ...] = (),
) -> dict[str, Any]:
    entry = data.catalog.entry(pipeline.data.entries[0])
    return {
        "pipeline": pipeline.model_dump(mode="json"),
        "sampling": stored_sampling(data.items[0].attrs, spec),
        "backbone_config": backbone_config,
        "standardize": data.standardizer.as_dict(),
        "channel_names": data.channel_names,
        "normalize": dict(entry.options),
        "data": {
            "manifest_sha256": data.manifest_sha256,
            "rows": data.rows,
            "entries": pipeline.data.entries,
            "split": pipeline.data.split,
            "source_sha256": sorted({item.sha256 for item in data.items} | set(seen_sha256)),
        },
    }


def make_trainer(pipeline: Pipeline, out: Path, callbacks: list[Callback]) -> L.Trainer:
    """The pipeline's Lightning Trainer; under torchrun or srun, on the launcher's topology."""
    cfg = pipeline.trainer
    topology = launched_topology(cfg)
    checkpoints = ModelCheckpoint(
        dirpath=out / "checkpoints",
        filename="step{step:06d}",
        auto_insert_metric_name=False,
        every_n_train_steps=cfg.checkpoint_every_n_steps,
        save_last=True,
        save_top_k=-1,
    )
    return L.Trainer(
        accelerator=cfg.accelerator,
        devices=topology.devices,
        num_nodes=topology.num_nodes,
        strategy=topology.strategy,
        precision=resolve_precision(cfg),
        max_steps=cfg.max_steps,
        max_epochs=-1,
        accumulate_grad_batches=cfg.accumulate_grad_batches,
        log_every_n_steps=cfg.log_every_n_steps,
        gradient_clip_val=cfg.gradient_clip_val,
        default_root_dir=out,
        callbacks=[checkpoints, StepProgress(), *callbacks],
        logger=[CSVLogger(out, name="logs"), TensorBoardLogger(out, name="tensorboard")],
        enable_model_summary=False,
        use_distributed_sampler=False,
    )


@dataclass
class PretrainResult:
    output_dir: Path
    checkpoint: Path
    steps: int
    is_global_zero: bool


def pretrain(
    pipeline: Pipeline,
    *,
    catalog_path: str | Path | None = None,
    workdir: str | Path | None = None,
    output: str | Path | None = None,
    resume: bool = False,
    warm: WarmStart | None = None,
) -> PretrainResult:
    """Train the pipeline's backbone + method; checkpoints land in ``<output>/checkpoints``
    (``warm.run_dir`` for a continual round, which starts from ``warm.bundle``)."""
    from sslsci.methods import build_method

    check_pipeline(pipeline)
    resolve_precision(pipeline.trainer)  # bf16 on the CPU is refused before any work
    out = warm.run_dir if warm is not None else pipeline.output_dir(output)
    if not resume:
        refuse_overwrite(out)
    L.seed_everything(pipeline.seed, workers=True, verbose=False)
    plugin = get_plugin(pipeline.plugin)
    data = load_training_data(pipeline, catalog_path, workdir, warm)
    pipeline = resolve_window(pipeline, plugin.spec, data.items)
    backbone, backbone_config = built_or_refused(
        pipeline,
        ["backbone", "config"],
        f"backbone {pipeline.backbone.name!r}",
        lambda: build_backbone(
            plugin, pipeline.backbone.name, pipeline.backbone.config, data.in_channels
        ),
    )
    method = built_or_refused(
        pipeline,
        ["method"],
        f"method {pipeline.method.name!r}",
        lambda: build_method(pipeline.method.name, backbone, **pipeline.method.hparams()),
    )
    if warm is not None and warm.bundle is not None and not resume:
        warm_start_weights(method, warm.bundle)
    # after the method is built: an EMA teacher copied from a compiled backbone would call
    # the student's forward
    prepare_backbone(backbone, pipeline.trainer)
    probe = _online_probe(pipeline, data) if pipeline.online_probe else None
    module = SSLModule(method, pipeline.optimizer, pipeline.trainer.max_steps, probe=probe)
    seen = warm.seen_sha256 if warm is not None else ()
    context = checkpoint_context(pipeline, data, backbone_config, plugin.spec, seen)
    callbacks: list[Callback] = [RecordContext(context)]
    if pipeline.trainer.record_windows:
        callbacks.append(WindowFingerprints(out))
    trainer = make_trainer(pipeline, out, callbacks)
    last = out / "checkpoints" / "last.ckpt"
    start, epoch = _resume_point(out) if resume else (None, 0)
    trainer.fit(
        module,
        train_dataloaders=training_loader(pipeline, plugin, data, epoch),
        ckpt_path=str(start) if start else None,
        weights_only=True,  # explicit, so $TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD cannot lift it
    )
    trainer.save_checkpoint(last)
    return PretrainResult(out, last, trainer.global_step, trainer.is_global_zero)


def read_checkpoint_file(
    path: Path, action: str, fix: str, *, mmap: bool = False
) -> dict[str, Any]:
    """A checkpoint through torch's weights-only unpickler: tensors and plain data, no code.

    Anyone who can write to a run folder could plant a checkpoint whose pickle
    runs code when loaded, so sslsci never uses the full unpickler. ``action``
    (``"resume from"``, ``"export"``) and ``fix`` go into the messages.
    """
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True, mmap=mmap)
    except pickle.UnpicklingError as exc:
        reason = _refused_global(str(exc))
        raise CheckpointError(
            f"refusing to {action} {path}: it holds objects other than tensors and plain "
            f"data, and loading them could run code planted in the run folder ({reason}). {fix}"
        ) from None
    except (RuntimeError, OSError, EOFError, ValueError) as exc:
        raise CheckpointError(
            f"cannot {action} {path}: it is not a readable checkpoint ({exc}). {fix}"
        ) from None
    if not isinstance(checkpoint, dict):
        raise CheckpointError(
            f"cannot {action} {path}: it holds a {type(checkpoint).__name__}, not a "
            f"Lightning checkpoint. {fix}"
        )
    return checkpoint


def _refused_global(message: str) -> str:
    """What torch's refusal names (without its advice to reload with ``weights_only=False``)."""
    match = re.search(r"GLOBAL (\S+)", message)
    if match is None:
        return "the weights-only unpickler refused it"
    return f"its pickle calls or builds {match.group(1)}"


def _resume_point(run: Path) -> tuple[Path, int]:
    """The checkpoint a resumed run continues from and the epoch it starts drawing at."""
    # mmap: tensors stay on disk here; Lightning loads the weights itself.
    fix = "Delete it and run without --resume to start over."
    path, checkpoint = resume_checkpoint(
        run, lambda p: read_checkpoint_file(p, "resume from", fix, mmap=True)
    )
    return path, int(checkpoint.get("epoch", 0)) + 1


def _online_probe(pipeline: Pipeline, data: TrainingData):
    """A per-epoch linear probe on frozen features of a labelled entry."""
    from sslsci.evaluate import embed_items, linear_probe

    cfg = pipeline.online_probe
    manifest = data.workspace.snapshot()
    train = manifest.items([cfg.entry], split=cfg.train_split)
    test = manifest.items([cfg.entry], split=cfg.test_split)
    manifest.close()
    classes = sorted({i.label for i in train + test if i.label is not None})
    store = data.workspace.store()

    def probe(backbone: nn.Module) -> dict[str, float]:
        sets = [
            LabelledWindows(store, items, pipeline.data.window, data.standardizer, classes)
            for items in (train, test)
        ]
        with torch.no_grad():
            (xtr, ytr), (xte, yte) = (embed_items(backbone, s) for s in sets)
        result = linear_probe(xtr, ytr, xte, yte, seed=pipeline.seed)
        return {"probe/linear_accuracy": float(result["accuracy"])}

    return probe
