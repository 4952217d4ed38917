"""The SAR readers, in sniff order: band folders (BigEarthNet-S1), GeoTIFF/COG files, and
NetCDF/zarr datacubes. Every reader yields one record per tile (``plugins.sar.tiling``)."""

from __future__ import annotations

from plugins.sar.readers_datacube import DatacubeReader
from plugins.sar.readers_folder import BandFolderReader
from plugins.sar.readers_geotiff import GeoTiffReader

BAND_FOLDER_READER = BandFolderReader()
GEOTIFF_READER = GeoTiffReader()
DATACUBE_READER = DatacubeReader()
READERS = (BAND_FOLDER_READER, GEOTIFF_READER, DATACUBE_READER)

__all__ = ["BAND_FOLDER_READER", "DATACUBE_READER", "GEOTIFF_READER", "READERS"]
