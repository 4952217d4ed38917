"""Overhead of sslsci's training step vs a hand-written PyTorch loop, and MAE FLOPs.

Both loops train the same backbone + method with the same optimizer and schedule
on the same in-memory batch; each step is timed from batch start to optimizer
step end, and the medians after warm-up are compared. Run:

    .venv/bin/python benchmarks/bench_train_step.py
"""

from __future__ import annotations

import argparse
import statistics
import time
import warnings

import lightning as L
import torch
from lightning.pytorch.callbacks import Callback
from torch.utils.data import DataLoader, Dataset
from torch.utils.flop_counter import FlopCounterMode

from sslsci.methods import build_method
from sslsci.methods.schedules import linear_warmup_cosine
from sslsci.nn import PatchTransformer, ResNet1D
from sslsci.train.module import SSLModule
from sslsci.train.pipeline import OptimizerConfig


class FixedBatches(Dataset):
    """The same two views every step: data loading is out of the comparison."""

    def __init__(self, views: list[torch.Tensor], steps: int) -> None:
        self.views, self.steps = views, steps

    def __len__(self) -> int:
        return self.steps

    def __getitem__(self, index: int) -> list[torch.Tensor]:
        return self.views


class StepTimer(Callback):
    def __init__(self) -> None:
        self.times: list[float] = []
        self._start = 0.0

    def on_train_batch_start(self, *args) -> None:
        self._start = time.perf_counter()

    def on_train_batch_end(self, *args) -> None:
        self.times.append(time.perf_counter() - self._start)


def make_method(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return build_method("simclr", ResNet1D(in_channels=6, widths=(32, 64, 128)))


def lightning_steps(views: list[torch.Tensor], steps: int, cfg: OptimizerConfig) -> list[float]:
    module = SSLModule(make_method(0), cfg, max_steps=steps)
    timer = StepTimer()
    loader = DataLoader(FixedBatches(views, steps), batch_size=None)
    trainer = L.Trainer(accelerator="cpu", devices=1, max_steps=steps, logger=False,
                        enable_checkpointing=False, enable_progress_bar=False,
                        enable_model_summary=False, callbacks=[timer])
    trainer.fit(module, loader)
    return timer.times


def plain_steps(views: list[torch.Tensor], steps: int, cfg: OptimizerConfig) -> list[float]:
    method = make_method(0)
    opt = torch.optim.AdamW(method.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: linear_warmup_cosine(s, steps, cfg.warmup_steps, 1.0,
                                            cfg.final_lr_fraction))
    method.train()
    times = []
    for step in range(steps):
        start = time.perf_counter()
        out = method(views)
        opt.zero_grad(set_to_none=True)
        out.loss.backward()
        opt.step()
        schedule.step()
        method.momentum_update(step, steps)
        times.append(time.perf_counter() - start)
    return times


def mae_flops(mask_ratio: float) -> int:
    """Forward + backward FLOPs of one MAE step; mask 0 encodes and decodes every token
    (the method refuses ratio 0 for training, so its parts are driven directly)."""
    torch.manual_seed(0)
    backbone = PatchTransformer(in_channels=1, patch_size=(16, 16), embed_dim=192, depth=6,
                                num_heads=3)
    method = build_method("mae", backbone, mask_ratio=0.75)
    x = torch.randn(8, 1, 128, 128)
    with FlopCounterMode(display=False) as counter:
        encoded, token_mask = method.encode_visible(x, mask_ratio=mask_ratio)
        grid = backbone.grid_shape(x.shape[2:])
        prediction = method.decoder(encoded, token_mask.restore, grid)
        target = backbone.patchify(x)
        weight = token_mask.mask.float() if mask_ratio > 0 else torch.ones(target.shape[:2])
        per_patch = ((prediction - target) ** 2).mean(dim=-1)
        ((per_patch * weight).sum() / weight.sum()).backward()
    return counter.get_total_flops()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    g = torch.Generator().manual_seed(0)
    views = [torch.randn(64, 6, 150, generator=g) for _ in range(2)]
    cfg = OptimizerConfig(lr=1e-3, warmup_steps=5)
    plain_ms, ours_ms, ratios = [], [], []
    for round_ in range(args.rounds):  # alternate which goes first: load drifts on a shared VM
        runs = [("plain", plain_steps), ("ours", lightning_steps)]
        medians = {}
        for name, run in runs if round_ % 2 == 0 else runs[::-1]:
            medians[name] = statistics.median(run(views, args.steps, cfg)[args.warmup:])
        plain_ms.append(medians["plain"] * 1e3)
        ours_ms.append(medians["ours"] * 1e3)
        ratios.append(medians["ours"] / medians["plain"])
    dense, masked = mae_flops(0.0), mae_flops(0.75)
    print(f"{'measure':<48}{'value':>14}")
    print(f"{'hand-written loop, median step (ms)':<48}{statistics.median(plain_ms):>14.2f}")
    print(f"{'sslsci Lightning module, median step (ms)':<48}{statistics.median(ours_ms):>14.2f}")
    print(f"{'overhead ratio per round':<48}{' '.join(f'{r:.3f}' for r in ratios):>14}")
    print(f"{'overhead ratio, median of rounds':<48}{statistics.median(ratios):>14.3f}")
    print(f"{'MAE fwd+bwd GFLOPs, mask 0':<48}{dense / 1e9:>14.2f}")
    print(f"{'MAE fwd+bwd GFLOPs, mask 0.75':<48}{masked / 1e9:>14.2f}")
    print(f"{'FLOPs ratio (mask 0.75 / mask 0)':<48}{masked / dense:>14.3f}")


if __name__ == "__main__":
    main()
