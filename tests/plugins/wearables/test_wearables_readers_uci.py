"""UCI HAR style folder reader against a seeded folder in the UCI layout, and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plugins.wearables.generator import ACTIVITIES, make_subject, synth_values
from plugins.wearables.readers_uci import UciHarReader

UCI_NAMES = {1: "WALKING", 2: "WALKING_UPSTAIRS", 3: "SITTING", 4: "LAYING"}
SPLITS = {"train": 5, "test": 3}


def write_uci_folder(root: Path, seed: int = 5) -> dict[str, dict[str, np.ndarray]]:
    """A UCI HAR layout: activity_labels.txt, <split>/Inertial Signals/*_<axis>_<split>.txt,
    <split>/y_<split>.txt and subject_<split>.txt; 2.56 s windows at 50 Hz."""
    rng = np.random.default_rng(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "activity_labels.txt").write_text("".join(f"{k} {v}\n" for k, v in UCI_NAMES.items()))
    written: dict[str, dict[str, np.ndarray]] = {}
    for split, windows in SPLITS.items():
        signals = root / split / "Inertial Signals"
        signals.mkdir(parents=True)
        subject = make_subject(rng, "s")
        data = np.stack(
            [synth_values(ACTIVITIES[i % 5], subject, 2.56, 50.0, rng) for i in range(windows)]
        )
        total, gyro = data[:, :3], data[:, 3:]
        body = total - total.mean(axis=2, keepdims=True)
        for name, block in (("total_acc", total), ("body_acc", body), ("body_gyro", gyro)):
            for a, axis in enumerate("xyz"):
                np.savetxt(signals / f"{name}_{axis}_{split}.txt", block[:, a], fmt="%15.7e")
        ids = rng.integers(1, 5, size=windows)
        subjects = rng.integers(1, 31, size=windows)
        np.savetxt(root / split / f"y_{split}.txt", ids, fmt="%d")
        np.savetxt(root / split / f"subject_{split}.txt", subjects, fmt="%d")
        written[split] = {"total": total, "body": body, "gyro": gyro, "y": ids, "subject": subjects}
    return written


@pytest.fixture
def uci(tmp_path: Path) -> tuple[Path, dict[str, dict[str, np.ndarray]]]:
    root = tmp_path / "UCI HAR Dataset"
    return root, write_uci_folder(root)


def test_split_folder_gives_one_labelled_record_per_window(uci) -> None:
    root, written = uci
    folder = root / "train"
    records = list(UciHarReader().read(str(folder)))
    truth = written["train"]
    assert [r.item for r in records] == [f"train/{i}" for i in range(SPLITS["train"])]
    for i, record in enumerate(records):
        array = record.array
        assert array.dims == ("channel", "time")
        assert array.shape == (6, 128)
        assert list(array.coords["channel"].values)[:3] == ["acc_x", "acc_y", "acc_z"]
        assert array.attrs["sampling_rate"] == 50.0
        assert array.attrs["source"] == str(folder)
        np.testing.assert_allclose(array.values[:3], truth["total"][i], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(array.values[3:], truth["gyro"][i], rtol=1e-6, atol=1e-9)
        assert record.labels == {
            "label": UCI_NAMES[int(truth["y"][i])],
            "subject": str(truth["subject"][i]),
        }


def test_root_reads_every_split_and_signals_option(uci) -> None:
    root, written = uci
    records = list(UciHarReader().read(str(root), signals=["body_acc"], sampling_rate=25))
    assert sorted(r.item for r in records) == sorted(
        [f"test/{i}" for i in range(3)] + [f"train/{i}" for i in range(5)]
    )
    first_test = next(r for r in records if r.item == "test/0")
    assert first_test.array.shape == (3, 128)
    assert first_test.array.attrs["sampling_rate"] == 25.0
    np.testing.assert_allclose(first_test.array.values, written["test"]["body"][0], atol=1e-6)


def test_inertial_signals_folder_finds_labels_beside_it(uci) -> None:
    root, written = uci
    records = list(UciHarReader().read(str(root / "test" / "Inertial Signals")))
    assert [r.labels["label"] for r in records] == [UCI_NAMES[int(v)] for v in written["test"]["y"]]


def test_sniff_on_folder_layout(uci, tmp_path: Path) -> None:
    root, _ = uci
    reader = UciHarReader()
    assert reader.sniff(str(root), b"")
    assert reader.sniff(str(root / "train"), b"")
    assert reader.sniff(str(root / "train" / "Inertial Signals"), b"")
    assert not reader.sniff(str(root / "train" / "y_train.txt"), b"1\n")
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("hello")
    assert not reader.sniff(str(other), b"")
    with pytest.raises(ValueError, match=r"no UCI HAR axis files"):
        list(reader.read(str(other)))


def _signals(root: Path) -> Path:
    return root / "train" / "Inertial Signals"


def test_missing_axis_file(uci) -> None:
    root, _ = uci
    (_signals(root) / "body_gyro_z_train.txt").unlink()
    with pytest.raises(ValueError, match=r"signal 'body_gyro' needs x, y and z files, found"):
        list(UciHarReader().read(str(root / "train")))


def test_axis_files_with_different_window_counts(uci) -> None:
    root, _ = uci
    file = _signals(root) / "total_acc_y_train.txt"
    file.write_text("".join(file.read_text().splitlines(keepends=True)[:-1]))
    with pytest.raises(ValueError, match=r"axis files differ in shape"):
        list(UciHarReader().read(str(root / "train")))


def test_truncated_row(uci) -> None:
    root, _ = uci
    file = _signals(root) / "total_acc_x_train.txt"
    text = file.read_text()
    file.write_text(text[: len(text) - 200])
    with pytest.raises(ValueError, match=r"total_acc_x_train\.txt: line 5 has fewer values"):
        list(UciHarReader().read(str(root / "train")))


def test_text_in_axis_file(uci) -> None:
    root, _ = uci
    file = _signals(root) / "body_gyro_x_train.txt"
    lines = file.read_text().splitlines()
    lines[2] = lines[2].replace(lines[2].split()[3], "oops", 1)
    file.write_text("\n".join(lines) + "\n")
    with pytest.raises(ValueError, match=r"body_gyro_x_train\.txt: is not a table of numbers"):
        list(UciHarReader().read(str(root / "train")))


def test_label_file_of_wrong_length(uci) -> None:
    root, _ = uci
    (root / "train" / "y_train.txt").write_text("1\n2\n")
    with pytest.raises(ValueError, match=r"y_train\.txt: has 2 entries but the axis files have 5"):
        list(UciHarReader().read(str(root / "train")))
