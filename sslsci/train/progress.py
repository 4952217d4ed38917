"""One progress bar for pretraining: optimiser steps out of ``max_steps``, and the loss.

Lightning's own bars count batches of an epoch and title them ``Epoch E/max_epochs-1``;
a run bounded by steps (``max_epochs=-1``) then reads ``Epoch 4/-2`` and restarts at every
epoch. This bar counts what the pipeline sets, ``trainer.max_steps``, across epochs and a
resume, on rank 0 only.
"""

from __future__ import annotations

from typing import Any

from lightning.pytorch.callbacks.progress.progress_bar import ProgressBar
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn


class StepProgress(ProgressBar):
    """``pretrain ━━━━ 40/150 steps  loss 3.91  0:01:10`` on stderr."""

    def __init__(self) -> None:
        super().__init__()
        self._enabled = True
        self._progress: Progress | None = None
        self._task: Any = None

    def disable(self) -> None:
        self._enabled = False

    def enable(self) -> None:
        self._enabled = True

    @property
    def is_enabled(self) -> bool:
        return self._enabled

    def on_train_start(self, trainer, pl_module) -> None:
        if not (self._enabled and trainer.is_global_zero):
            return
        self._progress = Progress(
            TextColumn("pretrain"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("steps  {task.fields[loss]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=False,
        )
        self._progress.start()
        self._task = self._progress.add_task(
            "pretrain", total=trainer.max_steps, completed=trainer.global_step, loss=""
        )

    def on_train_batch_end(self, trainer, pl_module, outputs, batch, batch_idx) -> None:
        if self._progress is None:
            return
        loss = trainer.callback_metrics.get("train/loss")
        shown = f"loss {float(loss):.3f}" if loss is not None else ""
        self._progress.update(self._task, completed=trainer.global_step, loss=shown)

    def on_train_end(self, trainer, pl_module) -> None:
        self._stop()

    def on_exception(self, trainer, pl_module, exception: BaseException) -> None:
        self._stop()

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
