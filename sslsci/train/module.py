"""The LightningModule wrapping any backbone + SSL method."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import lightning as L
import torch
from torch import nn

from sslsci.methods.schedules import linear_warmup_cosine
from sslsci.train.health import health_metrics
from sslsci.train.optimizers import build_optimizer
from sslsci.train.pipeline import OptimizerConfig


class CollapseWarning(UserWarning):
    """The embedding has collapsed: every input maps to (nearly) the same point."""


class SSLModule(L.LightningModule):
    """Trains ``method`` (which owns the backbone); the method computes its own loss."""

    def __init__(
        self,
        method: nn.Module,
        optimizer: OptimizerConfig,
        max_steps: int,
        probe: Callable[[nn.Module], dict[str, float]] | None = None,
        health_samples: int = 512,
    ) -> None:
        super().__init__()
        self.method = method
        self.optimizer_config = optimizer
        self.max_steps = max_steps
        self.probe = probe
        self.health_samples = health_samples
        self._embeddings: list[tuple[torch.Tensor, torch.Tensor]] = []
        self._ema_step = 0

    @property
    def backbone(self) -> nn.Module:
        return self.method.backbone

    def training_step(self, batch: list[torch.Tensor], batch_idx: int) -> torch.Tensor:
        output = self.method(batch)
        self.log("train/loss", output.loss, prog_bar=True, batch_size=batch[0].shape[0])
        for name, value in output.logs.items():
            self.log(f"train/{name}", value, batch_size=batch[0].shape[0])
        if output.embeddings is not None and self._kept() < self.health_samples:
            z0, z1 = output.embeddings
            self._embeddings.append((z0.detach().cpu(), z1.detach().cpu()))
        return output.loss

    def _kept(self) -> int:
        return sum(z0.shape[0] for z0, _ in self._embeddings)

    def on_train_start(self) -> None:
        self._ema_step = self.global_step  # a resumed run starts at its checkpoint's step

    def on_train_batch_end(self, outputs, batch, batch_idx: int) -> None:
        """Move the EMA target once per optimiser step, never per micro-batch: with
        ``accumulate_grad_batches`` most batches end without a step. The momentum
        schedule reads ``global_step``, the optimiser steps done so far."""
        if self.global_step == self._ema_step:
            return
        self._ema_step = self.global_step
        self.method.momentum_update(self.global_step, self.max_steps)

    def on_train_epoch_end(self) -> None:
        if self._embeddings:
            z0 = torch.cat([z for z, _ in self._embeddings])
            z1 = torch.cat([z for _, z in self._embeddings])
            metrics = health_metrics(z0, z1)
            self._embeddings.clear()
            self.log_dict(metrics, sync_dist=True)
            if metrics["health/collapse"] and self.global_rank == 0:
                warnings.warn(
                    f"embedding collapse at step {self.global_step}: normalised std is "
                    f"{metrics['health/std_ratio']:.3f} of an isotropic embedding's; lower "
                    "the learning rate or strengthen the augmentations",
                    CollapseWarning,
                    stacklevel=1,
                )
        if self.probe is not None:
            was_training = self.backbone.training
            self.backbone.eval()
            self.log_dict(self.probe(self.backbone), rank_zero_only=True)
            self.backbone.train(was_training)

    def configure_optimizers(self):
        cfg = self.optimizer_config
        opt = build_optimizer(self.method, cfg)

        def multiplier(step: int) -> float:
            return linear_warmup_cosine(
                step, self.max_steps, cfg.warmup_steps, 1.0, cfg.final_lr_fraction
            )

        schedule = torch.optim.lr_scheduler.LambdaLR(opt, multiplier)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": schedule, "interval": "step"}}
