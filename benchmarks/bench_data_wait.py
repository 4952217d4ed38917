"""Share of training step time spent waiting for data, per built-in recipe (issue 16.2).

For every recipe in ``pipelines/`` a SYNTHETIC, seeded archive is written with the
recipe's plugin generator into a temporary folder, ingested into a temporary workdir
with the store's default layout, and the recipe is trained for a few steps on the CPU
with its own loader settings (``data.num_workers``, ``prefetch_factor``; pinned memory
only with CUDA). The store's decoded-chunk cache (``data.cache_mb``) is set to a quarter
of the stored bytes or less, so the archive is at least 4x the cache, and the archive's
pages are dropped from the OS page cache (``posix_fadvise DONTNEED``) before training,
so the first reads come from disk as they would for an archive larger than RAM.

Data wait is the time spent in the loader iterator's ``next()`` (the batch becoming
available); the gap is the time from the end of one step (``on_train_batch_end``, after
the optimizer step) to the start of the next (``on_train_batch_start``): the wait plus
Lightning's own per-step bookkeeping, an upper bound. Both are shown as shares of
gap + step over the steps after the warm-up; the 5 % bar applies to the wait.
Recipes on real data (``speech.yaml``: FSDD, ``wearables_basicmotions.yaml``) run on the
same plugin's synthetic generator under the recipe's entry name.

One command prints both halves of issue 16.2, the layout chosen per dimensionality with
its cache-off windows/s next to the alternatives (``bench_layout.py``), then the data-wait
share per recipe. Run (the exact commands behind the committed numbers):

    nice -n 10 .venv/bin/python benchmarks/bench_data_wait.py
    nice -n 10 .venv/bin/python benchmarks/bench_data_wait.py --quick
    nice -n 10 .venv/bin/python benchmarks/bench_data_wait.py --quick --skip-layout
    nice -n 10 .venv/bin/python benchmarks/bench_data_wait.py --quick --skip-layout --workers 0

The last runs every recipe with batches made in the training process (the loader
default before issue 16.2): 7-46 % of CPU step time went to waiting for data.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))


@dataclass
class Recipe:
    """A pipeline file, the catalog entry its data comes from, and how to write it."""

    pipeline: str
    entry: dict[str, Any]
    write: Callable[[Path, bool], None]


def _wearables(folder: Path, quick: bool) -> None:
    from plugins.wearables.generator import write_demo_archive

    write_demo_archive(
        folder,
        subjects=12,
        recordings_per_subject=8,
        seconds=60.0 if quick else 240.0,
        rate=30.0,
        seed=0,
    )


def _speech(folder: Path, quick: bool) -> None:
    """The generator's words joined three at a time: the recipe's 1 s window needs
    clips longer than one synthetic word (FSDD's longest digits run 1.3 s)."""
    import numpy as np
    import soundfile as sf

    from plugins.speech.generator import write_demo_archive

    clips = sorted(write_demo_archive(folder / "words", clips_per_word=6 if quick else 24))
    for k in range(0, len(clips) - 2, 3):
        parts = [sf.read(path, dtype="float32")[0] for path in clips[k : k + 3]]
        sf.write(folder / f"utt_{k // 3:04d}.wav", np.concatenate(parts), 16000, "PCM_16")
    shutil.rmtree(folder / "words")


def _ct(folder: Path, quick: bool) -> None:
    from plugins.ct.phantom import write_phantom_archive

    write_phantom_archive(folder, n=12 if quick else 24, seed=0)


def _das(folder: Path, quick: bool) -> None:
    from plugins.das.generator import write_demo_archive

    write_demo_archive(folder, 0, files=60 if quick else 240)


def _sar(folder: Path, quick: bool) -> None:
    from plugins.sar.generator import write_demo_archive

    write_demo_archive(folder, 0)


def _catalog_entry(name: str) -> dict[str, Any]:
    entries = yaml.safe_load((ROOT / "data_catalog.yaml").read_text())["entries"]
    return next(e for e in entries if e["name"] == name)


def _synthetic(name: str, like: str, **changes: Any) -> dict[str, Any]:
    """Entry ``like`` of the shipped catalog under the recipe's entry ``name``."""
    entry = {**_catalog_entry(like), "name": name, "uri": "archive", **changes}
    entry.pop("demo", None)
    return entry


def recipes() -> list[Recipe]:
    speech_entry = _synthetic(
        "fsdd",
        "fsdd",
        include=["utt_*.wav"],
        labels=None,
        splits={"fraction": {"train": 0.75, "test": 0.25}, "seed": 0},
    )
    speech_entry.pop("labels")
    return [
        Recipe("wearables_demo.yaml", _synthetic("wearables-demo", "wearables-demo"), _wearables),
        Recipe(
            "wearables_basicmotions.yaml",
            _synthetic(
                "basicmotions",
                "wearables-demo",
                splits={"fraction": {"train": 0.75, "test": 0.25}, "seed": 0},
            ),
            _wearables,
        ),
        Recipe("speech.yaml", speech_entry, _speech),
        Recipe("ct.yaml", _synthetic("ct-demo", "ct-demo"), _ct),
        Recipe("das.yaml", _synthetic("das-demo", "das-demo"), _das),
        Recipe("sar.yaml", _synthetic("sar-demo", "sar-demo"), _sar),
    ]


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def drop_page_cache(path: Path) -> None:
    """Ask the kernel to drop the files' clean pages, so reads start from disk."""
    for file in path.rglob("*"):
        if file.is_file():
            fd = os.open(file, os.O_RDONLY)
            try:
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)


