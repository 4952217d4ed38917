"""Random 96^3 CT crops at 1.5 mm: served from the store vs decoding the .nii.gz per crop.

Writes one SYNTHETIC phantom as a ``.nii.gz`` at a typical clinical spacing
(0.78 x 0.78 x 1.25 mm, int16, the adult field of view: 512 x 410 x 192 voxels),
ingests it through the catalog (the CT plugin resamples it to 1.5 mm), then measures
in one process, every contender reading the same random crops:

1. decode: per crop, open the ``.nii.gz`` with nibabel and read the source voxels the
   crop covers (gzip has to be inflated up to the crop's last slice). No resampling,
   so the baseline does strictly less work than serving a 1.5 mm crop needs;
2. decode + resample: (1) plus trilinear resampling to 96^3, the crop a model sees;
3. the store as ingest wrote it (``ArrayStore.read``, in-memory cache off, so every
   crop decodes its chunks from disk), and the same item rewritten with other chunk
   sides and codecs, which is how ``store.choose_chunks`` picks chunks for 3-D items.

Run:

    .venv/bin/python benchmarks/bench_ct_crops.py            # full adult field of view
    .venv/bin/python benchmarks/bench_ct_crops.py --quick    # a 60 % field of view
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import nibabel as nib
import numpy as np
import torch
import torch.nn.functional as F
import zarr

from plugins.ct.phantom_anatomy import ADULT_FOV_MM, make_phantom
from plugins.ct.phantom_files import write_nifti
from plugins.ct.spec import DEFAULT_TARGET_SPACING_MM
from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import ArrayStore, ItemRow, Workspace
from sslsci.store.arrays import DATA, _compressors

CATALOG = """
entries:
  - name: scan
    modality: ct
    uri: archive
    include: ["*.nii.gz"]
