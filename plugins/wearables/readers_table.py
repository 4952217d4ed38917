"""Readers for CSV and Parquet tables: one recording per file, one row per sample.

A table has a time column (seconds or datetimes; option ``time_column``, default the
first of ``time``/``timestamp``/``t``) or a declared rate (option ``sampling_rate``),
and axis columns (option ``columns``, a list or a ``{column: channel}`` mapping;
default: recognised names such as ``acc_x``/``gyr_x`` or ``x``/``y``/``z``).
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from plugins.wearables.arrays import build_array, to_spec_units
from plugins.wearables.file_checks import check_text_file
from plugins.wearables.options import MAX_COLUMNS
from plugins.wearables.spec import DEFAULT_CHANNELS
from sslsci.plugins.contract import Record

TIME_COLUMNS = ("time", "timestamp", "t")
HEADER_BYTES = 1 << 20  # the header line is looked for in the first MiB
BYTES_PER_FIELD = 64  # a field longer than this on the last line is not a cut-off number
TIME_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}
AXIS_ALIASES: dict[str, tuple[str, ...]] = {
    "acc_x": ("acc_x", "accx", "ax", "accel_x", "x"),
    "acc_y": ("acc_y", "accy", "ay", "accel_y", "y"),
    "acc_z": ("acc_z", "accz", "az", "accel_z", "z"),
    "gyr_x": ("gyr_x", "gyrx", "gx", "gyro_x"),
    "gyr_y": ("gyr_y", "gyry", "gy", "gyro_y"),
    "gyr_z": ("gyr_z", "gyrz", "gz", "gyro_z"),
}


def _lookup(frame: pd.DataFrame) -> dict[str, str]:
    """Lower-cased, stripped column name -> the column's real name."""
    return {str(c).strip().lower(): str(c) for c in frame.columns}


def channel_for(column: str) -> str:
    """The spec channel a column name stands for, or the name itself."""
    key = column.strip().lower()
    for channel, aliases in AXIS_ALIASES.items():
        if key in aliases:
            return channel
    return column


def axis_columns(frame: pd.DataFrame, options: Mapping[str, Any], path: str) -> dict[str, str]:
    """Column -> channel for the axes to read, from option ``columns`` or by name."""
    wanted = options.get("columns")
    if wanted is not None:
        mapping = (
            {str(k): str(v) for k, v in wanted.items()}
            if isinstance(wanted, Mapping)
            else {str(c): channel_for(str(c)) for c in wanted}
        )
        missing = [c for c in mapping if c not in frame.columns]
        if missing:
            raise ValueError(
                f"{path}: option columns names {missing}, not in the file's columns "
                f"{[str(c) for c in frame.columns]}; fix options: {{columns: [...]}}"
            )
        return mapping
    names = _lookup(frame)
    found: dict[str, str] = {}
    for channel, aliases in AXIS_ALIASES.items():
        present = [names[a] for a in aliases if a in names and names[a] not in found]
        if len(present) > 1:
            raise ValueError(
                f"{path}: columns {present} all stand for channel {channel}; reading one would "
                "drop the others: name the columns to read with options: {columns: [...]}"
            )
        if present:
            found[present[0]] = channel
    if not found:
        raise ValueError(
            f"{path}: no axis columns recognised among {[str(c) for c in frame.columns]}; "
            f"name them {list(DEFAULT_CHANNELS)} or x/y/z, or set options: {{columns: [...]}} "
            "in the catalog entry"
        )
    return found


def time_column(frame: pd.DataFrame, options: Mapping[str, Any], path: str) -> str | None:
    """The time column's name (option ``time_column`` or auto-detected), or None."""
    declared = options.get("time_column")
    if declared is not None:
        if declared not in frame.columns:
            raise ValueError(
                f"{path}: option time_column={declared!r} is not a column of the file "
                f"{[str(c) for c in frame.columns]}; fix the option or remove it and set "
                "sampling_rate"
            )
        return str(declared)
    names = _lookup(frame)
    return next((names[c] for c in TIME_COLUMNS if c in names), None)


def _first_bad(original: pd.Series, parsed: pd.Series) -> int:
    bad = original.notna().to_numpy() & parsed.isna().to_numpy()
    return int(np.flatnonzero(bad)[0])


def numeric_values(frame: pd.DataFrame, column: str, path: str, line_offset: int) -> np.ndarray:
    """A column as float64, or an error naming the first value that is not a number."""
    series = frame[column]
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        parsed = pd.to_numeric(series, errors="coerce")
        if parsed.notna().sum() != series.notna().sum():
            row = _first_bad(series, parsed)
            raise ValueError(
                f"{path}: column {column!r} holds text {series.iloc[row]!r} at "
                f"{_where(row, line_offset)} where a number is expected; fix the value, or "
                "name the axis columns with options: {columns: [...]} if this is not an axis"
            )
        series = parsed
    return series.to_numpy(dtype=np.float64, na_value=np.nan)


