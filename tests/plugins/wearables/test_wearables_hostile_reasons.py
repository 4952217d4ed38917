"""Issue 10: wide, huge-valued and duplicated-column CSVs and empty/binary .ts files get
their own reasons."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from plugins.wearables import plugin
from plugins.wearables.readers_table import CsvReader
from plugins.wearables.validate import validate_array
from sslsci.plugins.reader_choice import pick_reader


def test_wide_csv_is_too_many_columns_not_truncated(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    row = ",".join(["0.1"] * 200_000)
    path.write_text("time," + ",".join(f"c{i}" for i in range(200_000)) + "\n0," + row + "\n")
    with pytest.raises(ValueError, match=r"too many columns.*max_columns=1024") as info:
        list(CsvReader().read(str(path), sampling_rate=30))
    assert "truncated" not in str(info.value)


def test_values_near_1e200_are_out_of_range_not_nan(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    path = tmp_path / "huge.csv"
    lines = [f"{i / 30},{rng.normal() * 1e200},{rng.normal()},{rng.normal()}" for i in range(90)]
    path.write_text("time,acc_x,acc_y,acc_z\n" + "\n".join(lines) + "\n")
    array = next(CsvReader().read(str(path))).array
    problems = validate_array(array)
    assert problems[0].startswith("values out of range: channel acc_x holds")
    assert "e+200" in problems[0]


def test_duplicated_axis_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("time,acc_x,acc_x,acc_y\n" + "".join(f"{i},1,2,3\n" for i in range(9)))
    with pytest.raises(ValueError, match=r"duplicated column 'acc_x'"):
        list(CsvReader().read(str(path)))


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "the file is empty"), (bytes(range(256)) * 4, "not a UEA .ts file")],
)
def test_empty_and_binary_ts_get_their_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.ts"
    path.write_bytes(content)
    reader = pick_reader(plugin, str(path), None)
    with pytest.raises(ValueError, match=reason):
        list(reader.read(str(path), sampling_rate=10))
