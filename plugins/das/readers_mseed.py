"""miniSEED DAS arrays through obspy: the traces of one array become channels along distance.

Each trace id (network.station.location.channel) is one fibre channel; they are ordered by
``stats.distance`` where the reader that made the stream set it, else by id in natural
order (station 00066 before 00067), at ``channel_spacing_m`` apart. Traces are trimmed to
the span all of them cover, on one sample grid. Headers are read first (``headonly``) to
bound sizes, then each time segment alone (obspy selects the records of the window).
A single trace is no array and is refused. A gap inside a trace becomes NaN, which
validate locates.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from plugins.das.options import ReadOptions
from plugins.das.readers_arrays import (
    Described,
    check_declared,
    das_array,
    mask_nan_channels,
    quantity_of,
    segment_bounds,
    segment_samples,
)
from plugins.das.readers_files import check_readable
from sslsci.plugins.contract import Record

MSEED3_MAGIC = b"MS\x03"


def is_mseed_head(head: bytes) -> bool:
    """miniSEED 2 (a 6-character sequence number, a quality code D/R/Q/M, then a space or
    NUL) or miniSEED 3 ('MS' and version 3)."""
    if head[:3] == MSEED3_MAGIC:
        return True
    if len(head) < 48:
        return False
    sequence = head[:6]
    return (
        all(c in b"0123456789 " for c in sequence)
        and any(c in b"0123456789" for c in sequence)
        and head[6:7] in (b"D", b"R", b"Q", b"M")
        and head[7:8] in (b" ", b"\x00")
    )


def natural_key(text: str) -> tuple:
    return tuple(int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text))


@dataclass(frozen=True)
class Layout:
    """The array the headers describe: trace ids in fibre order, distances, common grid."""

    ids: tuple[str, ...]
    distance: np.ndarray
    rate: float
    start: Any  # obspy.UTCDateTime of the first common sample
    samples: int
    spaced: bool


def read_headers(path: str) -> Any:
    import obspy

    try:
        return obspy.read(path, format="MSEED", headonly=True)
    except Exception as exc:  # obspy raises several types for a broken record
        raise ValueError(
            f"{path}: not readable as miniSEED (obspy: {type(exc).__name__}: {exc}); the file "
            "is truncated or not miniSEED: re-copy or re-export it"
        ) from None


def layout(path: str, stream: Any, options: ReadOptions) -> Layout:
    """Channel order, spacing and the span every trace covers, from headers only."""
    ids = sorted({tr.id for tr in stream}, key=natural_key)
    if len(ids) < 2:
        raise ValueError(
            f"{path}: holds a single trace ({ids[0] if ids else 'none'}); a DAS array needs "
            "two or more channels: put the traces of one array into one file (or exclude it)"
        )
    rates = sorted({float(tr.stats.sampling_rate) for tr in stream})
    if len(rates) != 1:
        raise ValueError(
            f"{path}: traces sampled at different rates {rates} Hz; one DAS array has one "
            "rate: resample them to one rate or split the file"
        )
    rate = rates[0]
    starts = {i: min(tr.stats.starttime for tr in stream if tr.id == i) for i in ids}
    ends = {i: max(tr.stats.endtime for tr in stream if tr.id == i) for i in ids}
    start, end = max(starts.values()), min(ends.values())
    if end < start:
        raise ValueError(
            f"{path}: the traces do not overlap in time (latest start {start}, earliest end "
            f"{end}); they are not one array recording: split the file"
        )
    samples = math.floor((end - start) * rate + 1e-6) + 1
    check_declared(path, len(ids), samples, options, "miniSEED headers")
    distances = [getattr(tr.stats, "distance", None) for tr in stream]
    if all(d is not None for d in distances):
        by_id = {tr.id: float(tr.stats.distance) for tr in stream}
        ids = sorted(ids, key=lambda i: by_id[i])
        return Layout(tuple(ids), np.array([by_id[i] for i in ids]), rate, start, samples, True)
    spacing = options.channel_spacing_m
    index = np.arange(len(ids), dtype=np.float64)
    distance = index * spacing if spacing else index
    return Layout(tuple(ids), distance, rate, start, samples, bool(spacing))


def segment_values(path: str, grid: Layout, a: int, b: int) -> np.ndarray:
    """(channel, time) samples a..b of the common grid; samples no trace holds are NaN."""
    import obspy

    t0 = grid.start + a / grid.rate
    t1 = grid.start + (b - 1) / grid.rate
    half = 0.5 / grid.rate
    stream = obspy.read(path, format="MSEED", starttime=t0 - half, endtime=t1 + half)
    values = np.full((len(grid.ids), b - a), np.nan, dtype=np.float64)
    for row, trace_id in enumerate(grid.ids):
        traces = stream.select(id=trace_id)
        if not traces:
            continue
        trace = traces.merge(method=1, fill_value=None)[0]
        data = np.ma.filled(np.ma.asarray(trace.data, dtype=np.float64), np.nan)
        offset = round((trace.stats.starttime - t0) * grid.rate)
        lo, hi = max(0, offset), min(b - a, offset + len(data))
        if hi > lo:
            values[row, lo:hi] = data[lo - offset : hi - offset]
    return values


@dataclass(frozen=True)
class MiniseedReader:
    """miniSEED arrays, sniffed by the fixed-header pattern, not the name."""

    name: str = "miniseed"
    suffixes: tuple[str, ...] = (".mseed", ".miniseed", ".ms")

    def sniff(self, path: str, head: bytes) -> bool:
        return is_mseed_head(head)

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        """One record per time segment of the span all traces cover (items "0", "1", ...)."""
        opts = ReadOptions.pick(options)
        head = check_readable(path)
        stream = read_headers(path)
        grid = layout(path, stream, opts)
        about = Described(
            path=path,
            format="miniSEED",
            format_version="3" if head[:3] == MSEED3_MAGIC else "2",
            quantity=quantity_of(None, opts),
            data_units=None,  # miniSEED holds counts; the response lives in StationXML
            gauge_length_m=None,
            start=None,
            extra={
                "first_seed_id": grid.ids[0],
                "last_seed_id": grid.ids[-1],
                **(
                    {}
                    if grid.spaced
                    else {"distance_from": "channel index (no channel_spacing_m given: not metres)"}
                ),
            },
        )
        per = segment_samples(opts, grid.rate, len(grid.ids))
        for k, (a, b) in enumerate(segment_bounds(grid.samples, per)):
            values = segment_values(path, grid, a, b)
            start = np.datetime64((grid.start + a / grid.rate).ns, "ns")
            segment = Described(**{**about.__dict__, "start": start})
            time_s = np.arange(b - a, dtype=np.float64) / grid.rate
            array = das_array(values, ("distance", "time"), grid.distance, time_s, segment)
            if not grid.spaced:
                array.attrs["distance_step_m"] = None
            yield Record(array=mask_nan_channels(array, opts), item=str(k))
