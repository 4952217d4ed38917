"""Fine-tuning: the backbone unfrozen at a smaller learning rate than its linear head.

The same loop trains from the SSL weights and from random init (supervised from scratch),
with the same step budget, so the two differ only in where the backbone starts. The head
starts as the linear probe fitted on the starting backbone's frozen embeddings
(``head_init: probe``, LP-FT; see ``head_init``) or fresh (``random``). Early stopping keeps
the weights with the best loss on a validation part of the labelled train subset, the
starting point (step 0) included; when the subset is too small to hold one out, the whole
budget is used.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

from sslsci.data import collate_tiles
from sslsci.evaluate.embed import embed_items, input_placement, mean_per_owner
from sslsci.evaluate.head_init import probe_head
from sslsci.nn.interface import accepts_lengths, pooled_embedding


@dataclass(frozen=True)
class FinetuneSettings:
    """The budget a pipeline declares (``evaluate: [{finetune: {...}}]``)."""

    max_steps: int = 100
    lr: float = 1e-3
    backbone_lr_scale: float = 0.1
    batch_size: int = 16
    eval_every: int = 10
    patience: int = 5
    weight_decay: float = 1e-4
    head_init: str = "probe"  # "probe": the linear probe on frozen features; "random"


class Rows(Dataset):
    """The samples of ``dataset`` at ``indices``, keeping the tiling hooks embed uses."""

    def __init__(self, dataset: Dataset, indices: np.ndarray) -> None:
        self.dataset, self.indices = dataset, [int(i) for i in indices]

    def __len__(self) -> int:
        return len(self.indices)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[self.indices[index]]

    def valid_lengths(self, index: int) -> list[int]:
        return self.dataset.valid_lengths(self.indices[index])


def head_outputs(kind: str, targets: np.ndarray) -> int:
    """Logits per class, one per multi-label class, or one number for regression."""
    if kind == "regression":
        return 1
    if kind == "multilabel":
        return int(np.asarray(targets).shape[1])
    return int(np.asarray(targets).max()) + 1


def finetune(
    backbone: nn.Module,
    dataset: Dataset,
    train_index: np.ndarray,
    val_index: np.ndarray,
    *,
    kind: str,
    outputs: int,
    settings: FinetuneSettings,
    seed: int,
) -> tuple[nn.Module, nn.Module, dict[str, Any]]:
    """Train a copy of ``backbone`` plus a linear head; return them (best weights) and a log.

    Regression targets are standardised with the train subset's mean and std for the loss;
    ``predict`` undoes it.
    """
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = copy.deepcopy(backbone).train()
    device, dtype = input_placement(model)
    train = Rows(dataset, train_index)
    targets = np.stack([np.asarray(train[i][1]) for i in range(len(train))])
    scale = _target_scale(kind, targets)
    head = starting_head(model, train, kind, outputs, settings.head_init, seed, scale)
    head = head.to(device=device, dtype=dtype)
    optimizer = torch.optim.AdamW(
        [
            {"params": model.parameters(), "lr": settings.lr * settings.backbone_lr_scale},
            {"params": head.parameters(), "lr": settings.lr},
        ],
        weight_decay=settings.weight_decay,
    )
    loss_fn = _loss(kind)
    takes_lengths = accepts_lengths(model)
    validation = Rows(dataset, val_index) if len(val_index) else None
    start_loss = np.inf
    history: list[dict[str, float]] = []
    if validation is not None:
        start_loss = _dataset_loss(model, head, validation, kind, scale, loss_fn)
        history.append({"step": 0, "val_loss": start_loss})
    best = (start_loss, 0, copy.deepcopy(model.state_dict()), copy.deepcopy(head.state_dict()))
    stale = 0
    for step in range(1, settings.max_steps + 1):
        batch = rng.choice(len(train), size=min(settings.batch_size, len(train)), replace=False)
        tiles, owner, y = collate_tiles([train[int(i)] for i in batch])
        lengths = None
        if takes_lengths:
            lengths = torch.tensor([n for i in batch for n in train.valid_lengths(int(i))])
            lengths = lengths.to(device)
        features = pooled_embedding(model, tiles.to(device=device, dtype=dtype), lengths)
        pooled = mean_per_owner(features, owner.to(device), len(batch))
        loss = loss_fn(_squeeze(kind, head(pooled)), _scaled(kind, y.to(device), scale))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if validation is not None and (
            step % settings.eval_every == 0 or step == settings.max_steps
        ):
            val_loss = _dataset_loss(model, head, validation, kind, scale, loss_fn)
            history.append({"step": step, "train_loss": loss.item(), "val_loss": val_loss})
            if val_loss < best[0]:
                best, stale = (
                    (
                        val_loss,
                        step,
                        copy.deepcopy(model.state_dict()),
                        copy.deepcopy(head.state_dict()),
                    ),
                    0,
                )
            else:
                stale += 1
                if stale >= settings.patience:
                    break
    if validation is not None:
        model.load_state_dict(best[2])
        head.load_state_dict(best[3])
    log = {
        "steps": step,
        "best_step": best[1] if validation is not None else step,
        "n_train": len(train),
        "n_val": 0 if validation is None else len(validation),
        "head_init": settings.head_init,
        "history": history,
        "target_scale": list(scale) if scale else None,
    }
    head.target_scale = scale  # type: ignore[attr-defined]
    return model.eval(), head.eval(), log


def starting_head(
    model: nn.Module,
    train: Rows,
    kind: str,
    outputs: int,
    head_init: str,
    seed: int,
    scale: tuple[float, float] | None,
) -> nn.Linear:
    """The linear probe on ``model``'s frozen embeddings of ``train``, or a fresh head."""
    if head_init == "random":
        return nn.Linear(int(model.num_features), outputs)
    if head_init != "probe":
        raise ValueError(f"finetune head_init={head_init!r}; use 'probe' or 'random'")
    features, targets = embed_items(model, train)
    return probe_head(kind, features, targets, outputs, seed, scale)


