"""Throughput and model FLOP utilisation (MFU) of a ViT-B MAE training step, eager vs
``trainer.compile`` (the backbone compiled in place), in bf16-mixed with fused AdamW: the
GPU path of issue 16. Prints, never asserts.

    python benchmarks/bench_gpu.py                      # on a CUDA machine: ViT-B/16, 224 px
    python benchmarks/bench_gpu.py --cpu-tiny           # no GPU: a tiny config, proves it runs

Without CUDA it says so and stops, unless ``--cpu-tiny``. FLOPs per step are counted by
``torch.utils.flop_counter`` on one real step (forward + backward), not from a formula;
MFU = counted FLOPs / step time / the device's dense bf16 peak (``--peak-tflops``).
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from torch.utils.flop_counter import FlopCounterMode

from sslsci.methods import build_method
from sslsci.nn import PatchTransformer
from sslsci.train.acceleration import prepare_backbone
from sslsci.train.optimizers import build_optimizer
from sslsci.train.pipeline import OptimizerConfig, TrainerConfig

# Dense bf16 tensor-core peaks (TFLOP/s) by device name, from the vendors' data sheets.
PEAK_TFLOPS = {"H200": 989.4, "H100": 989.4, "A100": 312.0, "L40S": 362.1, "A10": 125.0}

VIT_B = {"embed_dim": 768, "depth": 12, "num_heads": 12}
MAE_B = {"decoder_dim": 512, "decoder_depth": 8, "decoder_num_heads": 16}
TINY = {"embed_dim": 64, "depth": 2, "num_heads": 2}
MAE_TINY = {"decoder_dim": 32, "decoder_depth": 1, "decoder_num_heads": 2}


def build(args: argparse.Namespace, device: torch.device, compiled: bool):
    """The MAE method on a ViT backbone and its optimiser, as ``sslsci pretrain`` builds them."""
    torch.manual_seed(0)
    sizes, decoder = (TINY, MAE_TINY) if args.cpu_tiny else (VIT_B, MAE_B)
    backbone = PatchTransformer(in_channels=3, patch_size=(args.patch, args.patch), **sizes)
    method = build_method("mae", backbone, mask_ratio=0.75, **decoder).to(device)
    accelerator = "gpu" if device.type == "cuda" else "cpu"
    prepare_backbone(backbone, TrainerConfig(accelerator=accelerator, compile=compiled))
    optimizer = build_optimizer(method, OptimizerConfig(lr=1.5e-4))
    return method, optimizer


def step(method, optimizer, x: torch.Tensor, dtype: torch.dtype | None) -> None:
    with torch.autocast(x.device.type, dtype=dtype or torch.float32, enabled=dtype is not None):
        loss = method([x]).loss
    loss.backward()
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def time_steps(method, optimizer, x, dtype, warmup: int, steps: int) -> float:
    """Median seconds per step after ``warmup`` steps (compilation happens there)."""
    for _ in range(warmup):
        step(method, optimizer, x, dtype)
    sync(x.device)
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step(method, optimizer, x, dtype)
        sync(x.device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def counted_flops(args, device, x, dtype) -> int:
    method, optimizer = build(args, device, compiled=False)
    with FlopCounterMode(display=False) as counter:
        step(method, optimizer, x, dtype)
    return counter.get_total_flops()


def peak_flops(args: argparse.Namespace, device: torch.device) -> float | None:
    if args.peak_tflops:
        return args.peak_tflops * 1e12
    if device.type != "cuda":
        return None
    name = torch.cuda.get_device_name(device)
    return next((v * 1e12 for key, v in PEAK_TFLOPS.items() if key in name), None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--image", type=int, default=224)
    parser.add_argument("--patch", type=int, default=16)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--peak-tflops", type=float, default=None)
    parser.add_argument("--cpu-tiny", action="store_true", help="no GPU: tiny ViT, float32")
    args = parser.parse_args()
    if not torch.cuda.is_available() and not args.cpu_tiny:
        print("bench_gpu: no CUDA device here; skipped (pass --cpu-tiny to run a tiny config)")
        return
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if args.cpu_tiny and device.type == "cpu":
        args.batch, args.image, args.warmup, args.steps = 4, 32, 2, 3
    dtype = torch.bfloat16 if device.type == "cuda" else None  # bf16 is refused on the CPU
    x = torch.randn(args.batch, 3, args.image, args.image, device=device)
    flops = counted_flops(args, device, x, dtype)
    peak = peak_flops(args, device)
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu"
    print(
        f"device {name}; {'bf16-mixed' if dtype else '32-true'}; batch {args.batch} x "
        f"{args.image}^2; {flops / 1e9:.4g} GFLOP per step (counted)"
    )
    results = {}
    for label, compiled in (("eager", False), ("compiled", True)):
        method, optimizer = build(args, device, compiled)
        seconds = time_steps(method, optimizer, x, dtype, args.warmup, args.steps)
        results[label] = seconds
        mfu = f"{flops / seconds / peak:6.1%}" if peak else "n/a (unknown peak)"
        print(
            f"{label:9s} {seconds * 1e3:8.1f} ms/step  {args.batch / seconds:8.1f} images/s  "
            f"{flops / seconds / 1e12:7.1f} TFLOP/s  MFU {mfu}",
            flush=True,
        )
        del method, optimizer
    print(f"compiled / eager throughput: {results['eager'] / results['compiled']:.2f}x")


if __name__ == "__main__":
    main()
