"""The SAR plugin's options: a catalog entry's ``options`` and a pipeline's ``views``.

The catalog options are four groups, each a model of its own so a function reads only
its group with ``Options.pick``: how scenes are cut into tiles and how big a header may
be (``TilingOptions``, readers), what the files hold (``ReadOptions``: polarisations,
scale, georeferencing), validation thresholds (``ValidateOptions``) and the working
scale (``NormalizeOptions``). ``SarOptions`` joins them for the plugin.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from plugins.sar.spec import POLARISATIONS
from sslsci.plugins.options import Options

KNOWN_POLARISATIONS: tuple[str, ...] = ("VV", "VH", "HH", "HV")
# dB clip range per polarisation. The co-pol channels span calm water near the noise floor
# (Sentinel-1 IW NESZ is about -22 dB; thermal-noise-removed values reach -30 dB) to
# urban double bounce (0 to +5 dB); cross-pol sits 6-10 dB lower. The 1st-99th
# percentiles of the four BigEarthNet-S1 patches here are VV -27.7..-2, VH -30.6..-8.8.
DEFAULT_CLIP_DB: dict[str, tuple[float, float]] = {
    "VV": (-30.0, 5.0),
    "HH": (-30.0, 5.0),
    "VH": (-35.0, 0.0),
    "HV": (-35.0, 0.0),
}
Pair = tuple[float, float]
Scale = Literal["auto", "dB", "linear"]


def _polarisations(value: Any) -> tuple[str, ...]:
    """One polarisation name or a list of them, each VV, VH, HH or HV, none twice."""
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not names:
        raise ValueError("must be a non-empty list of polarisations, e.g. [VV, VH]")
    upper = [str(name).strip().upper() for name in names]
    unknown = [name for name in upper if name not in KNOWN_POLARISATIONS]
    if unknown or len(set(upper)) != len(upper):
        raise ValueError(
            f"polarisations {list(names)} must be distinct names among "
            f"{', '.join(KNOWN_POLARISATIONS)}, e.g. [VV, VH]"
        )
    return tuple(upper)


def ordered_pair(value: Any) -> Pair:
    """[low, high] numbers with low < high."""
    try:
        pair = [float(v) for v in value] if not isinstance(value, str | bytes) else []
    except (TypeError, ValueError):
        pair = []
    if len(pair) != 2 or not pair[0] < pair[1] or not all(abs(v) < float("inf") for v in pair):
        raise ValueError("must be [low, high] finite numbers with low < high, e.g. [-30, 5]")
    return pair[0], pair[1]


def _clip_db(value: Any) -> dict[str, Pair]:
    """Per-polarisation [low, high] dB; polarisations not named keep the default range."""
    if not isinstance(value, Mapping):
        raise ValueError("must map polarisations to [low, high] dB, e.g. {VV: [-30, 5]}")
    merged = dict(DEFAULT_CLIP_DB)
    for name, pair in value.items():
        key = str(name).upper()
        if key not in KNOWN_POLARISATIONS:
            raise ValueError(f"names {name!r}; polarisations are {', '.join(KNOWN_POLARISATIONS)}")
        merged[key] = ordered_pair(pair)
    return merged


Polarisations = Annotated[tuple[str, ...], BeforeValidator(_polarisations)]
OrderedPair = Annotated[Pair, BeforeValidator(ordered_pair)]
ClipDb = Annotated[dict[str, Pair], BeforeValidator(_clip_db)]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Positive = Annotated[int, Field(strict=True, ge=1)]


class TilingOptions(Options):
    """How a scene is cut into stored tiles, and how large a header may claim to be."""

    tile_size: Annotated[int, Field(strict=True, ge=16, le=8192)] = Field(
        256, description="tile edge in pixels; a scene is read and stored tile by tile"
    )
    block_tiles: Positive = Field(
        4,
        description="spatial block edge in tiles: splits grouped by 'block' keep the "
        "tiles of one block together",
    )
    max_scene_pixels: Positive = Field(
        2_000_000_000, description="most pixels (height x width) a header may declare"
    )
    max_bands: Annotated[int, Field(strict=True, ge=1, le=64)] = Field(
        8, description="most bands (or polarisation planes) a file may declare"
    )
    gdal_cache_mb: Annotated[int, Field(strict=True, ge=8, le=65536)] = Field(
        64,
        description="GDAL block cache while reading (MB); tiles are read once, and a "
        "row of tiles of a strip-organised scene fits in it",
    )
    max_label_bytes: Positive = Field(
        1_000_000, description="largest labels metadata JSON read beside the bands"
    )


class ReadOptions(Options):
    """What the files hold: which polarisations, on which scale, georeferenced or not."""

    polarisations: Polarisations = Field(
        POLARISATIONS, description="channels every item must have, in this order"
    )
    scale: Scale = Field(
        "auto",
        description="'dB' or 'linear' intensity; 'auto' reads the metadata, "
        "else detects from the values",
    )
    require_georeferenced: bool = Field(
        True, description="refuse rasters without a CRS and geotransform"
    )
    nodata: float | None = Field(
        None, description="nodata value for files whose metadata names none"
    )
    variable: str | None = Field(
        None, description="datacube variable to read (NetCDF/zarr); default: found by dims"
    )

    @model_validator(mode="after")
    def _variable_name(self) -> Self:
        if self.variable is not None and not re.fullmatch(r"[\w.\-]+", self.variable):
            raise ValueError(f"variable={self.variable!r} is not a variable name")
        return self


class ValidateOptions(Options):
    """Validation thresholds."""

    max_nodata_fraction: Fraction = Field(
        0.5, description="tiles with a larger share of nodata pixels are skipped"
    )
    plausible_db: OrderedPair = Field(
        (-60.0, 40.0), description="[low, high] dB outside which backscatter is implausible"
    )


class NormalizeOptions(Options):
    """The working scale: dB, clipped per polarisation, mapped onto ``scaled_range``."""

    clip_db: ClipDb = Field(
        DEFAULT_CLIP_DB, description="per polarisation [low, high] dB clipped to"
    )
    scaled_range: OrderedPair = Field(
        (0.0, 1.0), description="[low, high] the clip range of every polarisation maps onto"
    )


class SarOptions(NormalizeOptions, ValidateOptions, ReadOptions, TilingOptions):
    """Catalog options of a sar entry."""


def _positive_per_polarisation(value: Any) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise ValueError("must map polarisations to numbers, e.g. {VV: -12.5, VH: -19.0}")
    out = {}
    for name, number in value.items():
        key = str(name).upper()
        if key not in KNOWN_POLARISATIONS:
            raise ValueError(f"names {name!r}; polarisations are {', '.join(KNOWN_POLARISATIONS)}")
        out[key] = float(number)
    return out


def _size_pair(value: Any) -> tuple[int, int]:
    sizes = [value, value] if isinstance(value, int) else value
    if (
        not isinstance(sizes, list | tuple)
        or len(sizes) != 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)
    ):
        raise ValueError("must be a positive int or [y, x] pixels, e.g. crop_size: 96")
    return sizes[0], sizes[1]


def _std_positive(value: dict[str, float]) -> dict[str, float]:
    if any(v <= 0 for v in value.values()):
        raise ValueError("every std must be > 0 dB")
    return value


PerPolarisation = Annotated[dict[str, float], BeforeValidator(_positive_per_polarisation)]
CropSize = Annotated[tuple[int, int], BeforeValidator(_size_pair)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]

# Statistics of the stored tiles in dB (BigEarthNet-S1 patch means and stds, rounded):
# the views map a standardised window back to dB with them (see augment.DecibelScale).
DEFAULT_WINDOW_DB_MEAN = {"VV": -12.5, "HH": -12.5, "VH": -19.0, "HV": -19.0}
DEFAULT_WINDOW_DB_STD = {"VV": 4.5, "HH": 4.5, "VH": 4.0, "HV": 4.0}


class SarViewOptions(Options):
    """A pipeline's ``views:`` for sar.

    Views see standardised windows; ``window_db_mean``/``window_db_std`` say what one
    standardised unit is in dB per polarisation (the archive's standardisation statistics
    in dB: mean_db = lo + mean * (hi - lo), std_db = std * (hi - lo) for a clip range
    [lo, hi] mapped onto [0, 1]), so speckle and dB shifts are drawn in physical units.
    """

    polarisations: Polarisations = Field(
        POLARISATIONS, description="channel order of the windows (as in the catalog entry)"
    )
    crop_size: CropSize = Field((96, 96), description="random crop in pixels [y, x]")
    speckle_looks: Annotated[float, Field(gt=0.0, le=1000.0)] = Field(
        5.0, description="number of looks L of the added speckle (Gamma shape; variance 1/L)"
    )
    speckle_p: Probability = Field(0.8, description="probability of added speckle (strong)")
    shift_db: Annotated[float, Field(ge=0.0, le=20.0)] = Field(
        2.0, description="largest intensity shift in dB, drawn uniformly in [-shift, shift]"
    )
    shift_p: Probability = Field(0.8, description="probability of an intensity shift")
    dropout_p: Probability = Field(
        0.2, description="probability of blanking one polarisation channel (strong)"
    )
    window_db_mean: PerPolarisation = Field(
        DEFAULT_WINDOW_DB_MEAN, description="dB at standardised 0, per polarisation"
    )
    window_db_std: Annotated[PerPolarisation, AfterValidator(_std_positive)] = Field(
        DEFAULT_WINDOW_DB_STD, description="dB per standardised unit, per polarisation"
    )

    @model_validator(mode="after")
    def _stats_for_every_channel(self) -> Self:
        for label, stats in (
            ("window_db_mean", self.window_db_mean),
            ("window_db_std", self.window_db_std),
        ):
            missing = [p for p in self.polarisations if p not in stats]
            if missing:
                raise ValueError(f"{label} lacks {missing}; give a value per polarisation")
        return self
