"""EMA targets move once per optimiser step, whatever ``accumulate_grad_batches`` is."""

import lightning as L
import pytest
import torch
from lightning.pytorch.callbacks import Callback
from torch.utils.data import DataLoader

from sslsci.methods import build_method
from sslsci.train.module import SSLModule
from sslsci.train.pipeline import OptimizerConfig
from tests.methods.conftest import SMALL_HPARAMS, resnet


class CountOptimizerSteps(Callback):
    def __init__(self) -> None:
        self.steps = 0

    def on_before_optimizer_step(self, trainer, module, optimizer) -> None:
        self.steps += 1


def two_view_batches(count: int) -> DataLoader:
    """``count`` batches of 4 samples, each sample two views of a 6-channel signal."""
    generator = torch.Generator().manual_seed(0)
    samples = [
        [torch.randn(6, 32, generator=generator) for _ in range(2)] for _ in range(4 * count)
    ]
    return DataLoader(samples, batch_size=4)


@pytest.mark.parametrize("name", ["byol", "dino"])
def test_teacher_moves_once_per_optimizer_step_with_accumulation(name, monkeypatch) -> None:
    torch.set_num_threads(1)
    method = build_method(name, resnet(), **SMALL_HPARAMS[name])
    updates: list[tuple[int, float]] = []
    momentum_update = method.momentum_update

    def counted(step: int, max_steps: int) -> None:
        momentum_update(step, max_steps)
        updates.append((step, method.momentum))

    monkeypatch.setattr(method, "momentum_update", counted)
    counter = CountOptimizerSteps()
    max_steps, accumulate = 3, 4
    trainer = L.Trainer(
        accelerator="cpu",
        max_steps=max_steps,
        max_epochs=-1,
        accumulate_grad_batches=accumulate,
        callbacks=[counter],
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )
    module = SSLModule(method, OptimizerConfig(lr=1e-3), max_steps=max_steps)
    trainer.fit(module, train_dataloaders=two_view_batches(max_steps * accumulate))
    assert counter.steps == max_steps == trainer.global_step
    # One update per optimiser step, scheduled by optimiser steps done (1, 2, 3 of 3).
    assert [step for step, _ in updates] == [1, 2, 3]
    start, end = method.momentum_start, method.momentum_end
    assert updates[-1][1] == pytest.approx(end)
    assert updates[0][1] == pytest.approx(end - (end - start) * 0.75)  # (cos(pi/3) + 1) / 2
