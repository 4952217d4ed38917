"""`sslsci demo` from a folder outside the checkout (the pipeline and catalog are package
data): its console shows one progress display, the results table and the paths, nothing
of the libraries' chatter. The slow test checks the README's claim on the real demo."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from sslsci.demo import demo_folder

SSLSCI = [sys.executable, "-m", "sslsci"]
ENV = {**os.environ, "PYTHONUNBUFFERED": "1", "OMP_NUM_THREADS": "2"}
CHECKOUT = Path(__file__).resolve().parents[2]
NOISE = ("Traceback", "DeprecationWarning", "litlogger", "LitLogger", "lightning.ai", "💡")


def shrink(pipeline: Path) -> None:
    """The shipped demo with a few steps on a tiny backbone: the console, not the result."""
    recipe = yaml.safe_load(pipeline.read_text())
    recipe["data"].update(samples_per_epoch=128, batch_size=32, num_workers=0)
    recipe["backbone"]["config"] = {"widths": [8, 16]}
    recipe["optimizer"]["warmup_steps"] = 2
    recipe["trainer"].update(max_steps=4, checkpoint_every_n_steps=2, log_every_n_steps=2)
    pipeline.write_text(yaml.safe_dump(recipe, sort_keys=False))


def run_demo(root: Path, *args: str) -> str:
    assert not root.resolve().is_relative_to(CHECKOUT)
    result = subprocess.run(
        [*SSLSCI, "demo", *args], cwd=root, env=ENV, capture_output=True, text=True, timeout=1500
    )
    shown = result.stdout + result.stderr
    assert result.returncode == 0, shown[-3000:]
    return shown


def test_demo_console_shows_progress_results_and_paths_only(tmp_path) -> None:
    pipeline = demo_folder(tmp_path)  # what `sslsci demo` copies from the package
    shrink(pipeline)
    shown = run_demo(tmp_path, "--pipeline", str(pipeline.relative_to(tmp_path)))
    for noise in NOISE:
        assert noise not in shown
    assert not re.search(r"Epoch \d+/-\d", shown), "a step run has no epoch total"
    assert "GPU available" not in shown and "Trainer.fit" not in shown  # Lightning INFO
    assert len(re.findall(r"pretrain .* 4/4 steps", shown)) == 1
    assert re.search(r"│ SSL +│", shown) and re.search(r"│ random init +│", shown)
    run = tmp_path / "sslsci-demo" / "runs" / "wearables-demo"
    assert f"bundle: {run / 'bundle'}\n" in shown  # whole, not wrapped mid-path
    assert f"report (wearables-demo): {run / 'bundle' / 'report.md'}\n" in shown


@pytest.mark.slow
def test_readme_claim_ssl_linear_probe_beats_random_init_on_the_demo(tmp_path) -> None:
    """The demo exactly as shipped (seed 0, 150 steps), run as a user runs it."""
    run_demo(tmp_path)
    meta = tmp_path / "sslsci-demo" / "runs" / "wearables-demo" / "bundle" / "sslsci.json"
    results = json.loads(meta.read_text())["evaluation"]["wearables-demo"]
    ssl, random_init = (results[k]["linear"]["accuracy"] for k in ("ssl", "random_init"))
    assert ssl > random_init, f"SSL {ssl:.3f} vs random init {random_init:.3f}"