def data_wait_callback(warmup: int):
    from lightning.pytorch.callbacks import Callback

    class DataWait(Callback):
        """Per step after ``warmup``: the gap before it (end of the last step to its start),
        the part of that gap spent in the loader's ``next()``, and the step itself."""

        def __init__(self) -> None:
            self.gaps: list[float] = []
            self.fetches: list[float] = []
            self.steps: list[float] = []
            self.fetched = 0.0  # set by ``timed``: seconds of the latest ``next()``
            self._start = 0.0
            self._end: float | None = None

        def on_train_batch_start(self, trainer, module, batch, batch_idx: int) -> None:
            now = time.perf_counter()
            if self._end is not None and trainer.global_step >= warmup:
                self.gaps.append(now - self._end)
                self.fetches.append(self.fetched)
            self._start = now

        def on_train_batch_end(self, trainer, module, outputs, batch, batch_idx: int) -> None:
            now = time.perf_counter()
            if trainer.global_step > warmup:
                self.steps.append(now - self._start)
            self._end = now

    return DataWait()


def timed(loader, timer) -> None:
    """Make ``loader`` record how long each ``next()`` of its iterator takes in ``timer``."""
    base = type(loader)

    def batches(self):
        iterator = base.__iter__(self)
        while True:
            started = time.perf_counter()
            try:
                batch = next(iterator)
            except StopIteration:
                return
            timer.fetched = time.perf_counter() - started
            yield batch

    loader.__class__ = type("TimedLoader", (base,), {"__iter__": batches})


def train_steps(pipeline, catalog: Path, workdir: Path, out: Path, warmup: int, schedule: int):
    """The core of ``sslsci.train.pretrain.pretrain`` with a timing callback added; the
    learning-rate schedule spans the recipe's ``schedule`` steps, the run fewer."""
    import lightning as L

    from sslsci.methods import build_method
    from sslsci.plugins.discovery import get_plugin
    from sslsci.train.acceleration import prepare_backbone
    from sslsci.train.module import SSLModule
    from sslsci.train.pretrain import (
        build_backbone,
        load_training_data,
        make_trainer,
        training_loader,
    )
    from sslsci.train.window import resolve_window

    L.seed_everything(pipeline.seed, workers=True, verbose=False)
    plugin = get_plugin(pipeline.plugin)
    data = load_training_data(pipeline, catalog, workdir)
    pipeline = resolve_window(pipeline, plugin.spec, data.items)
    backbone, _ = build_backbone(
        plugin, pipeline.backbone.name, pipeline.backbone.config, data.in_channels
    )
    method = build_method(pipeline.method.name, backbone, **pipeline.method.hparams())
    prepare_backbone(backbone, pipeline.trainer)
    module = SSLModule(method, pipeline.optimizer, schedule)
    timer = data_wait_callback(warmup)
    trainer = make_trainer(pipeline, out, [timer])
    loader = training_loader(pipeline, plugin, data)
    timed(loader, timer)
    trainer.fit(module, train_dataloaders=loader)
    return timer, loader, len(data.items)


