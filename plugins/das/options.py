"""The DAS catalog options: what the readers, validate and normalize read, typed, defaults here.

Three groups, each a model of its own so a function takes just its group with
``Options.pick``: how files are read (``ReadOptions``: segments, header bounds, channel
spacing where the format has none), what counts as bad (``ValidateOptions``) and what
normalize brings every record to (``NormalizeOptions``). ``DasOptions`` joins them for
the plugin's catalog entries.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from plugins.das.spec import TARGET_RATE_HZ
from sslsci.plugins.options import Options

Positive = Annotated[float, Field(gt=0, allow_inf_nan=False)]
Count = Annotated[int, Field(strict=True, ge=1)]
Fraction = Annotated[float, Field(gt=0, le=1)]
Quantity = Literal["strain_rate", "strain", "phase", "velocity"]


def _band(pair: tuple[float, float]) -> tuple[float, float]:
    low, high = pair
    if not 0 <= low < high:
        raise ValueError("must be [low, high] in Hz with 0 <= low < high, e.g. [1, 100]")
    return pair


Band = Annotated[tuple[float, float], AfterValidator(_band)]


class BadChannelOptions(Options):
    """Whether bad channels stop an item or are masked (shared by readers, validate, normalize)."""

    bad_channels: Literal["mask", "report"] = Field(
        "mask",
        description="mask: dead, flatlined, clipped, far-out or all-NaN channels are zeroed and "
        "listed in attrs; report: each is a validation problem that quarantines the item",
    )


class ReadOptions(BadChannelOptions):
    """How the readers cut a file into records and what sizes a header may declare."""

    segment_seconds: Positive | None = Field(
        60.0,
        description="read a file as consecutive records of this many seconds (a tail under "
        "half a segment joins the last); null reads each file as one record",
    )
    segment_max_values: Count = Field(
        2_000_000,  # 8 MB of float32 per record: bounds ingest memory (bench_das.py)
        description="most samples (channels x time) per record: segments are shortened to fit, "
        "which bounds peak memory whatever the channel count",
    )
    max_channels: Count = Field(
        500_000, description="most channels a header may declare (100 km at 0.2 m spacing)"
    )
    max_time_samples: Count = Field(
        10**10, description="most time samples a header may declare (115 days at 1 kHz)"
    )
    max_values: Count = Field(
        5 * 10**10, description="most samples (channels x time) a header may declare (200 GB f4)"
    )
    channel_spacing_m: Positive | None = Field(
        None,
        description="metres between channels where the file gives channel numbers only "
        "(miniSEED without stats.distance, SEG-Y); null: distance is the channel index",
    )
    assume_quantity: Quantity | None = Field(
        None,
        description="the measured quantity where the file does not say it (Silixa H5, "
        "SEG-Y, NetCDF, miniSEED); null leaves it 'unknown'",
    )


class ValidateOptions(BadChannelOptions):
    """Thresholds of ``validate``; a quiet or very heterogeneous array may need others."""

    min_channels: Count = Field(2, description="fewest channels along distance")
    min_time_samples: Count = Field(16, description="fewest time samples per record")
    time_step_tolerance: Fraction = Field(
        0.01, description="relative deviation from the median time step that is a gap or overlap"
    )
    dead_rms_ratio: Fraction = Field(
        1e-3, description="a channel whose RMS is below this fraction of the median is dead"
    )
    far_rms_ratio: Annotated[float, Field(gt=1, allow_inf_nan=False)] = Field(
        100.0,
        description="a channel whose RMS is this factor above or below the median is far out "
        "(100 = 40 dB; real arrays span about 20 dB of site amplification)",
    )
    flatline_fraction: Fraction = Field(
        0.25, description="a channel repeating one value for this share of the record is flatlined"
    )
    clip_fraction: Fraction = Field(
        0.01,
        description="a channel holding its peak |x| for consecutive samples this often is clipped",
    )


class NormalizeOptions(BadChannelOptions):
    """What normalize brings every record to; each step is recorded in attrs['preprocessing']."""

    to_strain_rate: bool = Field(
        True, description="convert strain (d/dt), phase (Lindsey 2020, d/dt), velocity (d/dx)"
    )
    detrend: Literal["linear", "constant"] | None = Field(
        "linear", description="remove a linear trend or the mean per channel; null keeps it"
    )
    target_rate_hz: Positive = Field(
        TARGET_RATE_HZ,
        description="decimate (anti-aliased) to this rate; a slower source keeps its own",
    )
    target_distance_step_m: Positive | None = Field(
        None, description="decimate along distance to about this spacing; null keeps the channels"
    )
    band: Band | None = Field(
        (1.0, 100.0),
        description="[low, high] Hz zero-phase Butterworth band-pass after decimation (high at "
        "or above Nyquist gives a high-pass); null skips it",
    )
    band_order: Annotated[int, Field(strict=True, ge=1, le=10)] = Field(
        4, description="Butterworth order of the band-pass"
    )
    robust_scale: bool = Field(
        True, description="per channel: subtract the median, divide by 1.4826 x MAD"
    )

    @model_validator(mode="after")
    def _band_below_rate(self) -> Self:
        if self.band is not None and self.band[0] >= self.target_rate_hz / 2:
            raise ValueError(
                f"band low {self.band[0]:g} Hz is at or above the Nyquist frequency of "
                f"target_rate_hz={self.target_rate_hz:g}; lower it or raise the rate"
            )
        return self


class DasOptions(NormalizeOptions, ValidateOptions, ReadOptions):
    """Catalog options of a das entry: reading, validation thresholds, normalisation."""
