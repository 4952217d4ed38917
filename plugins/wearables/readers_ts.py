"""Reader for the UEA/sktime ``.ts`` multivariate time-series text format.

The format (https://www.timeseriesclassification.com) is a header of ``@key value``
lines, then ``@data`` and one recording per line: dimensions separated by ``:``,
values by ``,``, the class label last. It does not record the sampling rate, so the
catalog entry must declare it (option ``sampling_rate``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from plugins.wearables.arrays import build_array, channel_names, to_spec_units
from plugins.wearables.file_checks import check_text_file, require_sampling_rate
from sslsci.plugins.contract import Record

HEADER_KEYS = (b"@problemname", b"@dimensions", b"@serieslength", b"@classlabel", b"@data")


@dataclass(frozen=True)
class TsHeader:
    """What the ``@`` lines of a ``.ts`` file declare."""

    problem: str = ""
    dimensions: int | None = None
    series_length: int | None = None
    equal_length: bool = False
    timestamps: bool = False
    class_labels: tuple[str, ...] | None = None
    target_label: bool = False


def _flag(value: str, key: str, path: str, lineno: int) -> bool:
    word = value.split()[0].lower() if value.split() else ""
    if word not in ("true", "false"):
        raise ValueError(
            f"{path}: line {lineno}: {key} must be 'true' or 'false', got {value!r}; "
            "fix the header line"
        )
    return word == "true"


def _int(value: str, key: str, path: str, lineno: int) -> int:
    try:
        return int(value.strip())
    except ValueError:
        raise ValueError(
            f"{path}: line {lineno}: {key} must be an integer, got {value!r}; fix the header line"
        ) from None


def _apply_header_line(fields: dict[str, Any], line: str, path: str, lineno: int) -> None:
    key, _, value = line.partition(" ")
    key = key.lower()
    if key == "@problemname":
        fields["problem"] = value.strip()
    elif key == "@dimensions":
        fields["dimensions"] = _int(value, key, path, lineno)
    elif key == "@serieslength":
        fields["series_length"] = _int(value, key, path, lineno)
    elif key == "@equallength":
        fields["equal_length"] = _flag(value, key, path, lineno)
    elif key == "@timestamps":
        fields["timestamps"] = _flag(value, key, path, lineno)
    elif key == "@targetlabel":
        fields["target_label"] = _flag(value, key, path, lineno)
    elif key == "@classlabel":
        words = value.split()
        if _flag(value, key, path, lineno):
            fields["class_labels"] = tuple(words[1:])
    # Other keys (@univariate, @missing, ...) need no action: '?' always reads as NaN.


def parse_header(handle: TextIO, path: str) -> tuple[TsHeader, int]:
    """Read header lines up to ``@data``; return the header and the last line number read."""
    fields: dict[str, Any] = {}
    lineno = 0
    for lineno, raw in enumerate(handle, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not line.startswith("@"):
            raise ValueError(
                f"{path}: line {lineno}: data before the @data line; the header is incomplete "
                "or this is not a UEA .ts file: add the @data line before the first recording"
            )
        if line.lower() == "@data":
            header = TsHeader(**fields)
            if header.timestamps:
                raise ValueError(
                    f"{path}: declares @timeStamps true; this reader reads equally sampled "
                    "UEA series only: export the recordings as CSV with a time column "
                    "(format: csv) instead"
                )
            return header, lineno
        _apply_header_line(fields, line, path, lineno)
    raise ValueError(
        f"{path}: no @data line after {lineno} lines; the file is truncated or not a UEA .ts "
        "file: re-export it, or set the catalog format to the file's real format"
    )


def _parse_dimension(text: str, path: str, lineno: int, dim: int) -> np.ndarray:
    parts = [p.strip() for p in text.split(",")]
    values = np.empty(len(parts), dtype=np.float64)
    for i, part in enumerate(parts):
        if part in ("?", "NaN", "nan"):
            values[i] = np.nan
            continue
        try:
            values[i] = float(part)
        except ValueError:
            raise ValueError(
                f"{path}: line {lineno}, dimension {dim}, value {i}: {part!r} is not a number; "
                "fix or remove that recording (use '?' for a missing value)"
            ) from None
    return values


def parse_row(
    line: str, lineno: int, header: TsHeader, path: str
) -> tuple[np.ndarray, dict[str, str]]:
    """One data line -> ``[dims, length]`` values and the labels it carries."""
    parts = line.split(":")
    labelled = header.class_labels is not None or header.target_label
    if header.dimensions is not None and len(parts) != header.dimensions + labelled:
        raise ValueError(
            f"{path}: line {lineno} has {len(parts)} ':'-separated fields but "
            f"{header.dimensions + labelled} are expected (@dimensions {header.dimensions}"
            f"{' plus the label' if labelled else ''}); the line is truncated or malformed: "
            "re-export the file"
        )
    labels: dict[str, str] = {}
    if labelled:
        label = parts.pop().strip()
        if header.class_labels is not None and label not in header.class_labels:
            raise ValueError(
                f"{path}: line {lineno}: class label {label!r} is not one declared by "
                f"@classLabel {list(header.class_labels)}; fix the line or add the label to "
                "@classLabel"
            )
        labels["target" if header.target_label else "label"] = label
    dims = [_parse_dimension(text, path, lineno, d) for d, text in enumerate(parts)]
    lengths = {len(d) for d in dims}
    if len(lengths) != 1:
        raise ValueError(
            f"{path}: line {lineno}: dimensions have different lengths {sorted(lengths)}; "
            "every axis of one recording needs the same number of samples: re-export the file"
        )
    length = lengths.pop()
    if header.equal_length and header.series_length and length != header.series_length:
        raise ValueError(
            f"{path}: line {lineno} has {length} samples per dimension but @seriesLength says "
            f"{header.series_length}; the line is truncated: re-export the file"
        )
    return np.stack(dims), labels


def _is_text(head: bytes) -> bool:
    """UTF-8 without NUL bytes (a character cut at the end of the head still counts)."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 4
    return True


