"""Random 96^3 CT crops: sslsci's store vs MONAI's cached pipelines, side by side (issue 17).

SYNTHETIC phantoms (268 x 213 x 160 at 1.5 mm, int16 HU ``.nii.gz``) are ingested through
the catalog (the CT plugin orients to RAS, resamples to 1.5 mm, clips [-1000, 1000] HU
and scales to [0, 1]). MONAI gets the same files and the same steps (LoadImaged,
EnsureChannelFirstd, Orientationd RAS, Spacingd 1.5 mm, ScaleIntensityRanged) and then
``RandSpatialCropSamplesd`` (96^3, 4 crops per load), the recipe a 3-D SSL user knows.
In one process, warm (one untimed pass first), every contender serves the same number
of crops; the memory each holds is counted from its own structures:

- sslsci ``ArrayStore.read_many`` (4 windows per read) and ``RandomWindows`` with
  ``windows_per_read=4`` and an identity view (the trainer's path, standardisation
  included): decoded-chunk cache bytes plus the resident pages of the store files it
  maps (file-backed, shared by workers, dropped by the OS under memory pressure);
- MONAI ``CacheDataset`` (copy_cache default, and copy_cache=False): the cached tensors.
  With copy_cache=False its crops are views of the cache (no copy is made, and an
  in-place transform downstream would change the cache); sslsci's windows are copies;
- MONAI ``PersistentDataset``: nothing in RAM, its cache folder on disk;
- MONAI plain ``Dataset`` (decode and preprocess per load), fewer crops (it is slow).

``--large`` adds a second table: an archive of 12 volumes with a budget of 4 volumes'
bytes. sslsci reads it raw (memory maps, the default layout) and lz4-compressed with a
decoded-chunk cache of the budget; ``CacheDataset`` caches ``cache_num=4`` volumes and
preprocesses the rest per load; ``PersistentDataset`` reads its cache files. The page
cache of every contender's files is dropped (``posix_fadvise``) before each timed pass,
so nobody is served from pages the OS happened to keep.

Run (the commands behind the numbers in the notes):

    nice -n 10 .venv/bin/python benchmarks/peers/bench_monai.py
    nice -n 10 .venv/bin/python benchmarks/peers/bench_monai.py --large

Measured 2026-12-03 (2 shared cores, load average 2-3; crops/s, RAM held):
read_many 1445 (144.6 MB), RandomWindows 841 (145.2 MB), CacheDataset 174 (145.6 MB),
copy_cache=False 1684 (145.6 MB), PersistentDataset 416, Dataset 18.5: sslsci 8.3x / 4.8x
CacheDataset at no more memory, 0.86x / 0.50x copy_cache=False (which copies nothing).
Large, cold: sslsci raw 194 (2.2x PersistentDataset 89; 396 MB of mapped, reclaimable
file pages), lz4 with a 146 MB cache 94 (1.06x, 146 MB), CacheDataset cache_num=4 28.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import torch
from monai.data import CacheDataset, Dataset, PersistentDataset
from monai.transforms import (
    Compose,
    EnsureChannelFirstd,
    LoadImaged,
    Orientationd,
    RandSpatialCropSamplesd,
    ScaleIntensityRanged,
    Spacingd,
)

from plugins.ct.phantom_anatomy import ADULT_FOV_MM, make_phantom
from plugins.ct.phantom_files import write_nifti
from plugins.ct.spec import DEFAULT_HU_WINDOW, DEFAULT_TARGET_SPACING_MM
from sslsci.catalog import load_catalog
from sslsci.data import RandomWindows
from sslsci.data.standardize import Standardizer
from sslsci.ingest import ingest_entry
from sslsci.store import ArrayStore, ItemRow, Workspace

CATALOG = """
workdir: {workdir}
entries:
  - name: scans
    modality: ct
    uri: {archive}
    include: ["*.nii.gz"]
"""
CROP = 96
PER_LOAD = 4
MB = 1e6


def phantoms(count: int) -> list[np.ndarray]:
    """``count`` seeded adult-field-of-view phantoms at 1.5 mm, int16 HU."""
    size = tuple(round(f / DEFAULT_TARGET_SPACING_MM) for f in ADULT_FOV_MM)
    spacing = (DEFAULT_TARGET_SPACING_MM,) * 3
    return [make_phantom(size, seed=seed, spacing=spacing).volume for seed in range(count)]


def write_archive(folder: Path, volumes: list[np.ndarray], copies: int) -> list[Path]:
    """Every volume written ``copies`` times 1 HU apart (distinct content, so the
    content-addressed store keeps every copy)."""
    spacing = (DEFAULT_TARGET_SPACING_MM,) * 3
    return [
        write_nifti(volume + copy, None, spacing, folder / f"scan{seed}-{copy}.nii.gz")[0]
        for seed, volume in enumerate(volumes)
        for copy in range(copies)
    ]


def ingest(root: Path, archive: Path, codec: str) -> tuple[Workspace, list[ItemRow]]:
    catalog_path = root / f"catalog-{archive.name}-{codec}.yaml"
    workdir = root / f"work-{archive.name}-{codec}"
    catalog_path.write_text(CATALOG.format(workdir=workdir, archive=archive))
    catalog = load_catalog(catalog_path)
    workspace = Workspace(catalog.resolve_workdir(), codec=codec)
    ingest_entry(catalog, "scans", workspace)
    manifest = workspace.manifest()
    items = manifest.items(["scans"])
    manifest.close()
    return workspace, items


def monai_preprocess() -> list:
    """The CT plugin's steps, as MONAI dictionary transforms."""
    low, high = DEFAULT_HU_WINDOW
    return [
        LoadImaged(keys="image"),
        EnsureChannelFirstd(keys="image"),
        Orientationd(keys="image", axcodes="RAS"),
        Spacingd(keys="image", pixdim=(DEFAULT_TARGET_SPACING_MM,) * 3, mode="bilinear"),
        ScaleIntensityRanged(keys="image", a_min=low, a_max=high, b_min=0.0, b_max=1.0, clip=True),
    ]


