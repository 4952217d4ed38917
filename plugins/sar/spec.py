"""The SAR modality spec and the attribute names every SAR reader fills in.

An item is a (polarisation, y, x) tile of a Sentinel-1-like backscatter image: VV and VH
channels on one georeferenced grid. Windows are cut along y and x.
"""

from __future__ import annotations

from sslsci.plugins import ModalitySpec

DIMS: tuple[str, ...] = ("channel", "y", "x")
WINDOW_DIMS: tuple[str, ...] = ("y", "x")
POLARISATIONS: tuple[str, ...] = ("VV", "VH")

# Attrs every reader sets on its DataArray (None where the metadata does not say).
CRS = "crs"  # WKT of the grid's CRS
TRANSFORM = "transform"  # affine (a, b, c, d, e, f) of the tile, rasterio order
PIXEL_SIZE = "pixel_size_m"  # (y, x) metres, positive
NODATA = "nodata"
POLARISATION_ATTR = "polarisations"  # e.g. ["VV", "VH"], the channel coord order
SCALE = "scale"  # "dB" | "linear" (intensity), as read or declared
ACQUISITION_TIME = "acquisition_time"  # ISO 8601 UTC
ORBIT = "orbit"  # e.g. "ascending 37" when known
TILE = "tile"  # (row, col) of the tile in its scene
NODATA_FRACTION = "nodata_fraction"
SOURCE = "source"

WORKING_SCALE = "dB"  # normalize brings every item to dB, then clips and scales per channel

SPEC = ModalitySpec(
    name="sar",
    dims=DIMS,
    window_dims=WINDOW_DIMS,
    channels=POLARISATIONS,
    units="backscatter in dB, clipped and scaled per polarisation",
    sampling={},
    description=(
        "Synthetic aperture radar backscatter (Sentinel-1 GRD-like): VV and VH tiles of "
        "georeferenced scenes read with rioxarray/rasterio, stored in dB."
    ),
)
