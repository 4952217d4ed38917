"""Checkpoints in a run folder are data, never code: planted pickles are refused by name."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys
from pathlib import Path

import torch

SSLSCI = [sys.executable, "-m", "sslsci"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1", "COLUMNS": "1000"}


class _Payload:
    """Unpickling this runs ``exec``, which creates ``marker``: what an attacker would plant."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (builtins.exec, (f"open({str(self.marker)!r}, 'w').close()",))


def plant(path: Path, marker: Path) -> Path:
    """A file shaped like a Lightning checkpoint whose pickle creates ``marker`` when loaded."""
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save({"epoch": 0, "global_step": 10, "state_dict": {}, "hook": _Payload(marker)}, path)
    return path


def test_the_planted_checkpoint_runs_code_under_the_full_unpickler(tmp_path: Path) -> None:
    marker = tmp_path / "armed"
    torch.load(plant(tmp_path / "armed.ckpt", marker), weights_only=False)
    assert marker.exists()  # so the refusals below are refusals of a real attack


def test_resume_refuses_a_planted_checkpoint_and_runs_none_of_it(study, make_pipeline) -> None:
    pipeline = make_pipeline(study, "planted", max_steps=20, every=10)
    marker = study / "planted-marker"
    last = plant(study / "runs" / "planted" / "checkpoints" / "last.ckpt", marker)
    result = subprocess.run(
        [*SSLSCI, "pretrain", str(pipeline), "--resume", "--no-export"],
        cwd=study,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    message = " ".join(result.stderr.split())
    assert f"refusing to resume from {last}" in message
    assert "could run code planted in the run folder" in message
    assert "its pickle calls or builds exec" in message
    assert "run without --resume" in message
    assert "Traceback" not in result.stderr
    assert not marker.exists()


def test_export_refuses_a_planted_checkpoint(tmp_path: Path) -> None:
    marker = tmp_path / "export-marker"
    checkpoint = plant(tmp_path / "run" / "checkpoints" / "last.ckpt", marker)
    result = subprocess.run(
        [*SSLSCI, "export", str(checkpoint)], env=ENV, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert f"refusing to export {checkpoint}" in " ".join(result.stderr.split())
    assert not marker.exists()