def monai_pipeline() -> Compose:
    crop = RandSpatialCropSamplesd(
        keys="image", roi_size=(CROP,) * 3, num_samples=PER_LOAD, random_size=False
    )
    pipeline = Compose([*monai_preprocess(), crop])
    pipeline.set_random_state(seed=0)
    return pipeline


def monai_crops(dataset: Dataset, crops: int) -> Iterable[torch.Tensor]:
    """``crops`` crops, loading volumes in a seeded random order (4 crops per load)."""
    rng = np.random.default_rng(0)
    for _ in range(math.ceil(crops / PER_LOAD)):
        for sample in dataset[int(rng.integers(len(dataset)))]:
            yield sample["image"]


def store_crops(store: ArrayStore, items: list[ItemRow], crops: int) -> Iterable[np.ndarray]:
    """``crops`` crops through ``ArrayStore.read_many``, 4 windows per read of one item."""
    rng = np.random.default_rng(0)
    for _ in range(math.ceil(crops / PER_LOAD)):
        item = items[int(rng.integers(len(items)))]
        highs = np.array(item.shape[1:]) - CROP + 1
        indices = [
            (slice(None), *(slice(int(a), int(a) + CROP) for a in rng.integers(0, highs)))
            for _ in range(PER_LOAD)
        ]
        yield from store.read_many(item.store_key, indices)


def window_crops(store: ArrayStore, items: list[ItemRow], crops: int) -> Iterable[torch.Tensor]:
    """``crops`` crops as the trainer draws them: ``RandomWindows``, identity view."""
    windows = RandomWindows(
        store,
        items,
        {dim: CROP for dim in items[0].dims[1:]},
        views=[[]],
        standardizer=Standardizer.from_items(items),
        samples_per_epoch=crops,
        seed=0,
        windows_per_read=PER_LOAD,
    )
    for (view,) in windows:
        yield view


def rate(make: Callable[[], Iterable], crops: int) -> float:
    """Crops/s of one timed pass, each crop checked to be 96^3."""
    started = time.perf_counter()
    served = 0
    for crop in make():
        assert tuple(crop.shape[-3:]) == (CROP,) * 3, crop.shape
        served += 1
    seconds = time.perf_counter() - started
    assert served == crops, (served, crops)
    return served / seconds


def mapped_mb(folder: Path) -> float:
    """Resident pages of files under ``folder`` mapped into this process (/proc/self/smaps)."""
    prefix, total, inside = str(folder), 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and not head[0].endswith(":"):  # a mapping's first line
            inside = len(head) >= 6 and head[5].startswith(prefix)
        elif inside and head[0] == "Rss:":
            total += int(head[1]) * 1024
    return total / MB


def cached_mb(dataset: CacheDataset) -> float:
    """Bytes of the tensors a CacheDataset holds."""
    total = 0
    for entry in dataset._cache:
        if isinstance(entry, dict):
            total += sum(v.nbytes for v in entry.values() if isinstance(v, torch.Tensor))
    return total / MB


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / MB


def drop_page_cache(folders: Iterable[Path]) -> None:
    """Ask the OS to drop cached pages of every file under ``folders`` (a cold read)."""
    for folder in folders:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                descriptor = os.open(path, os.O_RDONLY)
                try:
                    os.fsync(descriptor)  # dirty pages are not dropped
                    os.posix_fadvise(descriptor, 0, 0, os.POSIX_FADV_DONTNEED)
                finally:
                    os.close(descriptor)


def print_table(title: str, rows: list[tuple[str, float, float, str]], baseline: str) -> None:
    base = next(r[1] for r in rows if r[0] == baseline)
    print(f"\n{title} (ratio vs {baseline})")
    print(f"{'contender':<52} {'crops/s':>8} {'ratio':>7} {'RAM held':>10}  note")
    for name, crops_per_s, held, note in rows:
        print(f"{name:<52} {crops_per_s:8.1f} {crops_per_s / base:6.2f}x {held:8.1f} MB  {note}")


