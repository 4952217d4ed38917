"""Reader for UCI HAR style folders: one text file per signal axis, one window per row.

The UCI HAR Dataset (Anguita et al., 2013) ships ``train/Inertial Signals/`` with
``total_acc_x_train.txt`` (g, gravity included), ``body_gyro_x_train.txt`` (rad/s),
..., each row one 2.56 s window at 50 Hz, plus ``train/y_train.txt`` (activity ids),
``train/subject_train.txt`` and ``activity_labels.txt`` at the root. The unit read is
the folder; each window becomes one record labelled with its activity and subject.

Items hold one accelerometer and one gyroscope triple. By default the reader takes
``total_acc`` (gravity included, like every other wearables reader), else ``body_acc``,
plus ``body_gyro``; so in UCI HAR the ``body_acc`` channels are left out. The ingest
report says so (``attrs["left_out"]``); option ``signals`` picks other signals, e.g.
``[body_acc, body_gyro]``. Windows are stored at the plugin's target rate (30 Hz by
default: a 128-sample 50 Hz window becomes 77 samples); ``target_rate: 50`` keeps them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from plugins.wearables.arrays import build_array, to_spec_units
from plugins.wearables.spec import ACC_CHANNELS, GYR_CHANNELS
from sslsci.plugins.contract import Record

AXIS_FILE = re.compile(r"^(?P<signal>.+)_(?P<axis>[xyz])_(?P<split>[A-Za-z0-9]+)\.txt$")
SIGNALS_FOLDER = "Inertial Signals"
UCI_HAR_RATE_HZ = 50.0
DEFAULT_ACC_SIGNALS = ("total_acc", "body_acc")
DEFAULT_GYR_SIGNALS = ("body_gyro",)


def axis_files(folder: Path) -> dict[str, dict[str, dict[str, Path]]]:
    """split -> signal -> axis -> file, for the axis files directly in ``folder``."""
    found: dict[str, dict[str, dict[str, Path]]] = {}
    if not folder.is_dir():
        return found
    for file in sorted(folder.iterdir()):
        match = AXIS_FILE.match(file.name)
        if match and file.is_file():
            split = found.setdefault(match["split"], {})
            split.setdefault(match["signal"], {})[match["axis"]] = file
    return found


def signal_folders(path: Path) -> list[Path]:
    """Folders holding axis files: ``path``, its ``Inertial Signals``, or its splits' ones."""
    candidates = [path, path / SIGNALS_FOLDER]
    if path.is_dir():
        candidates += sorted(child / SIGNALS_FOLDER for child in path.iterdir() if child.is_dir())
    return [folder for folder in candidates if axis_files(folder)]


def choose_signals(
    signals: Mapping[str, dict[str, Path]], options: Mapping[str, Any], where: Path
) -> list[tuple[str, tuple[str, ...]]]:
    """(signal, channel names) to read: option ``signals`` or total_acc/body_acc + body_gyro."""
    wanted: Sequence[str] | None = options.get("signals")
    if wanted is None:
        acc = next((s for s in DEFAULT_ACC_SIGNALS if s in signals), None)
        gyr = next((s for s in DEFAULT_GYR_SIGNALS if s in signals), None)
        wanted = [s for s in (acc, gyr) if s is not None]
        if not wanted:
            raise ValueError(
                f"{where}: none of the signals {sorted(signals)} is a default one "
                f"({list(DEFAULT_ACC_SIGNALS + DEFAULT_GYR_SIGNALS)}); choose them with "
                "options: {signals: [...]} in the catalog entry"
            )
    chosen = []
    for signal in wanted:
        axes = signals.get(signal, {})
        if sorted(axes) != ["x", "y", "z"]:
            raise ValueError(
                f"{where}: signal {signal!r} needs x, y and z files, found "
                f"{sorted(axes) or 'none'}; add the missing files or choose other signals"
            )
        chosen.append((signal, GYR_CHANNELS if "gyro" in signal else ACC_CHANNELS))
    names = [n for _, group in chosen for n in group]
    if len(set(names)) != len(names):
        raise ValueError(
            f"{where}: signals {list(wanted)} would give two accelerometer or two gyroscope "
            "triples; choose one of each with options: {signals: [...]}"
        )
    return chosen


def left_out_note(
    signals: Mapping[str, dict[str, Path]], chosen: Sequence[tuple[str, tuple[str, ...]]]
) -> dict[str, str]:
    """``{"left_out": ...}`` naming the signals found but not read (the ingest report
    shows it), or nothing when every signal is read."""
    left = sorted(set(signals) - {signal for signal, _ in chosen})
    if not left:
        return {}
    read = ", ".join(signal for signal, _ in chosen)
    return {
        "left_out": f"uci_har read signals {read} and left out {', '.join(left)} (one "
        "accelerometer and one gyroscope triple per item); choose others with options: "
        "{signals: [...]}"
    }


