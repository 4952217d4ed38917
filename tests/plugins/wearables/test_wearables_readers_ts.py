"""UEA .ts reader: the real BasicMotions/RacketSports files, generated files, bad input."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from plugins.wearables.generator import ACTIVITIES, make_subject, synth_values
from plugins.wearables.readers_ts import TsReader
from plugins.wearables.samples import write_ts

DATA = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "wearables"
BASIC_MOTIONS_CLASSES = {"Standing", "Running", "Walking", "Badminton"}


def real_file(name: str) -> Path:
    path = DATA / name
    if not path.is_file():
        pytest.skip(f"real sample data {path} is absent")
    return path


Generated = tuple[Path, list[np.ndarray], list[str]]


@pytest.fixture
def generated_ts(tmp_path: Path) -> Generated:
    rng = np.random.default_rng(7)
    subject = make_subject(rng, "s01")
    labels = [ACTIVITIES[i % len(ACTIVITIES)] for i in range(6)]
    rows = [synth_values(a, subject, seconds=4.0, rate=20.0, rng=rng) for a in labels]
    return write_ts(tmp_path / "synth.ts", rows, labels, list(ACTIVITIES)), rows, labels


@pytest.mark.parametrize("name", ["BasicMotions_TRAIN.ts", "BasicMotions_TEST.ts"])
def test_basic_motions_has_40_labelled_6x100_records(name: str) -> None:
    path = real_file(name)
    records = list(TsReader().read(str(path), sampling_rate=10))
    assert len(records) == 40
    assert [r.item for r in records] == [str(i) for i in range(40)]
    for record in records:
        array = record.array
        assert array.dims == ("channel", "time")
        assert array.shape == (6, 100)
        assert list(array.coords["channel"].values) == [
            "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"
        ]  # fmt: skip
        assert array.attrs["sampling_rate"] == 10.0
        assert array.attrs["source"] == str(path)
        assert np.isfinite(array.values).all()
    counts = Counter(r.labels["label"] for r in records)
    assert set(counts) == BASIC_MOTIONS_CLASSES
    assert all(n == 10 for n in counts.values())


def test_basic_motions_first_value_matches_the_file_text() -> None:
    path = real_file("BasicMotions_TRAIN.ts")
    data_line = path.read_text().split("@data", 1)[1].strip().splitlines()[0]
    first_dims = data_line.split(":")
    record = next(iter(TsReader().read(str(path), sampling_rate=10)))
    assert record.array.values[0, 0] == pytest.approx(float(first_dims[0].split(",")[0]))
    assert record.array.values[5, -1] == pytest.approx(float(first_dims[5].split(",")[-1]))
    assert record.labels == {"label": first_dims[-1]}


@pytest.mark.parametrize(
    ("name", "count"), [("RacketSports_TRAIN.ts", 151), ("RacketSports_TEST.ts", 152)]
)
def test_racket_sports_records(name: str, count: int) -> None:
    records = list(TsReader().read(str(real_file(name)), sampling_rate=10))
    assert len(records) == count
    assert {r.array.shape for r in records} == {(6, 30)}
    assert {r.labels["label"] for r in records} <= {
        "Badminton_Smash", "Badminton_Clear", "Squash_ForehandBoast", "Squash_BackhandBoast"
    }  # fmt: skip


def test_sniff_accepts_uea_files_and_rejects_typescript(tmp_path: Path) -> None:
    reader = TsReader()
    head = real_file("BasicMotions_TRAIN.ts").read_bytes()[:4096]
    assert reader.sniff("BasicMotions_TRAIN.ts", head)
    assert not reader.sniff("app.ts", b"export const x: number = 1;\n")
    assert not reader.sniff("BasicMotions.csv", head)
    racket = real_file("RacketSports_TRAIN.ts").read_bytes()
    assert reader.sniff("RacketSports_TRAIN.ts", racket[:256])  # still in the comment block
    assert not reader.sniff("cli.ts", b"#!/usr/bin/env node\nconsole.log(1)\n")


def test_generated_file_round_trips(generated_ts: Generated) -> None:
    path, rows, labels = generated_ts
    records = list(TsReader().read(str(path), sampling_rate=20.0))
    assert [r.labels["label"] for r in records] == labels
    for record, row in zip(records, rows, strict=True):
        np.testing.assert_allclose(record.array.values, row, atol=1e-6)
        assert record.array.attrs["sampling_rate"] == 20.0


def test_channels_option_names_axes(generated_ts: Generated) -> None:
    path, _, _ = generated_ts
    names = ["a1", "a2", "a3", "g1", "g2", "g3"]
    record = next(iter(TsReader().read(str(path), sampling_rate=20.0, channels=names)))
    assert list(record.array.coords["channel"].values) == names


def test_acc_units_option_converts_to_g(
    generated_ts: Generated,
) -> None:
    path, rows, _ = generated_ts
    record = next(iter(TsReader().read(str(path), sampling_rate=20.0, acc_units="m/s^2")))
    np.testing.assert_allclose(record.array.values[:3], rows[0][:3] / 9.80665, atol=1e-6)
    np.testing.assert_allclose(record.array.values[3:], rows[0][3:], atol=1e-6)


def test_unknown_options_are_ignored(
    generated_ts: Generated,
) -> None:
    path, rows, _ = generated_ts
    records = list(TsReader().read(str(path), sampling_rate=20.0, glob="*.ts", labels="x.csv"))
    assert len(records) == len(rows)


def test_missing_rate_says_how_to_declare_it() -> None:
    path = real_file("BasicMotions_TRAIN.ts")
    with pytest.raises(ValueError, match=r"sampling_rate") as info:
        list(TsReader().read(str(path)))
    assert str(path) in str(info.value)
    assert "options: {sampling_rate: ...}" in str(info.value)


def _good_lines(tmp_path: Path) -> list[str]:
    rows = [np.arange(12, dtype=float).reshape(3, 4) + i for i in range(2)]
    path = write_ts(tmp_path / "base.ts", rows, ["a", "b"], ["a", "b"])
    return path.read_text().splitlines()


def _edit_last(old: str, new: str):
    return lambda lines: [*lines[:-1], lines[-1].replace(old, new, 1)]


def _edit_header(old: str, new: str):
    return lambda lines: [line.replace(old, new) for line in lines]


BAD_TS = {
    "truncated": (
        lambda lines: [*lines[:-1], lines[-1][:20]],
        r"line 12 has 1 ':'-separated fields but 4 are expected",
    ),
    "text": (_edit_last("2.000000", "abc"), r"'abc' is not a number"),
    "label": (_edit_last(":b", ":zzz"), r"class label 'zzz' is not"),
    "length": (_edit_header("@seriesLength 4", "@seriesLength 5"), r"@seriesLength says 5"),
    "ragged": (_edit_last(",6.000000", ""), r"different lengths"),
    "no-data": (lambda lines: lines[:9], r"no @data line"),
    "no-rows": (lambda lines: lines[:10], r"no recordings after the @data line"),
    "timestamps": (_edit_header("@timeStamps false", "@timeStamps true"), r"@timeStamps true"),
    "header": (_edit_header("@dimensions 3", "@dimensions three"), r"must be an integer"),
}


@pytest.mark.parametrize("case", sorted(BAD_TS))
def test_bad_files_raise_specific_errors(tmp_path: Path, case: str) -> None:
    mutate, message = BAD_TS[case]
    path = tmp_path / "bad.ts"
    path.write_text("\n".join(mutate(_good_lines(tmp_path))) + "\n")
    with pytest.raises(ValueError, match=message) as info:
        list(TsReader().read(str(path), sampling_rate=10))
    assert str(path) in str(info.value)


def test_empty_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "empty.ts"
    path.write_text("")
    with pytest.raises(ValueError, match=r"empty\.ts: the file is empty"):
        list(TsReader().read(str(path), sampling_rate=10))


def test_binary_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "binary.ts"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ValueError, match=r"binary\.ts: holds binary data"):
        list(TsReader().read(str(path), sampling_rate=10))