class TsReader:
    """UEA/sktime ``.ts`` files: one record per data line, labelled by its class."""

    name = "uea_ts"
    suffixes = (".ts",)

    def sniff(self, path: str, head: bytes) -> bool:
        """A ``.ts`` suffix and a UEA header: TypeScript sources share the suffix. A head cut
        short inside the leading ``#`` comment block still counts. An empty or binary
        ``.ts`` is claimed too, so read() names its problem: no TypeScript source is either."""
        if not path.lower().endswith(".ts"):
            return False
        if not head.strip() or not _is_text(head):
            return True
        lowered = head.lower()
        starts_like_uea = lowered.lstrip().startswith((b"#", b"@")) and b"#!" not in lowered[:2]
        return starts_like_uea or any(key in lowered for key in HEADER_KEYS)

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """Yield one record per recording line; ``item`` is the 0-based recording index."""
        check_text_file(path, "UEA .ts")
        rate = require_sampling_rate(options, path, "UEA .ts")
        with Path(path).open(encoding="utf-8") as handle:
            header, lineno = parse_header(handle, path)
            yield from self._records(handle, header, lineno, rate, path, options)

    def _records(
        self,
        handle: TextIO,
        header: TsHeader,
        header_lines: int,
        rate: float,
        path: str,
        options: Mapping[str, Any],
    ) -> Iterator[Record]:
        count = 0
        for lineno, raw in enumerate(handle, start=header_lines + 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            values, labels = parse_row(line, lineno, header, path)
            names = channel_names(options, values.shape[0], path)
            values = to_spec_units(values, names, options, path)
            attrs = {"problem": header.problem} if header.problem else {}
            array = build_array(values, names, rate=rate, source=path, attrs=attrs)
            yield Record(array=array, item=str(count), labels=labels)
            count += 1
        if count == 0:
            raise ValueError(
                f"{path}: no recordings after the @data line; the file is truncated: re-export it"
            )