def predict(model: nn.Module, head: nn.Module, dataset: Dataset, kind: str) -> np.ndarray:
    """Class indices, per-class probabilities (multi-label), or regression values."""
    features, _ = embed_items(model, dataset)
    _, dtype = input_placement(head)
    with torch.no_grad():
        logits = head(torch.from_numpy(features).to(dtype=dtype)).float()
    if kind == "regression":
        mean, std = head.target_scale
        return (logits[:, 0] * std + mean).numpy()
    if kind == "multilabel":
        return torch.sigmoid(logits).numpy()
    return logits.argmax(dim=1).numpy()


def _dataset_loss(
    model: nn.Module, head: nn.Module, rows: Rows, kind: str, scale: Any, loss_fn: Any
) -> float:
    features, targets = embed_items(model, rows)
    _, dtype = input_placement(head)
    with torch.no_grad():
        logits = head(torch.from_numpy(features).to(dtype=dtype)).float()
        return float(
            loss_fn(_squeeze(kind, logits), _scaled(kind, torch.from_numpy(targets), scale))
        )


def _target_scale(kind: str, targets: np.ndarray) -> tuple[float, float] | None:
    if kind != "regression":
        return None
    return float(targets.mean()), float(targets.std() or 1.0)


def _scaled(kind: str, y: torch.Tensor, scale: tuple[float, float] | None) -> torch.Tensor:
    if kind == "regression":
        return (y.float() - scale[0]) / scale[1]
    return y.float() if kind == "multilabel" else y.long()


def _squeeze(kind: str, logits: torch.Tensor) -> torch.Tensor:
    return logits[:, 0] if kind == "regression" else logits


def _loss(kind: str) -> nn.Module:
    if kind == "regression":
        return nn.MSELoss()
    if kind == "multilabel":
        return nn.BCEWithLogitsLoss()
    return nn.CrossEntropyLoss()