def load_matrix(file: Path) -> np.ndarray:
    """A whitespace-separated numeric text file -> ``[rows, columns]`` float64."""
    if file.stat().st_size == 0:
        raise ValueError(f"{file}: the file is empty; copy it again from the original archive")
    try:
        frame = pd.read_csv(file, sep=r"\s+", header=None, dtype=np.float64)
    except (ValueError, pd.errors.ParserError) as exc:
        raise ValueError(
            f"{file}: is not a table of numbers ({exc}); copy it again from the original archive"
        ) from exc
    values = frame.to_numpy()
    if np.isnan(values).any():
        row = int(np.flatnonzero(np.isnan(values).any(axis=1))[0])
        raise ValueError(
            f"{file}: line {row + 1} has fewer values than the others; the file is truncated "
            "or damaged: copy it again from the original archive"
        )
    return values


def _find_upwards(folder: Path, name: str, levels: int) -> Path | None:
    for candidate in [folder, *folder.parents][: levels + 1]:
        if (candidate / name).is_file():
            return candidate / name
    return None


def activity_names(folder: Path) -> dict[str, str]:
    """Activity id -> name from ``activity_labels.txt`` when the archive has one."""
    file = _find_upwards(folder, "activity_labels.txt", levels=3)
    if file is None:
        return {}
    pairs = (line.split(maxsplit=1) for line in file.read_text().splitlines() if line.strip())
    return {pair[0]: pair[1].strip() for pair in pairs if len(pair) == 2}


def window_labels(folder: Path, split: str, rows: int) -> list[dict[str, str]]:
    """Per-window labels from ``y_<split>.txt`` and ``subject_<split>.txt`` when present."""
    labels: list[dict[str, str]] = [{} for _ in range(rows)]
    names = activity_names(folder)
    for key, stem in (("label", "y"), ("subject", "subject")):
        file = _find_upwards(folder, f"{stem}_{split}.txt", levels=1)
        if file is None:
            continue
        values = file.read_text().split()
        if len(values) != rows:
            raise ValueError(
                f"{file}: has {len(values)} entries but the axis files have {rows} windows; "
                "the files come from different versions: copy them again together"
            )
        for entry, value in zip(labels, values, strict=True):
            entry[key] = names.get(value, value) if key == "label" else value
    return labels


def read_split(
    folder: Path,
    split: str,
    signals: Mapping[str, dict[str, Path]],
    source: str,
    options: Mapping[str, Any],
) -> Iterator[Record]:
    """All windows of one split of one folder, as records ``<split>/<row>``."""
    chosen = choose_signals(signals, options, folder)
    blocks = [load_matrix(signals[s][axis]) for s, _ in chosen for axis in "xyz"]
    shapes = {block.shape for block in blocks}
    if len(shapes) != 1:
        raise ValueError(
            f"{folder}: the {split} axis files differ in shape {sorted(shapes)}; they must hold "
            "the same windows: copy them again from the original archive"
        )
    data = np.stack(blocks, axis=1)  # [windows, channels, time]
    channels = [n for _, group in chosen for n in group]
    rate = options.get("sampling_rate") or UCI_HAR_RATE_HZ
    labels = window_labels(folder, split, data.shape[0])
    for row, window in enumerate(data):
        values = to_spec_units(window, channels, options, str(folder))
        attrs = {"uci_split": split, "signals": ",".join(s for s, _ in chosen)}
        attrs.update(left_out_note(signals, chosen))
        array = build_array(values, channels, rate=rate, source=source, attrs=attrs)
        yield Record(array=array, item=f"{split}/{row}", labels=labels[row])


class UciHarReader:
    """UCI HAR style folders (``Inertial Signals``); the rate defaults to UCI HAR's 50 Hz.

    Reads ``total_acc`` (else ``body_acc``) and ``body_gyro``, leaving ``body_acc`` out when
    both accelerometer signals exist; option ``signals`` chooses.
    """

    name = "uci_har"
    suffixes: tuple[str, ...] = ()

    def sniff(self, path: str, head: bytes) -> bool:
        """A folder with ``<signal>_<x|y|z>_<split>.txt`` files in it or below it."""
        return Path(path).is_dir() and bool(signal_folders(Path(path)))

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """Yield one record per window of every split found under ``path``."""
        folders = signal_folders(Path(path))
        if not folders:
            raise ValueError(
                f"{path}: no UCI HAR axis files (<signal>_<x|y|z>_<split>.txt, e.g. "
                "body_acc_x_train.txt) in the folder or its 'Inertial Signals' subfolder; "
                "point the catalog entry at the split folder"
            )
        for folder in folders:
            for split, signals in axis_files(folder).items():
                yield from read_split(folder, split, signals, path, options)
