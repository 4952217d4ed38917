"""Small real files, one per reader, for the conformance checks and the docs.

Each is written with the library or layout its format comes from: pandas for CSV and
Parquet, the UEA/UCR ``.ts`` text layout, and the UCI HAR folder layout.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from plugins.wearables.generator import ACTIVITIES, make_subject, synth_values
from plugins.wearables.spec import DEFAULT_CHANNELS
from sslsci.plugins import Sample

RATE_HZ = 30.0
SECONDS = 6.0


def _recording(seed: int, seconds: float = SECONDS, rate: float = RATE_HZ) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return synth_values(
        ACTIVITIES[seed % len(ACTIVITIES)], make_subject(rng, "s"), seconds, rate, rng
    )


def _table(values: np.ndarray, rate: float) -> pd.DataFrame:
    frame = pd.DataFrame(values.T, columns=list(DEFAULT_CHANNELS))
    frame.insert(0, "time", np.arange(values.shape[1]) / rate)
    return frame


def write_ts(
    path: Path, rows: list[np.ndarray], labels: list[str], classes: list[str] | None = None
) -> Path:
    """A multivariate, equal-length UEA ``.ts`` file with a class label per recording."""
    classes = classes if classes is not None else sorted(set(labels))
    header = [
        "# written by sslsci's wearables samples",
        "@problemName SslsciSample",
        "@timeStamps false",
        "@missing false",
        "@univariate false",
        f"@dimensions {rows[0].shape[0]}",
        "@equalLength true",
        f"@seriesLength {rows[0].shape[1]}",
        f"@classLabel true {' '.join(classes)}",
        "@data",
    ]
    lines = [
        ":".join(",".join(f"{v:.6f}" for v in axis) for axis in row) + f":{label}"
        for row, label in zip(rows, labels, strict=True)
    ]
    path.write_text("\n".join(header + lines) + "\n")
    return path


def write_uci_split(root: Path, split: str, windows: list[np.ndarray]) -> Path:
    """A UCI HAR split folder: ``Inertial Signals/<signal>_<axis>_<split>.txt`` + labels."""
    signals = root / split / "Inertial Signals"
    signals.mkdir(parents=True, exist_ok=True)
    data = np.stack(windows)
    total, gyro = data[:, :3], data[:, 3:]
    body = total - total.mean(axis=2, keepdims=True)
    for name, block in (("total_acc", total), ("body_acc", body), ("body_gyro", gyro)):
        for a, axis in enumerate("xyz"):
            np.savetxt(signals / f"{name}_{axis}_{split}.txt", block[:, a], fmt="%15.7e")
    np.savetxt(root / split / f"y_{split}.txt", np.arange(len(windows)) % 6 + 1, fmt="%d")
    np.savetxt(root / split / f"subject_{split}.txt", np.ones(len(windows)), fmt="%d")
    return root / split


def write_samples(folder: Path) -> list[Sample]:
    """A CSV, a Parquet table, a ``.ts`` file and a UCI HAR split (50 Hz, 2.56 s windows)."""
    folder = Path(folder)
    _table(_recording(0), RATE_HZ).to_csv(folder / "recording.csv", index=False)
    _table(_recording(1), RATE_HZ).to_parquet(folder / "recording.parquet")
    ts = write_ts(
        folder / "recordings.ts", [_recording(s, 3.0, 10.0) for s in (2, 3)], ["walk", "run"]
    )
    uci = write_uci_split(folder / "uci", "train", [_recording(s, 2.56, 50.0) for s in (4, 5)])
    return [
        Sample(folder / "recording.csv", "csv"),
        Sample(folder / "recording.parquet", "parquet"),
        Sample(ts, "uea_ts", {"sampling_rate": 10}),
        Sample(uci, "uci_har"),
    ]
