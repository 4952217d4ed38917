"""Tiny synthetic wearables archives for the continual tests (labels in the file names)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from plugins.wearables.generator import ACTIVITIES, make_subject, synth_values
from plugins.wearables.spec import DEFAULT_CHANNELS

RATE = 30.0
SECONDS = 12.0
LABEL_REGEX = r"(?P<label>[a-z]+)-(?P<subject>[a-z0-9]+)-r\d+\.csv"
TEST_REGEX = r"-t\d+-"  # subjects t01, t02, ... are the test split


def _write(path: Path, values: np.ndarray) -> None:
    frame = pd.DataFrame(values.T, columns=list(DEFAULT_CHANNELS))
    frame.insert(0, "time", np.arange(values.shape[1]) / RATE)
    frame.to_csv(path, index=False, float_format="%.5f")


def write_recordings(folder: Path, subjects: list[str], per_subject: int, seed: int) -> list[Path]:
    """One CSV per recording, every activity in turn, named activity-subject-rNN.csv."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    written = []
    for subject_id in subjects:
        subject = make_subject(rng, subject_id)
        for r in range(per_subject):
            activity = ACTIVITIES[r % len(ACTIVITIES)]
            path = folder / f"{activity}-{subject_id}-r{r:02d}.csv"
            _write(path, synth_values(activity, subject, SECONDS, RATE, rng))
            written.append(path)
    return written


def write_noise(folder: Path, count: int, seed: int, scale_g: float = 4.0) -> list[Path]:
    """Pure white noise that passes validation (every sample's norm under 16 g and 40 rad/s,
    no gaps): what a poisoned batch, a sensor streaming garbage, looks like to ingest."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n = int(SECONDS * RATE)
    written = []
    for k in range(count):
        values = np.concatenate(
            [
                np.clip(rng.normal(0, scale_g, (3, n)), -8, 8),  # norm <= 13.9 g
                np.clip(rng.normal(0, 5 * scale_g, (3, n)), -22, 22),  # norm <= 38.2 rad/s
            ]
        )
        path = folder / f"noise-n{k:02d}-r00.csv"
        _write(path, values)
        written.append(path)
    return written


def catalog_text(archive: str, schedule: str | None = None) -> str:
    lines = [
        "entries:",
        "  - name: stream",
        "    modality: wearables",
        f"    uri: {archive}",
        '    include: ["*.csv"]',
        f"    labels: {{regex: '{LABEL_REGEX}', group_column: subject}}",
        f"    splits: {{regex: {{test: '{TEST_REGEX}'}}, default: train}}",
    ]
    if schedule:
        lines.append(f"    schedule: '{schedule}'")
    return "\n".join(lines) + "\n"


def pipeline_text(registry: str, steps: int = 30, tolerance: float = 0.1) -> str:
    return f"""name: stream-continual
catalog: data_catalog.yaml
output: runs
plugin: wearables
seed: 0
data:
  entries: [stream]
  split: train
  window: {{time: 60}}
  samples_per_epoch: 256
  batch_size: 32
  num_workers: 0
backbone: {{name: resnet1d, config: {{widths: [16, 32]}}}}
method: {{name: simclr, temperature: 0.2}}
optimizer: {{name: adamw, lr: 0.003, warmup_steps: 0}}
trainer: {{max_steps: {steps}, checkpoint_every_n_steps: 5, log_every_n_steps: 5}}
evaluate:
  - entry: stream
    synthetic: true
continual:
  registry: {registry}
  model: wearables/stream-simclr
  steps: {steps}
  replay: 0.25
  tolerance: {tolerance}
"""
