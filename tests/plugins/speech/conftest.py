"""Seeded test signals and the real FSDD folder, shared by the speech tests."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

FSDD = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "speech" / "fsdd"
TONES_HZ = (220.0, 1000.0, 2500.0)


def tones(rate: float, seconds: float, channels: int = 1, seed: int = 0) -> np.ndarray:
    """``[time, channels]`` float32: three tones below 4 kHz plus a little seeded noise, each
    channel its own phase, peak about 0.5."""
    rng = np.random.default_rng(seed)
    t = np.arange(round(rate * seconds)) / rate
    all_phases = rng.uniform(0, 2 * np.pi, (channels, len(TONES_HZ)))
    columns = []
    for phases in all_phases:
        wave = sum(np.sin(2 * np.pi * f * t + p) for f, p in zip(TONES_HZ, phases, strict=True))
        columns.append(0.15 * wave + 0.001 * rng.standard_normal(t.size))
    return np.stack(columns, axis=1).astype(np.float32)


@pytest.fixture(scope="session")
def make_tones() -> Callable[..., np.ndarray]:
    return tones


@pytest.fixture
def fsdd() -> Path:
    if not FSDD.is_dir():
        pytest.skip(f"real sample data {FSDD} is absent")
    return FSDD
