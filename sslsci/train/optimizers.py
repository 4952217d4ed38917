"""The optimiser a pipeline's ``optimizer:`` block names, over the method's parameter groups."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from sslsci.train.lars import LARS
from sslsci.train.pipeline import OptimizerConfig


def parameter_groups(method: nn.Module, weight_decay: float) -> list[dict[str, Any]]:
    """The method's own groups (no decay on norms, biases, tokens), or one group of all."""
    groups = getattr(method, "parameter_groups", None)
    if groups is not None:
        return [group for group in groups(weight_decay) if group["params"]]
    params = [p for p in method.parameters() if p.requires_grad]
    return [{"name": "decay", "params": params, "weight_decay": weight_decay}]


def build_optimizer(method: nn.Module, cfg: OptimizerConfig) -> torch.optim.Optimizer:
    """AdamW, Adam, SGD (momentum) or LARS; each group keeps its own weight decay."""
    groups = parameter_groups(method, cfg.weight_decay)
    if cfg.name == "lars":
        for group in groups:
            group["lars_adapt"] = group["name"] == "decay"
        return LARS(groups, lr=cfg.lr, momentum=cfg.momentum, eta=cfg.lars_eta)
    if cfg.name == "sgd":
        return torch.optim.SGD(groups, lr=cfg.lr, momentum=cfg.momentum)
    fused = _fused(cfg, groups)
    if cfg.name == "adam":
        return torch.optim.Adam(groups, lr=cfg.lr, fused=fused)
    return torch.optim.AdamW(groups, lr=cfg.lr, fused=fused)


def _fused(cfg: OptimizerConfig, groups: list[dict[str, Any]]) -> bool:
    """``optimizer.fused``, else fused exactly when every parameter is on CUDA (Lightning
    moves the model before it asks for the optimiser), where one kernel per step is faster."""
    if cfg.fused is not None:
        return cfg.fused
    params = [p for group in groups for p in group["params"]]
    return bool(params) and all(p.is_cuda for p in params)