def measure(
    recipe: Recipe, steps: int, warmup: int, quick: bool, workers: int | None
) -> dict[str, Any]:
    from sslsci.catalog import load_catalog
    from sslsci.ingest.run import ingest_entry
    from sslsci.store import Workspace
    from sslsci.train.pipeline import load_pipeline

    with tempfile.TemporaryDirectory(prefix="sslsci-wait-") as tmp:
        root = Path(tmp)
        recipe.write(root / "archive", quick)
        catalog_path = root / "catalog.yaml"
        catalog_path.write_text(yaml.safe_dump({"entries": [recipe.entry]}))
        catalog = load_catalog(catalog_path)
        workspace = Workspace(root / "work")
        ingest_entry(catalog, recipe.entry["name"], workspace)
        shutil.rmtree(root / "archive")
        stored = folder_bytes(workspace.root / "store")
        cache_mb = min(256.0, int(stored / 4 / 1024**2 * 100) / 100)
        pipeline = load_pipeline(ROOT / "pipelines" / recipe.pipeline)
        schedule = max(steps, pipeline.trainer.max_steps)
        update: dict[str, Any] = {"cache_mb": cache_mb}
        if workers is not None:
            update["num_workers"] = workers
        data = pipeline.data.model_copy(update=update)
        trainer = pipeline.trainer.model_copy(
            update={
                "max_steps": steps,
                "checkpoint_every_n_steps": steps + 1,
                "accelerator": "cpu",
            }
        )
        pipeline = pipeline.model_copy(update={"data": data, "trainer": trainer})
        drop_page_cache(workspace.root / "store")
        timer, loader, items = train_steps(
            pipeline, catalog_path, workspace.root, root / "runs", warmup, schedule
        )
    gap, fetch, step = sum(timer.gaps), sum(timer.fetches), sum(timer.steps)
    return {
        "recipe": recipe.pipeline,
        "items": items,
        "stored": stored,
        "cache": int(cache_mb * 1024**2),
        "steps": len(timer.steps),
        "workers": loader.num_workers,
        "prefetch": loader.prefetch_factor,
        "pinned": loader.pin_memory,
        "step_ms": 1000 * step / max(1, len(timer.steps)),
        "fetch_ms": 1000 * fetch / max(1, len(timer.fetches)),
        "gap_ms": 1000 * gap / max(1, len(timer.gaps)),
        "share": fetch / (gap + step),
        "gap_share": gap / (gap + step),
    }


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        "\nData-wait share per recipe (CPU, the recipe's loader settings, archive >= 4x cache):"
        "\n  wait = in the loader's next(); gap = end of a step to the start of the next"
        " (wait + Lightning's own bookkeeping); shares are of gap + step"
    )
    print(
        f"  {'recipe':28s} {'items':>5s} {'stored MB':>9s} {'cache MB':>8s} {'ratio':>5s} "
        f"{'workers':>7s} {'prefetch':>8s} {'pinned':>6s} {'steps':>5s} {'step ms':>8s} "
        f"{'wait ms':>7s} {'gap ms':>7s} {'wait %':>6s} {'gap %':>6s}"
    )
    for r in rows:
        verdict = "ok" if r["share"] <= 0.05 else "OVER 5%"
        print(
            f"  {r['recipe']:28s} {r['items']:5d} {r['stored'] / 1e6:9.1f} "
            f"{r['cache'] / 1e6:8.2f} {r['stored'] / max(1, r['cache']):5.1f} "
            f"{r['workers']:7d} {r['prefetch'] or '-':>8} {r['pinned']!s:>6s} "
            f"{r['steps']:5d} {r['step_ms']:8.1f} {r['fetch_ms']:7.1f} {r['gap_ms']:7.1f} "
            f"{100 * r['share']:5.1f}% {100 * r['gap_share']:5.1f}%  {verdict}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller archives, fewer steps")
    parser.add_argument("--steps", type=int, help="training steps per recipe (after warm-up)")
    parser.add_argument("--warmup", type=int, default=3, help="steps left out of the share")
    parser.add_argument("--only", nargs="*", help="recipe files to run (default: all)")
    parser.add_argument("--skip-layout", action="store_true", help="skip bench_layout's half")
    parser.add_argument(
        "--workers", type=int, help="data.num_workers for every recipe (default: the recipe's)"
    )
    args = parser.parse_args()
    steps = args.steps or (15 if args.quick else 40)
    if not args.skip_layout:
        import bench_layout

        print("Store layout per dimensionality, every cache off (benchmarks/bench_layout.py)")
        bench_layout.run(quick=args.quick, repeats=3)
    rows = []
    for recipe in recipes():
        if args.only and recipe.pipeline not in args.only:
            continue
        rows.append(measure(recipe, steps + args.warmup, args.warmup, args.quick, args.workers))
        print_table(rows[-1:])
    print_table(rows)


if __name__ == "__main__":
    main()
