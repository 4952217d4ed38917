"""Store vs source decoding for random windows, re-ingest vs first ingest, and store codecs.

Writes a synthetic study (per-recording CSVs at 30 Hz, as a user would lay one out)
into a temporary folder, ingests it, then measures in one process:

1. windows/s served from the store (``RandomWindows``, and raw ``ArrayStore.read``
   with the in-memory cache off) vs re-reading and decoding the source file per
   window with the plugin's reader and cutting the window (no resampling: the
   baseline does strictly less work than ingest did);
2. the seconds of a re-ingest of the unchanged archive vs the first ingest;
3. random-window reads per store codec (lz4, zstd, none) and an HDF5 chunked file
   with the same chunks, all with the cache off so every read decodes a chunk.

With the real UEA BasicMotions files beside the repo it repeats (1) for their
``.ts`` file (40 recordings per file). Run:

    .venv/bin/python benchmarks/bench_store.py            # 50 recordings of 300 s
    .venv/bin/python benchmarks/bench_store.py --quick    # a smaller, faster run
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np

from plugins.wearables.generator import write_demo_archive
from sslsci.catalog import Catalog, load_catalog
from sslsci.data import RandomWindows, Standardizer
from sslsci.ingest import IngestReport, ingest_entry
from sslsci.plugins.discovery import get_plugin
from sslsci.plugins.reader_choice import pick_reader
from sslsci.store import ArrayStore, ItemRow, Workspace
from sslsci.store.arrays import CODECS

STUDY = """
entries:
  - name: study
    modality: wearables
    uri: archive
    include: ["*.csv"]
    exclude: ["labels.csv"]
    options: {sampling_rate: 30}
"""
BASICMOTIONS = """
entries:
  - name: basicmotions
    modality: wearables
    uri: {uri}
    include: ["BasicMotions_*.ts"]
    options: {{sampling_rate: 10, acc_units: "m/s^2"}}
"""
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "wearables"


def timed(function: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = function()
    return time.perf_counter() - started, result


def random_starts(items: list[ItemRow], window: int, count: int, seed: int):
    """(item, start) pairs drawn once, so every contender reads the same windows."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(items), size=count)
    return [(items[k], int(rng.integers(0, items[k].shape[1] - window + 1))) for k in picks]


def store_windows(store: ArrayStore, draws, window: int) -> int:
    for item, start in draws:
        store.read(item.store_key, (slice(None), slice(start, start + window)))
    return len(draws)


def decode_windows(entry_options: dict, draws, window_seconds: float) -> int:
    """Per window: open the source with the plugin reader, decode it, cut the window."""
    plugin = get_plugin("wearables")
    for item, start in draws:
        reader = pick_reader(plugin, item.uri, None)
        records = {r.item: r for r in reader.read(item.uri, **entry_options)}
        array = records[item.item].array
        rate = float(array.attrs["sampling_rate"])
        first = round(start * rate / 30.0)  # the store is at 30 Hz, the source may not be
        values = array.values[:, first : first + round(window_seconds * rate)]
        assert values.shape[1] > 0
    return len(draws)


def sampler_windows(store: ArrayStore, items: list[ItemRow], window: int, count: int) -> int:
    dataset = RandomWindows(
        store, items, {"time": window}, [[]], Standardizer.from_items(items), count, seed=0
    )
    return sum(1 for _ in dataset)


def ingest_twice(catalog: Catalog, name: str, workdir: Path) -> tuple[IngestReport, IngestReport]:
    workspace = Workspace(workdir)
    return ingest_entry(catalog, name, workspace), ingest_entry(catalog, name, workspace)


def windows_rows(
    catalog: Catalog, name: str, workdir: Path, windows: int, decode: int, window: int
) -> list[tuple[str, str, str]]:
    """Rows comparing the store with decoding the source per window, for one entry."""
    workspace = Workspace(workdir)
    manifest = workspace.manifest()
    items = manifest.items([name])
    manifest.close()
    options = catalog.entry(name).options
    draws = random_starts(items, window, windows, seed=1)
    cold = ArrayStore(workspace.root / "store", cache_bytes=0)
    t_sampler, _ = timed(lambda: sampler_windows(workspace.store(), items, window, windows))
    t_store, _ = timed(lambda: store_windows(cold, draws, window))
    t_decode, _ = timed(lambda: decode_windows(options, draws[:decode], window / 30.0))
    rate_decode = decode / t_decode
    rows = [
        (f"{name}: decode source per window", f"{rate_decode:,.0f} windows/s", "1.0x"),
        (
            f"{name}: store.read, cache off",
            f"{windows / t_store:,.0f} windows/s",
            f"{windows / t_store / rate_decode:,.0f}x",
        ),
        (
            f"{name}: RandomWindows (default cache)",
            f"{windows / t_sampler:,.0f} windows/s",
            f"{windows / t_sampler / rate_decode:,.0f}x",
        ),
    ]
    return rows


def _codec_row(name: str, rate: float, size: int) -> tuple[str, str, str]:
    return name, f"{rate:,.0f} windows/s", f"{size / 1e6:.1f} MB"


