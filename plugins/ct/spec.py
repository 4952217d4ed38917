"""The CT modality spec and the defaults every part of the plugin shares."""

from __future__ import annotations

from sslsci.plugins.contract import ModalitySpec

DIMS: tuple[str, ...] = ("channel", "x", "y", "z")
SPATIAL_DIMS: tuple[str, ...] = ("x", "y", "z")
CHANNELS: tuple[str, ...] = ("ct",)
UNITS = "HU"
DEFAULT_TARGET_SPACING_MM = 1.5
EXAMPLE_SIZE = (32, 32, 32)  # voxels of the conformance examples
DEFAULT_HU_WINDOW: tuple[float, float] = (-1000.0, 1000.0)
DEFAULT_SCALED_RANGE: tuple[float, float] = (0.0, 1.0)
UNKNOWN_MODALITY = "unknown"

SPEC = ModalitySpec(
    name="ct",
    dims=DIMS,
    window_dims=SPATIAL_DIMS,
    channels=CHANNELS,
    units=UNITS,
    sampling={dim: DEFAULT_TARGET_SPACING_MM for dim in SPATIAL_DIMS},
    sampling_units={dim: "mm" for dim in SPATIAL_DIMS},
    # One slice is a valid CT item; the plugin's min_size option (validate.Limits) decides.
    min_sizes={dim: 1 for dim in SPATIAL_DIMS},
    description=(
        "X-ray computed tomography volumes in Hounsfield units, oriented to canonical RAS "
        "(x to the patient's right, y anterior, z superior), resampled to 1.5 mm isotropic "
        "voxels, clipped to the [-1000, 1000] HU window and scaled to [0, 1]."
    ),
)
