"""`sslsci demo` from a folder outside the checkout (the pipeline and catalog are package
data): its console shows one progress display, the results table and the paths, nothing
of the libraries' chatter; and the README's claim holds on it."""

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


def run_demo(root: Path, *args: str) -> str:
    assert not root.resolve().is_relative_to(CHECKOUT)
    result = subprocess.run(
        [*SSLSCI, "demo", *args], cwd=root, env=ENV, capture_output=True, text=True, timeout=1500
    )
    shown = result.stdout + result.stderr
    assert result.returncode == 0, shown[-3000:]
    return shown


@pytest.mark.slow
def test_demo_as_shipped_shows_only_progress_results_and_paths_and_ssl_beats_random_init(
    tmp_path,
) -> None:
    """The demo exactly as shipped (seed 0), run as a user runs it: one run checks both the
    console and the README's claim (a second, shrunk run cost as much again in start-up)."""
    shown = run_demo(tmp_path)
    for noise in NOISE:
        assert noise not in shown
    assert not re.search(r"Epoch \d+/-\d", shown), "a step run has no epoch total"
    assert "GPU available" not in shown and "Trainer.fit" not in shown  # Lightning INFO
    steps = yaml.safe_load(demo_folder(tmp_path / "shipped").read_text())["trainer"]["max_steps"]
    assert len(re.findall(rf"pretrain .* {steps}/{steps} steps", shown)) == 1
    assert re.search(r"│ SSL +│", shown) and re.search(r"│ random init +│", shown)
    run = tmp_path / "sslsci-demo" / "runs" / "wearables-demo"
    assert f"bundle: {run / 'bundle'}\n" in shown  # whole, not wrapped mid-path
    assert f"report (wearables-demo): {run / 'bundle' / 'report.md'}\n" in shown

    meta = run / "bundle" / "sslsci.json"
    results = json.loads(meta.read_text())["evaluation"]["wearables-demo"]
    ssl, random_init = (results[k]["linear"]["accuracy"] for k in ("ssl", "random_init"))
    assert ssl > random_init, f"SSL {ssl:.3f} vs random init {random_init:.3f}"
