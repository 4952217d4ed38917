"""Errors of `sslsci pretrain` and `sslsci run` through the real CLI in subprocesses: the
message alone (file, line, field, value, what is accepted), exit code 2, no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SSLSCI = [sys.executable, "-m", "sslsci"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "1"}


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*SSLSCI, *args], cwd=root, env=ENV, capture_output=True, text=True, timeout=600
    )


def broken_pipeline(root: Path, make_pipeline, run: str, old: str, new: str) -> Path:
    path = make_pipeline(root, run, max_steps=2, every=2)
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    return path


CASES = {
    "misspelt field": (
        "optimizer: {lr: 0.001}",
        "optimizer: {lr: 0.001, nme: lars}",
        [
            "line 11: field 'optimizer.nme', value 'lars': Extra inputs are not permitted; "
            "accepted fields: name, lr, weight_decay, momentum, lars_eta, fused, warmup_steps, "
            "final_lr_fraction"
        ],
    ),
    "unknown backbone": (
        "name: resnet1d",
        "name: resnet9",
        ["line 9: field 'backbone.name': value 'resnet9': not a wearables backbone; accepted: "],
    ),
    "bad backbone config": (
        "widths: [8, 16]",
        "widths: 8",
        [
            "line 9: field 'backbone.config': value {'widths': 8}: backbone 'resnet1d' cannot be "
            "built from it"
        ],
    ),
    "window longer than every item": (
        "window: {time: 64}",
        "window: {time: 4000}",
        [
            "line 7: field 'data.window.time': value 4000: 4000 samples along 'time', longer "
            "than every stored item (stored sizes: 360 samples (12 items)); accepted: 1 to 360"
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_pretrain_prints_the_problem_alone_and_exits_2(study, make_pipeline, case) -> None:
    old, new, expected = CASES[case]
    path = broken_pipeline(study, make_pipeline, f"bad_{case.replace(' ', '_')}", old, new)
    result = run_cli(study, "pretrain", str(path), "--no-export")
    shown = " ".join((result.stdout + result.stderr).split())  # rich wraps long lines
    assert result.returncode == 2, shown[-3000:]
    assert "Traceback" not in shown
    assert str(path.resolve()) in shown
    for text in expected:
        assert text in shown


def test_run_refuses_a_window_dim_the_plugin_lacks_before_ingesting(tmp_path) -> None:
    (tmp_path / "catalog.yaml").write_text(
        "entries:\n  - {name: study, modality: wearables, uri: archive}\n"
    )
    path = tmp_path / "tim.yaml"
    path.write_text(
        "name: tim\ncatalog: catalog.yaml\nplugin: wearables\n"
        "data: {entries: [study], window: {tim: 150}}\n"
        "backbone: {name: resnet1d}\nmethod: {name: simclr}\n"
    )
    result = run_cli(tmp_path, "run", str(path))
    shown = " ".join((result.stdout + result.stderr).split())
    assert result.returncode == 2, shown[-3000:]
    assert "Traceback" not in shown
    assert (
        f"{path.resolve()}: line 4: field 'data.window.tim': 'tim' is not a wearables window "
        "dim; window dims: time"
    ) in shown
    assert not (tmp_path / ".sslsci").exists(), "nothing may be ingested"
