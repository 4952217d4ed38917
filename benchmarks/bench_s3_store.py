"""Random training windows from a store on S3 vs the same store on local disk, cache off.

Writes a synthetic wearables study (per-recording CSVs at 30 Hz), ingests it twice in one
process: into a local workdir and into ``s3://`` on a real S3-compatible server (moto in
server mode, a process of its own on 127.0.0.1, reached through s3fs as any S3 endpoint
would be). Then it reads the same random windows from both, with the decoded-chunk cache
off (``cache_bytes=0``), and prints windows/s and the ratio s3 / local:

1. one window per read (``ArrayStore.read``): one round trip per window on S3, a slice
   of a memory map on local disk;
2. the training sampler (``RandomWindows``, ``windows_per_read`` windows of an item per
   read: their byte ranges go out in one batch of requests);
3. the same two for an lz4-compressed store (whole chunks fetched and decoded per read).

moto is a Python server: each request costs it about a millisecond of CPU, more than a
request to a real object store within a data centre, so the ratio is a conservative one
for latency-bound reads. Run:

    .venv/bin/python benchmarks/bench_s3_store.py            # 20 recordings of 600 s
    .venv/bin/python benchmarks/bench_s3_store.py --quick    # a smaller, faster run
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from plugins.wearables.generator import write_demo_archive
from sslsci.catalog import load_catalog
from sslsci.data import RandomWindows, Standardizer
from sslsci.ingest import ingest_entry
from sslsci.store import ArrayStore, ItemRow, Workspace
from sslsci.testing.s3_server import local_s3

STUDY = """
entries:
  - name: study
    modality: wearables
    uri: archive
    include: ["*.csv"]
    exclude: ["labels.csv"]
    options: {sampling_rate: 30}
"""
BUCKET = "sslsci-bench"


def timed(function: Callable[[], int]) -> tuple[float, int]:
    started = time.perf_counter()
    count = function()
    return time.perf_counter() - started, count


def single_reads(store: ArrayStore, draws: list[tuple[ItemRow, int]], window: int) -> int:
    for item, start in draws:
        store.read(item.store_key, (slice(None), slice(start, start + window)))
    return len(draws)


def sampler(store: ArrayStore, items: list[ItemRow], window: int, count: int, per_read: int):
    dataset = RandomWindows(
        store,
        items,
        {"time": window},
        [[]],
        Standardizer.from_items(items),
        count,
        seed=0,
        windows_per_read=per_read,
    )
    return sum(1 for _ in dataset)


def compare(label: str, local: Callable[[], int], remote: Callable[[], int]) -> None:
    remote()  # warm: per-item metadata reads and connections, for both alike
    local()
    t_local, n_local = timed(local)
    t_remote, n_remote = timed(remote)
    rate_local, rate_remote = n_local / t_local, n_remote / t_remote
    print(
        f"{label:<44} local {rate_local:>9.0f}/s   s3 {rate_remote:>8.0f}/s   "
        f"s3/local {rate_remote / rate_local:.2g}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer, shorter recordings")
    parser.add_argument("--window", type=int, default=256, help="window length (samples)")
    parser.add_argument("--per-read", type=int, default=8, help="sampler windows_per_read")
    args = parser.parse_args()
    recordings, seconds, windows = (4, 120.0, 200) if args.quick else (10, 600.0, 1000)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["SSLSCI_CACHE"] = str(root / "cache")
        write_demo_archive(
            root / "archive", subjects=2, recordings_per_subject=recordings // 2 or 1,
            seconds=seconds, rate=30.0, seed=0,
        )  # fmt: skip
        (root / "catalog.yaml").write_text(STUDY)
        catalog = load_catalog(root / "catalog.yaml")
        _ingest(catalog, Workspace(root / "warm-up"))  # plugin import and first-call costs
        with local_s3(BUCKET, own_process=True):
            for codec in ("auto", "lz4"):
                local_ws = Workspace(root / f"local-{codec}", codec=codec)
                remote_ws = Workspace(f"s3://{BUCKET}/{codec}", codec=codec)
                t_local, _ = timed(lambda ws=local_ws: _ingest(catalog, ws))
                t_remote, _ = timed(lambda ws=remote_ws: _ingest(catalog, ws))
                print(
                    f"ingest codec={codec:<5} ({len(_items(local_ws))} items)"
                    f"{'':<17} local {t_local:>8.2f} s    s3 {t_remote:>7.2f} s    "
                    f"s3/local time {t_remote / t_local:.2g}"
                )
                items = _items(remote_ws)
                rng = np.random.default_rng(1)
                draws = [
                    (items[k], int(rng.integers(0, items[k].shape[1] - args.window + 1)))
                    for k in rng.integers(0, len(items), size=windows)
                ]
                local_store, remote_store = local_ws.store(0), remote_ws.store(0)
                compare(
                    f"codec={codec} one window per read",
                    lambda s=local_store, d=draws: single_reads(s, d, args.window),
                    lambda s=remote_store, d=draws: single_reads(s, d, args.window),
                )
                compare(
                    f"codec={codec} sampler, {args.per_read} windows per read",
                    lambda s=local_store, i=items: sampler(
                        s, i, args.window, windows, args.per_read
                    ),
                    lambda s=remote_store, i=items: sampler(
                        s, i, args.window, windows, args.per_read
                    ),
                )
            floor(remote_store.fs, windows)


def floor(fs, count: int) -> None:
    """What the server itself allows: GETs/s of a 4 KiB object, one and eight at a time."""
    fs.pipe_file(f"{BUCKET}/floor", bytes(4096))
    single, _ = timed(lambda: sum(len(fs.cat_file(f"{BUCKET}/floor")) > 0 for _ in range(count)))
    paths = [f"{BUCKET}/floor"] * 8
    batch, _ = timed(lambda: [fs.cat_ranges(paths, [0] * 8, [4096] * 8) for _ in range(count // 8)])
    print(
        f"server floor: 4 KiB GETs one at a time {count / single:.0f}/s, "
        f"eight at a time {8 * (count // 8) / batch:.0f}/s"
    )


def _ingest(catalog, workspace: Workspace) -> int:
    report = ingest_entry(catalog, "study", workspace)
    assert report.counts["quarantined"] == 0, report.quarantined
    return report.counts["ok"]


def _items(workspace: Workspace) -> list[ItemRow]:
    manifest = workspace.snapshot()
    try:
        return manifest.items(["study"])
    finally:
        manifest.close()


if __name__ == "__main__":
    main()
