"""Random 96 x 96 SAR windows: sslsci's store vs TorchGeo's RasterDataset + RandomGeoSampler
(issue 16).

SYNTHETIC scenes: ``--scenes`` seeded two-band (VV, VH) float32 dB GeoTIFFs of ``--size``
pixels a side (``plugins.sar.generator.write_scene_geotiff``: UTM 33N, 10 m, tiled 256),
placed side by side without overlap, are ingested by the SAR plugin as 512 x 512 tiles.
In one process, warm (one untimed pass first), every contender serves the same number
of random 96 x 96 windows (the SAR recipe's window), one at a time:

- sslsci ``ArrayStore.read_many`` (one window per read, as the sampler draws them; and
  4 per read, as ``RandomWindows(windows_per_read=4)`` draws them) and ``RandomWindows``
  with an identity view (the trainer's path, standardisation and tensor included);
- TorchGeo: a ``RasterDataset`` over the same GeoTIFFs (file handles cached, its default)
  indexed by a seeded ``RandomGeoSampler(size=96)``: sampler draw, index lookup,
  ``rasterio.merge`` of the hit file's ``WarpedVRT`` into a new array, float32 tensor.
  GDAL's default block cache (5 % of RAM) holds every scene, so its reads are warm too.

TorchGeo's import (``torchgeo.datasets``, ``torchgeo.samplers``, after torch) is timed
on its own and left out of every rate. A TorchGeo window is checked to equal a rasterio
read of its source pixels (the sampler snaps to the pixel grid: no resampling).

Run (the command behind the numbers in the notes; needs ``pip install -e ".[peers]"``):

    nice -n 10 .venv/bin/python benchmarks/peers/bench_torchgeo.py

Measured 2026-12-04 (2 shared cores, load average 5-6; 4 scenes of 2048^2, 134 MB):
TorchGeo import 7.4 s (4.8 s and 15.3 s in other runs, by what the page cache held),
index 0.02 s; sslsci ingest 4.2 s (64 tiles). Windows/s: read_many 32,400 (1 per read)
and 38,300 (4 per read), RandomWindows 13,900, TorchGeo 266: sslsci 122x / 144x / 52x
(164x / 198x / 55x in an earlier run at load ~3.5).

TorchGeo is not faster here. Why it is slower: each window pays a GeoDataFrame interval
and ``.cx`` spatial lookup, then ``rasterio.merge.merge`` over the hit file's
``WarpedVRT`` (GDAL's warp machinery, even at the file's own CRS and resolution) into a
new array; a window from the store is one strided copy out of a memory map. What TorchGeo
gives for it: no ingest (sslsci's 4.2 s here is paid back after ~1,100 TorchGeo windows),
and reprojection, mosaicking across file edges and time filtering at read time, which
sslsci does once at ingest (tiles in the source grid) or not at all.
"""

from __future__ import annotations

import argparse
import importlib
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import rasterio
import torch
from rasterio.windows import from_bounds

from plugins.sar.generator import ORIGIN, PIXEL_M, write_scene_geotiff
from sslsci.catalog import load_catalog
from sslsci.data import RandomWindows
from sslsci.data.standardize import Standardizer
from sslsci.ingest import ingest_entry
from sslsci.store import ArrayStore, ItemRow, Workspace

CATALOG = """
entries:
  - name: scenes
    modality: sar
    uri: archive
    include: ["*.tif"]
    options: {tile_size: 512}
"""
WINDOW = 96
PER_READ = 4


def import_torchgeo() -> tuple[type, type, float]:
    """TorchGeo's ``RasterDataset`` and ``RandomGeoSampler`` and the seconds importing took."""
    started = time.perf_counter()
    datasets = importlib.import_module("torchgeo.datasets")
    samplers = importlib.import_module("torchgeo.samplers")
    return datasets.RasterDataset, samplers.RandomGeoSampler, time.perf_counter() - started


def write_scenes(folder: Path, scenes: int, size: int) -> list[Path]:
    """``scenes`` seeded scenes in a row, 1 km apart (no overlap: one file per window)."""
    folder.mkdir(parents=True)
    step = size * PIXEL_M + 1000.0
    return [
        write_scene_geotiff(
            folder / f"scene{seed}.tif", size, size, seed=seed,
            origin=(ORIGIN[0] + seed * step, ORIGIN[1]),
        )
        for seed in range(scenes)
    ]  # fmt: skip


def ingest(root: Path) -> tuple[ArrayStore, list[ItemRow]]:
    (root / "catalog.yaml").write_text(CATALOG)
    catalog = load_catalog(root / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())
    ingest_entry(catalog, "scenes", workspace)
    manifest = workspace.manifest()
    items = manifest.items(["scenes"])
    manifest.close()
    return workspace.store(), items