def _where(row: int, line_offset: int) -> str:
    return f"line {row + line_offset}" if line_offset else f"row {row}"


def _numeric_seconds(
    frame: pd.DataFrame, column: str, options: Mapping[str, Any], path: str, line_offset: int
) -> np.ndarray:
    unit = options.get("time_unit", "s")  # one of TIME_UNITS (checked by the options model)
    return numeric_values(frame, column, path, line_offset) * TIME_UNITS[unit]


def _parse_datetimes(
    series: pd.Series, column: str, options: Mapping[str, Any], path: str, line_offset: int
) -> pd.Series:
    time_format = options.get("time_format", "ISO8601")
    stamps = pd.to_datetime(series, errors="coerce", format=time_format)
    if stamps.notna().sum() != series.notna().sum():
        row = _first_bad(series, stamps)
        raise ValueError(
            f"{path}: time column {column!r} holds {series.iloc[row]!r} at "
            f"{_where(row, line_offset)}, neither seconds nor a date-time; fix the value "
            f"or set options: {{time_format: ...}} (a strftime pattern; now {time_format!r})"
        )
    return stamps


def time_seconds(
    frame: pd.DataFrame, column: str, options: Mapping[str, Any], path: str, line_offset: int
) -> tuple[np.ndarray, dict[str, str]]:
    """Timestamps in seconds (datetimes become seconds since the first sample)."""
    series = frame[column]
    attrs: dict[str, str] = {}
    if pd.api.types.is_datetime64_any_dtype(series):
        stamps = series
    elif pd.to_numeric(series, errors="coerce").notna().sum() * 2 > series.notna().sum():
        stamps = None  # mostly numbers: seconds (or time_unit)
    else:
        stamps = _parse_datetimes(series, column, options, path, line_offset)
    if stamps is None:
        seconds = _numeric_seconds(frame, column, options, path, line_offset)
    else:
        start = stamps.iloc[0]
        seconds = ((stamps - start) / pd.Timedelta(seconds=1)).to_numpy(
            dtype=np.float64, na_value=np.nan
        )
        if not pd.isna(start):
            attrs["start_time"] = start.isoformat()
    if np.isnan(seconds).any():
        row = int(np.flatnonzero(np.isnan(seconds))[0])
        raise ValueError(
            f"{path}: time column {column!r} is empty at {_where(row, line_offset)}; "
            "fill in or drop that row"
        )
    check_monotonic(seconds, column, path, line_offset)
    return seconds, attrs


def check_monotonic(seconds: np.ndarray, column: str, path: str, line_offset: int) -> None:
    """Timestamps must strictly increase; name the first row where they do not."""
    steps = np.diff(seconds)
    if (steps <= 0).any():
        row = int(np.flatnonzero(steps <= 0)[0]) + 1
        raise ValueError(
            f"{path}: time column {column!r} is not increasing at {_where(row, line_offset)} "
            f"({seconds[row]:.6g} s after {seconds[row - 1]:.6g} s); sort the rows by time "
            "and drop duplicated timestamps"
        )


def frame_to_record(
    frame: pd.DataFrame, path: str, options: Mapping[str, Any], line_offset: int
) -> Record:
    """A table -> one record; ``line_offset`` maps a row index to a file line (0: none)."""
    if frame.empty:
        raise ValueError(
            f"{path}: has a header but no data rows; re-export it or exclude it from the glob"
        )
    columns = axis_columns(frame, options, path)
    values = np.stack([numeric_values(frame, c, path, line_offset) for c in columns])
    channels = list(columns.values())
    values = to_spec_units(values, channels, options, path)
    declared = options.get("sampling_rate")
    tcol = time_column(frame, options, path)
    if tcol is None:
        if declared is None:
            raise ValueError(
                f"{path}: no time column (looked for {list(TIME_COLUMNS)}) and no declared "
                "rate; set options: {time_column: ...} or options: {sampling_rate: ...} (Hz)"
            )
        return Record(array=build_array(values, channels, rate=declared, source=path))
    seconds, attrs = time_seconds(frame, tcol, options, path, line_offset)
    if declared is None:
        steps = np.diff(seconds)
        if steps.size == 0:
            raise ValueError(
                f"{path}: one sample cannot give a sampling rate; set options: "
                "{sampling_rate: ...} or exclude the file"
            )
        rate, attrs["rate_source"] = 1.0 / float(np.median(steps)), "timestamps"
    else:
        rate, attrs["rate_source"] = declared, "declared"
    array = build_array(values, channels, rate=rate, source=path, times=seconds, attrs=attrs)
    return Record(array=array)


