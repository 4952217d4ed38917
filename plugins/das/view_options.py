"""The das ``views:`` options, apart from the transforms so the plugin declares without torch."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from sslsci.plugins.options import Options


def _crop_size(value: Any) -> tuple[int, int]:
    """One positive int (both dims) or [distance, time] samples."""
    sizes = [value, value] if isinstance(value, int) else value
    if (
        not isinstance(sizes, list | tuple)
        or len(sizes) != 2
        or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)
    ):
        raise ValueError("must be a positive int or [distance, time] samples, e.g. [64, 256]")
    return sizes[0], sizes[1]


def _range(value: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError("must be [low, high], e.g. [5, 30]") from None
    if not low <= high:
        raise ValueError(f"must be [low, high] with low <= high, got [{low:g}, {high:g}]")
    return low, high


CropSize = Annotated[tuple[int, int], BeforeValidator(_crop_size)]
Range = Annotated[tuple[float, float], BeforeValidator(_range)]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class DasViewOptions(Options):
    """A pipeline's ``views:`` for das: the crop, and each augmentation's strength and
    probability (0 turns one off)."""

    crop_size: CropSize = Field((64, 256), description="[distance, time] samples of a view")
    distance_step_m: float = Field(
        10.0, gt=0, description="channel spacing of the stored windows, for f-k velocities"
    )
    polarity_p: Probability = Field(0.5, description="probability of negating the window")
    fibre_flip_p: Probability = Field(0.5, description="probability of reversing distance")
    time_shift: float = Field(0.1, ge=0, le=0.5, description="largest shift, share of window")
    time_shift_p: Probability = 0.3
    channel_gain_sigma: float = Field(0.3, ge=0, description="log-std of per-channel gains")
    channel_gain_p: Probability = 0.5
    dropout_fraction: float = Field(0.1, gt=0, le=1, description="most channels zeroed")
    dropout_p: Probability = 0.3
    dead_run: int = Field(4, ge=1, description="longest run of dead neighbouring channels")
    dead_p: Probability = 0.2
    noise_snr_db: Range = Field((5.0, 30.0), description="[low, high] SNR of added noise")
    noise_p: Probability = 0.5
    fk_velocity_mps: Range = Field(
        (10.0, 5000.0), description="[low, high] m/s where a masked velocity band starts"
    )
    fk_p: Probability = 0.3
    mix_ratio: float = Field(0.5, ge=0, le=1, description="largest share of coherent noise")
    mix_p: Probability = 0.3

    @model_validator(mode="after")
    def _positive_velocities(self) -> DasViewOptions:
        if self.fk_velocity_mps[0] <= 0:
            raise ValueError(f"fk_velocity_mps {list(self.fk_velocity_mps)} must be above 0 m/s")
        return self
