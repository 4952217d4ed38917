"""A folder holding one band per file (``<patch>_VV.tif``, ``<patch>_VH.tif``), read as one
item with named polarisation channels: the layout BigEarthNet-S1 ships.

The band files must share one grid (size, CRS, transform); a ``*_labels_metadata.json``
beside them gives the record's labels (``plugins.sar.labels_json``). Tiles are read by
window from every band file and stacked in the declared polarisation order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import numpy as np

from plugins.sar.labels_json import find_labels_file, read_labels
from plugins.sar.metadata import (
    acquisition_time,
    check_product_polarisations,
    orbit_text,
    parse_product,
)
from plugins.sar.options import ReadOptions, TilingOptions
from plugins.sar.raster import RasterHeader, open_raster, read_window
from plugins.sar.tiling import SceneMeta, read_tiles
from plugins.sar.validate import mixed_crs_problem
from sslsci.plugins.contract import Record

BAND_FILE = re.compile(r"^(?P<stem>.+)_(?P<pol>VV|VH|HH|HV)\.tiff?$", re.IGNORECASE)
SNIFF_ENTRIES = 64  # names looked at when sniffing a folder
TRANSFORM_TOLERANCE = 1e-6  # relative, on the six affine terms


def band_files(folder: Path) -> dict[str, Path]:
    """Polarisation -> band file; two files of one polarisation are an error."""
    found: dict[str, list[Path]] = {}
    for file in sorted(folder.iterdir()):
        match = BAND_FILE.match(file.name)
        if match and file.is_file():
            found.setdefault(match["pol"].upper(), []).append(file)
    doubled = {pol: files for pol, files in found.items() if len(files) > 1}
    if doubled:
        pol, files = next(iter(doubled.items()))
        raise ValueError(
            f"{folder}: holds {len(files)} {pol} band files ({', '.join(f.name for f in files)}); "
            "a band folder holds one file per polarisation. Put each patch in its own folder"
        )
    return {pol: files[0] for pol, files in found.items()}


def _same_grid(folder: Path, headers: dict[str, RasterHeader]) -> None:
    """Every band file on one grid: equal sizes, one CRS, equal transforms."""
    (first, ref), *rest = headers.items()
    for pol, header in rest:
        if (header.height, header.width) != (ref.height, ref.width):
            raise ValueError(
                f"{folder}: {first} is {ref.height}x{ref.width} pixels "
                f"({Path(ref.path).name}) but {pol} is {header.height}x{header.width} "
                f"({Path(header.path).name}); the bands of one item must share one grid. "
                "Resample one onto the other (gdalwarp -tr/-te) or remove the pair"
            )
    problem = mixed_crs_problem({pol: h.crs for pol, h in headers.items()})
    if problem:
        raise ValueError(f"{folder}: {problem}")
    for pol, header in rest:
        scale = max(1.0, *(abs(v) for v in ref.transform))
        if any(
            abs(a - b) > TRANSFORM_TOLERANCE * scale
            for a, b in zip(header.transform, ref.transform, strict=True)
        ):
            raise ValueError(
                f"{folder}: {first} and {pol} have the same size but different geotransforms "
                f"({ref.transform} vs {header.transform}); they do not cover the same ground. "
                "Resample one onto the other's grid"
            )


class BandFolderReader:
    """A folder of single-band files named ``<patch>_<POL>.tif`` (BigEarthNet-S1)."""

    name = "band_folder"
    suffixes: tuple[str, ...] = ()

    def sniff(self, path: str, head: bytes) -> bool:
        folder = Path(path)
        if not folder.is_dir():
            return False
        for count, entry in enumerate(folder.iterdir()):
            if count >= SNIFF_ENTRIES:
                return False
            if BAND_FILE.match(entry.name) and entry.is_file():
                return True
        return False

    def read(self, path: str, **options: Any) -> Iterator[Record]:
        tiling, reading = TilingOptions.pick(options), ReadOptions.pick(options)
        folder = Path(path)
        files = band_files(folder)
        missing = [pol for pol in reading.polarisations if pol not in files]
        if missing:
            have = ", ".join(f"{p} ({f.name})" for p, f in files.items()) or "none"
            raise ValueError(
                f"{folder}: polarisations declares {', '.join(reading.polarisations)} but the "
                f"folder has no {', '.join(missing)} band file (<patch>_{missing[0]}.tif); it "
                f"holds {have}. Add the file or set polarisations to those present"
            )
        labels_file = find_labels_file(folder)
        labels, content = (
            ({}, {}) if labels_file is None else read_labels(labels_file, tiling.max_label_bytes)
        )
        products = [parse_product(folder.name), parse_product(labels.get("scene_source", ""))]
        check_product_polarisations(str(folder), products, reading.polarisations)
        with ExitStack() as stack:
            opened = {
                pol: stack.enter_context(open_raster(str(files[pol]), tiling, reading))
                for pol in reading.polarisations
            }
            headers = {pol: header for pol, (_, header) in opened.items()}
            for pol, header in headers.items():
                if header.count != 1:
                    raise ValueError(
                        f"{files[pol]}: holds {header.count} bands; a band folder takes one "
                        "band per file. Read multi-band files with the geotiff reader"
                    )
            _same_grid(folder, headers)
            ref = headers[reading.polarisations[0]]
            stated = [h.scale for h in headers.values() if h.scale is not None]
            tags = {**ref.tags, **{k: v for k, v in content.items() if isinstance(v, str)}}
            meta = SceneMeta(
                source=str(folder),
                scene=folder.name,
                height=ref.height,
                width=ref.width,
                polarisations=reading.polarisations,
                crs=ref.crs,
                crs_id=ref.crs_id,
                transform=ref.transform,
                nodata=ref.nodata,
                scale=reading.scale if reading.scale != "auto" else (stated or [None])[0],
                acquisition_time=acquisition_time(tags, products),
                orbit=orbit_text(tags, products),
                labels={**labels, "patch": folder.name},
                extra_attrs={
                    "format": "band folder",
                    "band_files": {pol: files[pol].name for pol in reading.polarisations},
                    "polarisations_from": "file names",
                },
            )

            def window(w: tuple[int, int, int, int]) -> np.ndarray:
                return np.concatenate(
                    [read_window(ds, header, [1], w) for ds, header in opened.values()]
                )

            yield from read_tiles(meta, window, tiling, ref.linear_units_m)
