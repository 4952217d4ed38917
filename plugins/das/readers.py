"""The DAS readers, in the order a file is offered to them (the first whose sniff accepts).

The content-sniffed NetCDF and miniSEED readers come first; DASCore's reader, which also
claims anything named or shaped like HDF5 or SEG-Y so that a broken one gets its reason,
comes last.
"""

from __future__ import annotations

from plugins.das.readers_dascore import DascoreReader
from plugins.das.readers_mseed import MiniseedReader
from plugins.das.readers_netcdf import NetcdfReader

NETCDF_READER = NetcdfReader()
MINISEED_READER = MiniseedReader()
DASCORE_READER = DascoreReader()
READERS = (NETCDF_READER, MINISEED_READER, DASCORE_READER)

__all__ = ["DASCORE_READER", "MINISEED_READER", "NETCDF_READER", "READERS"]