def store_windows(
    store: ArrayStore, items: list[ItemRow], count: int, per_read: int
) -> Iterable[np.ndarray]:
    """``count`` windows through ``ArrayStore.read_many``, ``per_read`` of one tile a read."""
    rng = np.random.default_rng(0)
    for _ in range(count // per_read):
        item = items[int(rng.integers(len(items)))]
        highs = np.array(item.shape[1:]) - WINDOW + 1
        indices = [
            (slice(None), *(slice(int(a), int(a) + WINDOW) for a in rng.integers(0, highs)))
            for _ in range(per_read)
        ]
        yield from store.read_many(item.store_key, indices)


def trainer_windows(store: ArrayStore, items: list[ItemRow], count: int) -> Iterable[torch.Tensor]:
    """``count`` windows as the trainer draws them: ``RandomWindows``, identity view."""
    windows = RandomWindows(
        store,
        items,
        {dim: WINDOW for dim in items[0].dims[1:]},
        views=[[]],
        standardizer=Standardizer.from_items(items),
        samples_per_epoch=count,
        seed=0,
    )
    for (view,) in windows:
        yield view


def torchgeo_windows(dataset, sampler_type: type, count: int) -> Iterable[torch.Tensor]:
    """``count`` windows: a seeded ``RandomGeoSampler`` indexing the ``RasterDataset``."""
    generator = torch.Generator().manual_seed(0)
    for query in sampler_type(dataset, size=WINDOW, length=count, generator=generator):
        yield dataset[query]["image"]


def check_torchgeo_window(dataset, sampler_type: type, files: list[Path]) -> None:
    """One TorchGeo window equals a rasterio read of the same pixels of its scene."""
    query = next(iter(sampler_type(dataset, size=WINDOW, length=1)))
    x, y = query[0], query[1]
    image = dataset[query]["image"].numpy()
    for path in files:
        with rasterio.open(path) as source:
            left, bottom, right, top = source.bounds
            if left <= x.start and x.stop <= right and bottom <= y.start and y.stop <= top:
                window = from_bounds(x.start, y.start, x.stop, y.stop, source.transform)
                expected = source.read(window=window.round_offsets().round_lengths())
                assert np.array_equal(image, expected, equal_nan=True), path
                print(
                    f"TorchGeo window == rasterio read of {path.name} at row "
                    f"{round(window.row_off)}, col {round(window.col_off)}"
                )
                return
    raise AssertionError(f"no scene holds {query}")


def rate(make: Callable[[], Iterable], count: int) -> float:
    """Windows/s of one timed pass, each window checked to be 2 x 96 x 96."""
    started = time.perf_counter()
    served = 0
    for window in make():
        assert tuple(window.shape) == (2, WINDOW, WINDOW), window.shape
        served += 1
    seconds = time.perf_counter() - started
    assert served == count, (served, count)
    return served / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenes", type=int, default=4)
    parser.add_argument("--size", type=int, default=2048, help="scene side, pixels")
    parser.add_argument("--windows", type=int, default=2000, help="windows per pass")
    parser.add_argument("--torchgeo-windows", type=int, default=500)
    args = parser.parse_args()
    torch.set_num_threads(1)
    raster_dataset, random_sampler, import_s = import_torchgeo()
    print(f"import torchgeo.datasets + torchgeo.samplers (after torch): {import_s:.1f} s")
    with tempfile.TemporaryDirectory(prefix="sslsci-bench-torchgeo-") as tmp:
        root = Path(tmp)
        files = write_scenes(root / "archive", args.scenes, args.size)
        megabytes = sum(p.stat().st_size for p in files) / 1e6
        print(f"{len(files)} scenes of {args.size}^2 x 2 float32 GeoTIFF, {megabytes:.0f} MB")
        started = time.perf_counter()
        store, items = ingest(root)
        print(f"sslsci ingest: {len(items)} tiles of 512 in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        dataset = raster_dataset(paths=[str(p) for p in files])
        print(f"TorchGeo RasterDataset index: {time.perf_counter() - started:.2f} s")
        check_torchgeo_window(dataset, random_sampler, files)

        n, m = args.windows, args.torchgeo_windows
        contenders: dict[str, tuple[Callable[[], Iterable], int]] = {
            "sslsci ArrayStore.read_many (1 per read)": (
                lambda: store_windows(store, items, n, 1), n),
            f"sslsci ArrayStore.read_many ({PER_READ} per read)": (
                lambda: store_windows(store, items, n, PER_READ), n),
            "sslsci RandomWindows (identity view, tensor)": (
                lambda: trainer_windows(store, items, n), n),
            "TorchGeo RasterDataset + RandomGeoSampler": (
                lambda: torchgeo_windows(dataset, random_sampler, m), m),
        }  # fmt: skip
        rates = {}
        for name, (make, count) in contenders.items():
            rate(make, count)  # warm
            rates[name] = rate(make, count)
        base = rates["TorchGeo RasterDataset + RandomGeoSampler"]
        print(f"\n{WINDOW} x {WINDOW} windows, warm (ratio vs TorchGeo)")
        print(f"{'contender':<48} {'windows/s':>10} {'ratio':>8}")
        for name, served in rates.items():
            print(f"{name:<48} {served:10,.0f} {served / base:7.1f}x")


if __name__ == "__main__":
    main()