def check_column_count(count: int, max_columns: int, path: str, at_least: str = "") -> None:
    """Refuse a table wider than option ``max_columns`` before its rows are parsed."""
    if count > max_columns:
        raise ValueError(
            f"{path}: too many columns: the header has {at_least}{count} columns, more than "
            f"max_columns={max_columns}; a wearable recording has a few axes: check the "
            "separator (options: {sep: ...}), or raise the limit with options: "
            "{max_columns: ...} if the table really is this wide"
        )


def _not_parquet(path: str, exc: Exception) -> ValueError:
    return ValueError(
        f"{path}: is not a readable Parquet file ({type(exc).__name__}: {exc}); "
        "re-export it, or set the catalog format to the file's real format"
    )


def header_names(path: str, sep: str, max_columns: int) -> list[str]:
    """The header line's column names, read from a bounded head of the file, so a table
    declaring 200,000 columns is refused before pandas allocates for them."""
    with Path(path).open("rb") as handle:
        head = handle.read(HEADER_BYTES)
    line, newline, _ = head.partition(b"\n")
    text = line.decode("utf-8", errors="replace").rstrip("\r")
    count = text.count(sep) + 1  # an upper bound (quoted separators), known before parsing
    check_column_count(count, max_columns, path, "" if newline else "at least ")
    if len(sep) != 1:
        return [name.strip() for name in text.split(sep)]
    return [name.strip() for name in next(csv.reader([text], delimiter=sep), [])]


def check_unique_columns(names: list[str], path: str) -> None:
    """Two columns with one name (pandas renames the second ``acc_x.1``) would leave one
    copy unread without a word."""
    counts = Counter(str(name).strip().lower() for name in names if str(name).strip())
    repeated = sorted(name for name, count in counts.items() if count > 1)
    if repeated:
        raise ValueError(
            f"{path}: duplicated column {repeated[0]!r} (columns named more than once: "
            f"{repeated}); which copy holds the data is ambiguous: rename or drop the copies "
            "and export the file again"
        )


def _last_line(path: str, window: int) -> bytes | None:
    """The file's last line, or None if it is longer than ``window`` bytes."""
    with Path(path).open("rb") as handle:
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - window))
        tail = handle.read().rstrip(b"\r\n")
    if b"\n" not in tail and size > window:
        return None
    return tail.rsplit(b"\n", 1)[-1]


def check_not_truncated(path: str, frame: pd.DataFrame, sep: str) -> None:
    """A last line with fewer fields than the header means the file was cut short; the
    window read from the end grows with the column count, so a wide line is seen whole."""
    columns = len(frame.columns)
    last = _last_line(path, max(65536, BYTES_PER_FIELD * columns))
    if last is None:
        return  # the last line is longer than a full row of numbers: not cut short
    fields = len(last.decode("utf-8", errors="replace").split(sep))
    if fields < columns:
        raise ValueError(
            f"{path}: the last line has {fields} of {columns} fields; the file is "
            "truncated (an interrupted copy or export): copy or export it again"
        )


class CsvReader:
    """CSV text tables read with pandas (option ``sep``, default ``,``)."""

    name = "csv"
    suffixes = (".csv",)

    def sniff(self, path: str, head: bytes) -> bool:
        """By suffix: a binary file named .csv must reach read() to get a clear error."""
        return path.lower().endswith(self.suffixes)

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """Yield the file as one record."""
        check_text_file(path, "CSV")
        sep = str(options.get("sep", ","))
        check_unique_columns(
            header_names(path, sep, int(options.get("max_columns", MAX_COLUMNS))), path
        )
        try:
            frame = pd.read_csv(path, sep=sep, skipinitialspace=True)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ValueError(
                f"{path}: is not a well-formed CSV table ({exc}); fix the rows named, or set "
                "options: {sep: ...} if the separator is not ','"
            ) from exc
        check_not_truncated(path, frame, sep)
        yield frame_to_record(frame, path, options, line_offset=2)


class ParquetReader:
    """Parquet tables read with pandas/pyarrow."""

    name = "parquet"
    suffixes = (".parquet", ".pq")

    def sniff(self, path: str, head: bytes) -> bool:
        """Parquet files start with the magic bytes ``PAR1``."""
        return path.lower().endswith(self.suffixes) or head[:4] == b"PAR1"

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """Yield the file as one record."""
        if Path(path).stat().st_size == 0:
            raise ValueError(f"{path}: the file is empty; re-export it or exclude it from the glob")
        try:
            names = pq.read_schema(path).names  # the footer only: columns before the data
        except Exception as exc:  # pyarrow raises several unrelated types for a bad file
            raise _not_parquet(path, exc) from exc
        check_column_count(len(names), int(options.get("max_columns", MAX_COLUMNS)), path)
        check_unique_columns(names, path)
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:
            raise _not_parquet(path, exc) from exc
        yield frame_to_record(frame, path, options, line_offset=0)