"""
NATIVE_SPACING = (0.78125, 0.78125, 1.25)  # 400 mm over 512 pixels, 1.25 mm slices
CROP = 96
VARIANTS = ((32, "lz4"), (48, "lz4"), (64, "lz4"), (96, "lz4"), (32, "none"), (64, "none"))

Crop = tuple[int, int, int]


def timed(function: Callable[[], object], repeats: int = 1) -> float:
    """Best of ``repeats`` wall-clock seconds (the machine is shared: the best is the cost)."""
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def write_scan(root: Path, scale: float) -> Path:
    """A 1.5 mm phantom upsampled (trilinear) to the clinical spacing, as int16 .nii.gz."""
    size = tuple(round(f * scale / DEFAULT_TARGET_SPACING_MM) for f in ADULT_FOV_MM)
    phantom = make_phantom(size, seed=0, spacing=(DEFAULT_TARGET_SPACING_MM,) * 3, scale=scale)
    native = tuple(
        round(n * DEFAULT_TARGET_SPACING_MM / s) for n, s in zip(size, NATIVE_SPACING, strict=True)
    )
    volume = torch.from_numpy(phantom.volume.astype(np.float32))[None, None]
    fine = F.interpolate(volume, size=native, mode="trilinear", align_corners=False)[0, 0]
    image, _ = write_nifti(
        fine.round().numpy().astype(np.int16), None, NATIVE_SPACING, root / "archive/scan.nii.gz"
    )
    return image


def ingest_scan(root: Path) -> tuple[ItemRow, Workspace, float]:
    (root / "catalog.yaml").write_text(CATALOG)
    catalog = load_catalog(root / "catalog.yaml")
    workspace = Workspace(catalog.resolve_workdir())
    report = ingest_entry(catalog, "scan", workspace)
    manifest = workspace.manifest()
    (item,) = manifest.items(["scan"])
    manifest.close()
    return item, workspace, report.seconds


def draw_crops(shape: tuple[int, ...], count: int, seed: int) -> list[Crop]:
    """Random crop starts on the stored 1.5 mm grid (x, y, z), drawn once for everyone."""
    rng = np.random.default_rng(seed)
    return [
        (
            int(rng.integers(0, shape[1] - CROP + 1)),
            int(rng.integers(0, shape[2] - CROP + 1)),
            int(rng.integers(0, shape[3] - CROP + 1)),
        )
        for _ in range(count)
    ]


def source_region(start: Crop) -> tuple[slice, ...]:
    """About the source voxels a stored crop covers (both grids start near the corner)."""
    region = []
    for first, spacing in zip(start, NATIVE_SPACING, strict=True):
        low = int(first * DEFAULT_TARGET_SPACING_MM / spacing)
        region.append(slice(low, low + math.ceil(CROP * DEFAULT_TARGET_SPACING_MM / spacing)))
    return tuple(region)


def decode_crops(path: Path, crops: list[Crop], resample: bool) -> None:
    """Per crop: open and inflate the .nii.gz up to the region, optionally resample it."""
    for start in crops:
        values = np.asarray(nib.load(path).dataobj[source_region(start)], dtype=np.float32)
        if resample:
            tensor = torch.from_numpy(values)[None, None]
            F.interpolate(tensor, size=(CROP,) * 3, mode="trilinear", align_corners=False)


def store_crops(store: ArrayStore, key: str, crops: list[Crop]) -> None:
    for x, y, z in crops:
        window = store.read(key, (slice(None), *(slice(a, a + CROP) for a in (x, y, z))))
        assert window.shape[1:] == (CROP, CROP, CROP)


def variant_store(workdir: Path, source: ArrayStore, key: str, side: int, codec: str) -> Path:
    """The stored item rewritten with cubic chunks of ``side`` and ``codec``."""
    path = workdir / f"chunks-{side}-{codec}"
    values = source.read(key)
    zarr.create_array(
        path,
        shape=values.shape,
        dtype=values.dtype,
        chunks=(values.shape[0], side, side, side),
        compressors=_compressors(codec),
        overwrite=True,
    )[...] = values
    return path


def zarr_crops(handle: zarr.Array, crops: list[Crop]) -> None:
    for start in crops:
        handle[(slice(None), *(slice(a, a + CROP) for a in start))]


def decode_rows(image: Path, crops: list[Crop]) -> list[tuple[str, ...]]:
    """The baselines: decode only, and decode + resample, as crops/s."""
    decode = len(crops) / timed(lambda: decode_crops(image, crops, False))
    resample = len(crops) / timed(lambda: decode_crops(image, crops, True))
    return [
        ("decode .nii.gz per crop", f"{decode:.2f}", "1.0x", ""),
        ("decode + resample per crop", f"{resample:.2f}", f"{resample / decode:.2f}x", ""),
    ]


def row(name: str, rate: float, baseline: float, folder: Path) -> tuple[str, ...]:
    return name, f"{rate:.1f}", f"{rate / baseline:.1f}x", f"{folder_mb(folder):.1f} MB"


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6


def print_table(title: str, rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    print(f"\n{title}\n{line}")
    for row in [header, None, *rows]:
        print(
            line if row is None else "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--crops", type=int, default=60, help="crops read per store contender")
    parser.add_argument("--decode", type=int, default=6, help="crops decoded from the .nii.gz")
    parser.add_argument("--repeats", type=int, default=3, help="best of this many passes")
    parser.add_argument("--quick", action="store_true", help="60 %% field of view, fewer crops")
    args = parser.parse_args()
    scale = 0.6 if args.quick else 1.0
    if args.quick:
        args.crops, args.decode = 30, 3
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="sslsci-bench-ct-") as tmp:
        root = Path(tmp)
        image = write_scan(root, scale)
        item, workspace, ingest_seconds = ingest_scan(root)
        source_shape = nib.load(image).shape
        store = ArrayStore(workspace.root / "store", cache_bytes=0)
        chunks = zarr.open_array(store.path(item.store_key) / DATA, mode="r").chunks
        print(
            f"SYNTHETIC scan {image.name}: {source_shape} voxels at {NATIVE_SPACING} mm, "
            f"{image.stat().st_size / 1e6:.1f} MB; stored {item.shape} at 1.5 mm, chunks "
            f"{chunks}, {store.codec}; ingest {ingest_seconds:.1f} s; {CROP}^3 crops"
        )
        crops = draw_crops(item.shape, args.crops, seed=1)
        rows = decode_rows(image, crops[: args.decode])
        decode_rate = float(rows[0][1])
        store_rate = args.crops / timed(
            lambda: store_crops(store, item.store_key, crops), args.repeats
        )
        rows.append(
            row(
                f"store as ingested, chunks {chunks[1:]} {store.codec}",
                store_rate,
                decode_rate,
                store.path(item.store_key),
            )
        )
        for side, codec in VARIANTS:
            path = variant_store(root, store, item.store_key, side, codec)
            handle = zarr.open_array(path, mode="r")
            seconds = timed(lambda h=handle: zarr_crops(h, crops), args.repeats)
            rows.append(
                row(f"zarr chunks {side}^3 {codec}", len(crops) / seconds, decode_rate, path)
            )
        print_table(
            "Random crops, one process (ratio vs decode .nii.gz per crop)",
            rows,
            ("contender", "crops/s", "ratio", "store size"),
        )


if __name__ == "__main__":
    main()