def measure(
    name: str,
    make: Callable[[], Iterable],
    crops: int,
    held: Callable[[], float],
    note: Callable[[], str] = str,
) -> tuple[str, float, float, str]:
    """Crops/s of a timed pass after a warm one, then the RAM held and the note."""
    rate(make, crops)  # warm
    result = (name, rate(make, crops), held(), note())
    gc.collect()
    return result


def warm_table(root: Path, archive: Path, files: list[Path], args: argparse.Namespace) -> None:
    workspace, items = ingest(root, archive, "auto")
    store = workspace.store()
    data = [{"image": str(p)} for p in files]
    n = args.crops
    store_mb = lambda: mapped_mb(store.root) + store.cache.nbytes / MB  # noqa: E731
    rows = [
        measure(
            "sslsci ArrayStore.read_many (4 per read)",
            lambda: store_crops(store, items, n),
            n,
            store_mb,
            lambda: "mapped store pages",
        ),
        measure(
            "sslsci RandomWindows (4 per read, identity view)",
            lambda: window_crops(store, items, n),
            n,
            store_mb,
            lambda: "mapped store pages",
        ),
    ]
    for copy_cache in (True, False):
        cached = CacheDataset(
            data, monai_pipeline(), num_workers=0, copy_cache=copy_cache, progress=False
        )
        rows.append(
            measure(
                f"MONAI CacheDataset copy_cache={copy_cache}",
                lambda c=cached: monai_crops(c, n),
                n,
                lambda c=cached: cached_mb(c),
            )
        )
        del cached
    persistent = PersistentDataset(data, monai_pipeline(), cache_dir=root / "persistent")
    rows.append(
        measure(
            "MONAI PersistentDataset",
            lambda: monai_crops(persistent, n),
            n,
            lambda: 0.0,
            lambda: f"{folder_mb(root / 'persistent'):.0f} MB on disk",
        )
    )
    plain = Dataset(data, monai_pipeline())
    rows.append(
        measure(
            "MONAI Dataset (preprocess per load)",
            lambda: monai_crops(plain, args.plain_crops),
            args.plain_crops,
            lambda: 0.0,
            lambda: f"{args.plain_crops} crops",
        )
    )
    print_table(
        f"Warm, {len(files)} volumes {items[0].shape}, {n} crops of {CROP}^3, {PER_LOAD} per load",
        rows,
        "MONAI CacheDataset copy_cache=True",
    )


def large_table(root: Path, archive: Path, files: list[Path], args: argparse.Namespace) -> None:
    budget = 4 * 268 * 213 * 160 * 4  # four volumes of float32
    n = args.crops
    data = [{"image": str(p)} for p in files]
    rows = []
    for codec in ("auto", "lz4"):
        workspace, items = ingest(root, archive, codec)
        stores = [workspace.store(cache_bytes=budget)]

        def cold(w=workspace, i=items, stores=stores) -> Iterable[np.ndarray]:
            """A new store per pass (no maps or cache kept), its files' pages dropped."""
            stores[0] = None
            gc.collect()
            drop_page_cache([w.root / "store"])
            stores[0] = w.store(cache_bytes=budget)
            return store_crops(stores[0], i, n)

        rows.append(
            measure(
                f"sslsci read_many, store codec {codec}, cold",
                cold,
                n,
                lambda s=stores: mapped_mb(s[0].root) + s[0].cache.nbytes / MB,
                lambda w=workspace: f"{folder_mb(w.root / 'store'):.0f} MB store",
            )
        )
    persistent = PersistentDataset(data, monai_pipeline(), cache_dir=root / "persistent-large")

    def persistent_cold() -> Iterable[torch.Tensor]:
        drop_page_cache([root / "persistent-large"])
        return monai_crops(persistent, n)

    rows.append(
        measure(
            "MONAI PersistentDataset, cold",
            persistent_cold,
            n,
            lambda: 0.0,
            lambda: f"{folder_mb(root / 'persistent-large'):.0f} MB on disk",
        )
    )
    cached = CacheDataset(data, monai_pipeline(), cache_num=4, num_workers=0, progress=False)

    def cached_cold() -> Iterable[torch.Tensor]:
        drop_page_cache([archive])
        return monai_crops(cached, args.plain_crops)

    rows.append(
        measure(
            "MONAI CacheDataset cache_num=4 (rest per load)",
            cached_cold,
            args.plain_crops,
            lambda: cached_mb(cached),
            lambda: f"{args.plain_crops} crops",
        )
    )
    print_table(
        f"Archive of {len(files)} volumes, budget {budget / MB:.0f} MB, {n} crops",
        rows,
        "MONAI PersistentDataset, cold",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crops", type=int, default=200, help="crops per contender and pass")
    parser.add_argument("--plain-crops", type=int, default=20, help="crops for per-load MONAI")
    parser.add_argument("--large", action="store_true", help="also 12 volumes, budget of 4")
    args = parser.parse_args()
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="sslsci-bench-monai-") as tmp:
        root = Path(tmp)
        volumes = phantoms(4)
        files = write_archive(root / "archive", volumes, 1)
        warm_table(root, root / "archive", files, args)
        if args.large:
            large = write_archive(root / "archive-large", volumes, 3)
            large_table(root, root / "archive-large", large, args)


if __name__ == "__main__":
    main()