def codec_rows(workdir: Path, name: str, windows: int, window: int) -> list[tuple[str, str, str]]:
    """Random-window reads per codec (and HDF5), every read decoding a chunk from disk."""
    source = Workspace(workdir)
    manifest = source.manifest()
    items = manifest.items([name])
    manifest.close()
    origin = source.store()
    draws = random_starts(items, window, windows, seed=2)
    rows, rates = [], {}
    for codec in CODECS:
        store = ArrayStore(workdir / f"codec-{codec}", codec=codec, cache_bytes=0)
        for item in items:
            store.put(item.store_key, origin.open(item.store_key).load(), ("time",))
        seconds, _ = timed(lambda store=store: store_windows(store, draws, window))
        rates[f"zarr {codec}"] = windows / seconds
        size = sum(p.stat().st_size for p in store.root.rglob("*") if p.is_file())
        rows.append(_codec_row(f"zarr {codec}", windows / seconds, size))
    h5_path = workdir / "items.h5"
    with h5py.File(h5_path, "w") as h5:
        for item in items:
            handle = origin._handle(item.store_key)
            h5.create_dataset(item.store_key, data=handle[...], chunks=handle.chunks)
    with h5py.File(h5_path, "r", rdcc_nbytes=0) as h5:  # no chunk cache, like the zarr rows
        datasets = {item.store_key: h5[item.store_key] for item in items}

        def read_h5() -> None:
            for item, start in draws:
                datasets[item.store_key][:, start : start + window]

        seconds, _ = timed(read_h5)
    rates["hdf5 chunked, uncompressed"] = windows / seconds
    size = h5_path.stat().st_size
    rows.append(_codec_row("hdf5 chunked, uncompressed", windows / seconds, size))
    best = max(rates, key=rates.__getitem__)
    rows.append(("fastest for random windows", best, ""))
    return rows


def print_table(title: str, rows: list[tuple[str, str, str]], header: tuple[str, str, str]):
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(3)]
    print(f"\n{title}")
    line = "  ".join("-" * w for w in widths)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recordings", type=int, default=50, help="recordings in the study")
    parser.add_argument("--seconds", type=float, default=300.0, help="length of each recording")
    parser.add_argument("--windows", type=int, default=2000, help="windows read from the store")
    parser.add_argument("--decode", type=int, default=200, help="windows decoded from sources")
    parser.add_argument("--window", type=int, default=300, help="window length, samples at 30 Hz")
    parser.add_argument("--quick", action="store_true", help="20 recordings of 60 s")
    args = parser.parse_args()
    if args.quick:
        args.recordings, args.seconds, args.windows, args.decode = 20, 60.0, 500, 50
    get_plugin("wearables")  # imported once, outside every timing

    with tempfile.TemporaryDirectory(prefix="sslsci-bench-") as tmp:
        root = Path(tmp)
        subjects = max(1, args.recordings // 5)
        write_demo_archive(
            root / "archive",
            subjects=subjects,
            recordings_per_subject=args.recordings // subjects,
            seconds=args.seconds,
            rate=30.0,
            seed=0,
        )
        (root / "catalog.yaml").write_text(STUDY)
        catalog = load_catalog(root / "catalog.yaml")
        first, again = ingest_twice(catalog, "study", root / "work")
        files = first.counts["ok"]
        print(
            f"study: {files} CSV recordings of {args.seconds:g} s at 30 Hz (6 channels); "
            f"windows of {args.window} samples; {args.windows} store reads, "
            f"{args.decode} source decodes"
        )
        rows = windows_rows(catalog, "study", root / "work", args.windows, args.decode, args.window)
        rows += [
            ("study: first ingest", f"{first.seconds:.3f} s", "1.0x"),
            (
                "study: re-ingest, unchanged",
                f"{again.seconds:.4f} s",
                f"{again.seconds / first.seconds:.2%} of first",
            ),
        ]
        if (SHARED / "BasicMotions_TRAIN.ts").is_file():
            (root / "bm.yaml").write_text(BASICMOTIONS.format(uri=SHARED.resolve()))
            bm = load_catalog(root / "bm.yaml")
            bm_first, bm_again = ingest_twice(bm, "basicmotions", root / "bm")
            rows += windows_rows(bm, "basicmotions", root / "bm", args.windows, args.decode, 150)
            rows += [
                ("basicmotions: first ingest", f"{bm_first.seconds:.3f} s", "1.0x"),
                (
                    "basicmotions: re-ingest, unchanged",
                    f"{bm_again.seconds:.4f} s",
                    f"{bm_again.seconds / bm_first.seconds:.2%} of first",
                ),
            ]
        print_table("Store vs decoding the source, and re-ingest", rows, ("what", "speed", "ratio"))
        codecs = codec_rows(root / "work", "study", args.windows, args.window)
        print_table("Store codecs, random windows, cache off", codecs, ("store", "speed", "size"))


if __name__ == "__main__":
    main()
