"""Pretraining through the real CLI in subprocesses: crash + resume, and 2-process DDP."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import torch

SSLSCI = [sys.executable, "-m", "sslsci"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}


def _global_step(checkpoint: Path) -> int:
    return int(torch.load(checkpoint, map_location="cpu", weights_only=True)["global_step"])


def test_sigkill_after_checkpoint_then_resume_finishes_at_total(study, make_pipeline):
    pipeline = make_pipeline(study, "resume", max_steps=60, every=10)
    run = study / "runs" / "resume"
    proc = subprocess.Popen([*SSLSCI, "pretrain", str(pipeline), "--no-export"], cwd=study,
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not list((run / "checkpoints").glob("step*.ckpt")):
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
        assert time.monotonic() < deadline, "no checkpoint within 300 s"
        time.sleep(0.2)
    time.sleep(0.5)  # let the checkpoint file finish writing
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    saved = max(_global_step(p) for p in (run / "checkpoints").glob("step*.ckpt"))
    killed_at = _global_step(run / "checkpoints" / "last.ckpt")
    assert 10 <= killed_at < 60, "the kill must land between the first checkpoint and the end"
    resumed = subprocess.run([*SSLSCI, "pretrain", str(pipeline), "--resume", "--no-export"],
                             cwd=study, env=ENV, capture_output=True, text=True, timeout=600)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert _global_step(run / "checkpoints" / "last.ckpt") == 60
    versions = sorted((run / "logs").glob("version_*"), key=lambda p: int(p.name.split("_")[1]))
    steps = pd.read_csv(versions[-1] / "metrics.csv")["step"].dropna()
    assert steps.min() >= saved - 1, "the resumed run must continue, not start over"
    assert steps.max() >= 58


def test_ddp_two_cpu_processes_see_different_windows_and_agree_on_weights(study, make_pipeline):
    pipeline = make_pipeline(study, "ddp", max_steps=6, every=100, devices=2, strategy="ddp",
                              record=True)
    result = subprocess.run([*SSLSCI, "pretrain", str(pipeline), "--no-export"], cwd=study,
                            env=ENV, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    run = study / "runs" / "ddp"
    rank0 = (run / "windows_rank0.txt").read_text().split()
    rank1 = (run / "windows_rank1.txt").read_text().split()
    hashes0, hashes1 = set(rank0[1::2]), set(rank1[1::2])
    assert len(hashes0) == 6 and len(hashes1) == 6
    assert not hashes0 & hashes1, "ranks must draw different windows"
    assert (run / "weights_rank0.txt").read_text() == (run / "weights_rank1.txt").read_text()
