"""DAS: random (distance, time) windows from the store vs reading them with DASCore, and the
peak memory of ingesting a PRODML file much larger than a segment.

1. windows: a PRODML 2.0 file (the real iDAS layout, seeded data; ``das_files.py``) is
   ingested; then, in one process, the same random 64-channel x 256-sample windows are
   served by ``ArrayStore.read`` (cache off: every window decodes its chunks) and read
   from the source with DASCore (``spool(path).select(time=..., distance=...)``, which
   reads only the window's block). The source read does strictly less work: raw samples,
   no conversion, detrend, band-pass or scaling.
2. memory: a PRODML file of ``--big-gb`` GB is ingested in a child process; its peak
   RSS (``ru_maxrss``) and wall time are printed, then a second ingest shows that an
   unchanged file is not read again.

Run:

    .venv/bin/python benchmarks/bench_das.py                 # windows + a 2 GB ingest
    .venv/bin/python benchmarks/bench_das.py --big-gb 0      # windows only
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from das_files import write_prodml

from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import ArrayStore, Workspace

CATALOG = """
entries:
  - name: fibre
    modality: das
    uri: archive
    include: ["*.h5"]
    options: {{segment_max_values: {segment_values}}}
"""
WINDOW = (64, 256)  # (distance channels, time samples)
LOCI = 512


def ingest(root: Path, segment_values: int) -> dict:
    (root / "catalog.yaml").write_text(CATALOG.format(segment_values=segment_values))
    catalog = load_catalog(root / "catalog.yaml")
    report = ingest_entry(catalog, "fibre", Workspace(catalog.resolve_workdir()))
    return {"counts": report.counts, "seconds": report.seconds, "quarantined": report.quarantined}


def store_windows(root: Path, draws: list[tuple[str, int, int]]) -> float:
    """Windows per second from the store, RAM cache off."""
    catalog = load_catalog(root / "catalog.yaml")
    store = ArrayStore(catalog.resolve_workdir() / "store", cache_bytes=0)
    started = time.perf_counter()
    for key, d0, t0 in draws:
        index = (slice(None), slice(d0, d0 + WINDOW[0]), slice(t0, t0 + WINDOW[1]))
        window = store.read(key, index)
        assert window.shape == (1, *WINDOW)
    return len(draws) / (time.perf_counter() - started)


def dascore_windows(path: Path, count: int, seed: int) -> float:
    """Windows per second read from the source file with DASCore, same window size."""
    import dascore as dc

    spool = dc.spool(path)
    attrs = spool[0].attrs
    step = attrs.time_step
    length = int((attrs.time_max - attrs.time_min) / step)
    distances = spool[0].coords.get_array("distance")
    rng = np.random.default_rng(seed)
    started = time.perf_counter()
    for _ in range(count):
        t0 = int(rng.integers(0, length - WINDOW[1]))
        d0 = int(rng.integers(0, len(distances) - WINDOW[0]))
        start = attrs.time_min + t0 * step
        (patch,) = spool.select(
            time=(start, start + (WINDOW[1] - 1) * step),
            distance=(distances[d0], distances[d0 + WINDOW[0] - 1]),
        )
        assert patch.data.shape[0] >= WINDOW[1] - 1
    return count / (time.perf_counter() - started)


def draws_from_store(root: Path, count: int, seed: int) -> list[tuple[str, int, int]]:
    catalog = load_catalog(root / "catalog.yaml")
    manifest = Workspace(catalog.resolve_workdir()).manifest()
    items = manifest.items(["fibre"])
    manifest.close()
    rng = np.random.default_rng(seed)
    draws = []
    for _ in range(count):
        item = items[int(rng.integers(len(items)))]
        _, channels, samples = item.shape
        draws.append((item.store_key, int(rng.integers(0, channels - WINDOW[0] + 1)),
                      int(rng.integers(0, samples - WINDOW[1] + 1))))
    return draws


def windows_benchmark(folder: Path, seconds: float, count: int) -> None:
    root = folder / "windows"
    (root / "archive").mkdir(parents=True)
    source = write_prodml(root / "archive" / "fibre.h5", seconds=seconds)
    print(f"source: {source.stat().st_size / 1e6:.0f} MB PRODML 2.0, {LOCI} loci x {seconds:g} s "
          "at 200 Hz")
    print(f"ingest: {json.dumps(ingest(root, 2_000_000)['counts'])}")
    served = store_windows(root, draws_from_store(root, count, seed=1))
    read = dascore_windows(source, max(20, count // 20), seed=2)
    print(f"windows {WINDOW[0]} ch x {WINDOW[1]} samples: store {served:,.0f}/s, DASCore "
          f"from the source {read:,.1f}/s -> {served / read:.1f}x")


CHILD = """
import json, sys, time
sys.path.insert(0, {bench!r})
from bench_das import ingest
from pathlib import Path
started = time.perf_counter()
result = ingest(Path({root!r}), {segment_values})
result["wall"] = time.perf_counter() - started
# VmHWM is this process's own peak; ru_maxrss would carry the parent's from before exec
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
result["peak_rss_mb"] = int(status["VmHWM"].split()[0]) / 1024
print(json.dumps(result))
"""


def memory_benchmark(folder: Path, gigabytes: float, segment_values: int) -> None:
    root = folder / "big"
    (root / "archive").mkdir(parents=True)
    seconds = gigabytes * 1e9 / (LOCI * 2 * 200.0)
    started = time.perf_counter()
    source = write_prodml(root / "archive" / "fibre.h5", seconds=seconds)
    print(f"big source: {source.stat().st_size / 1e9:.2f} GB ({seconds / 3600:.1f} h at 200 Hz, "
          f"written in {time.perf_counter() - started:.0f} s)")
    code = CHILD.format(bench=str(Path(__file__).parent), root=str(root),
                        segment_values=segment_values)
    for run in ("first", "second"):
        output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                check=True).stdout
        result = json.loads(output.strip().splitlines()[-1])
        counts = result["counts"]
        print(f"{run} ingest: peak RSS {result['peak_rss_mb']:.0f} MB, {result['wall']:.0f} s, "
              f"{counts['new']} new, {counts['unchanged']} unchanged, "
              f"{counts['stored_items']} items in store")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="windows source length")
    parser.add_argument("--windows", type=int, default=1000)
    parser.add_argument("--big-gb", type=float, default=2.05)
    parser.add_argument("--segment-values", type=int, default=2_000_000)
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "2")
    with tempfile.TemporaryDirectory(prefix="bench-das-") as tmp:
        windows_benchmark(Path(tmp), args.seconds, args.windows)
        if args.big_gb > 0:
            memory_benchmark(Path(tmp), args.big_gb, args.segment_values)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"this process peak RSS: {peak:.0f} MB")


if __name__ == "__main__":
    main()
