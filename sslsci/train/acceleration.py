"""The GPU path of a run: precision, channels-last weights and ``torch.compile``, chosen
from the pipeline's ``trainer:`` block and where the run trains."""

from __future__ import annotations

import torch
from torch import nn

from sslsci.train.errors import TrainingError
from sslsci.train.pipeline import TrainerConfig


def on_cuda(accelerator: str) -> bool:
    """Whether Lightning will train on CUDA for this ``trainer.accelerator``."""
    if accelerator in ("gpu", "cuda"):
        return True
    return accelerator == "auto" and torch.cuda.is_available()


def pin_memory(cfg: TrainerConfig) -> bool:
    """Page-locked batches on CUDA, so host-to-device copies run asynchronously; on the
    CPU pinning only costs a copy."""
    return on_cuda(cfg.accelerator) and torch.cuda.is_available()


def resolve_precision(cfg: TrainerConfig) -> str:
    """``auto`` made concrete; bf16 on the CPU refused, since there it is emulated."""
    cuda = on_cuda(cfg.accelerator)
    if cfg.precision == "auto":
        return "bf16-mixed" if cuda else "32-true"
    if cfg.precision.startswith("bf16") and not cuda:
        raise TrainingError(
            f"trainer.precision {cfg.precision!r} with accelerator {cfg.accelerator!r} trains "
            "on the CPU, where bf16 is emulated and about 7x slower than float32; set "
            "trainer.precision: 32-true (or auto: bf16-mixed on CUDA, 32-true on the CPU), "
            "or accelerator: gpu"
        )
    return cfg.precision


def conv_memory_format(module: nn.Module) -> torch.memory_format | None:
    """channels_last(_3d) for a backbone of 2-D (3-D) convolutions, else None (1-D
    convolutions and transformers gain nothing from it)."""
    kinds = {type(m) for m in module.modules()}
    if nn.Conv3d in kinds:
        return torch.channels_last_3d
    if nn.Conv2d in kinds:
        return torch.channels_last
    return None


def prepare_backbone(backbone: nn.Module, cfg: TrainerConfig) -> nn.Module:
    """The backbone with channels-last weights where they help, compiled if asked.

    ``nn.Module.compile`` compiles in place, so the state dict (checkpoints, bundles)
    keeps its keys; a compiled backbone is built lazily on its first forward pass.
    """
    wanted = cfg.channels_last if cfg.channels_last is not None else on_cuda(cfg.accelerator)
    layout = conv_memory_format(backbone) if wanted else None
    if layout is not None:
        backbone.to(memory_format=layout)
    if cfg.compile:
        backbone.compile()
    return backbone
