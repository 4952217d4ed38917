"""Hostile wearables sources: the mixed archive of the quarantine test, the reasons of the
issue-10 reader tests, odd entries, and a bracketed name rich markup used to eat."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tests.ingest.hostile.odd_entries import write_odd_entries
from tests.ingest.test_ingest_quarantine import EXPECTED as MIXED_REASONS
from tests.ingest.test_ingest_quarantine import write_mixed_archive

MODALITY = "wearables"
OPTIONS: dict = {"sampling_rate": 30}
INCLUDE = ["*.csv", "*.ts"]


def _csv(path: Path, header: list[str], rows: np.ndarray) -> None:
    lines = [",".join(header)] + [",".join(f"{v:.6g}" for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")


def _reader_cases(folder: Path, rng: np.random.Generator) -> dict[str, str]:
    columns = 200_000
    wide = (
        "time," + ",".join(f"c{i}" for i in range(columns)) + "\n0," + ",".join(["0.1"] * columns)
    )
    (folder / "wide.csv").write_text(wide + "\n")
    times = np.arange(300) / 30
    huge = np.c_[times, rng.normal(size=300) * 1e200, rng.normal(size=(300, 2))]
    _csv(folder / "huge_values.csv", ["time", "acc_x", "acc_y", "acc_z"], huge)
    dup = np.c_[times, rng.normal(size=(300, 3))]
    _csv(folder / "dup_column.csv", ["time", "acc_x", "acc_x", "acc_y"], dup)
    (folder / "empty.ts").write_bytes(b"")
    (folder / "binary.ts").write_bytes(rng.bytes(1024))
    (folder / "empty[bold].csv").write_bytes(b"")
    return {
        "wide.csv": "too many columns",
        "huge_values.csv": "values out of range",
        "dup_column.csv": "duplicated column 'acc_x'",
        "empty.ts": "the file is empty",
        "binary.ts": "not a UEA .ts file",
        "empty[bold].csv": "the file is empty",
    }


def write_corpus(folder: Path, seed: int) -> dict[str, str | None]:
    """Write the wearables corpus into ``folder``; {source name: expected reason or None}."""
    folder.mkdir(parents=True, exist_ok=True)
    good = write_mixed_archive(folder)
    (folder / "labels.csv").unlink()  # the demo's label sidecar is no recording
    expected: dict[str, str | None] = {name: None for name in good}
    expected.update({name: words[0] for name, words in MIXED_REASONS.items()})
    expected.update(_reader_cases(folder, np.random.default_rng(seed)))
    expected.update(write_odd_entries(folder, ".csv"))
    return expected
