"""The DAS modality spec and the attribute names every DAS reader fills in.

A DAS record is a (distance, time) section of one fibre: strain-rate-like samples at
channels a few metres apart, sampled at hundreds of Hz to kHz. sslsci keeps a leading
channel dim of size 1 (the measured quantity), so windows are cut along distance and
time exactly as for any other modality.
"""

from __future__ import annotations

from sslsci.plugins import ModalitySpec

DIMS: tuple[str, ...] = ("channel", "distance", "time")
WINDOW_DIMS: tuple[str, ...] = ("distance", "time")
QUANTITY = "strain_rate"  # the single channel after normalize

# Attrs every reader sets on its DataArray (None where the format does not say).
TIME_STEP = "time_step_s"  # seconds between samples
DISTANCE_STEP = "distance_step_m"  # metres between channels
START_TIME = "start_time"  # ISO 8601, UTC
UNITS = "data_units"  # as the file states them (pint-style text), e.g. "1/s", "rad", "m/s"
QUANTITY_ATTR = "quantity"  # strain_rate | strain | phase | velocity | unknown
GAUGE_LENGTH = "gauge_length_m"
FORMAT = "format"  # vendor format name, e.g. "PRODML", "febus", "miniSEED"
FORMAT_VERSION = "format_version"
SOURCE = "source"

TARGET_RATE_HZ = 250.0  # after normalize (decimation; a recording may not be resampled up)

SPEC = ModalitySpec(
    name="das",
    dims=DIMS,
    window_dims=WINDOW_DIMS,
    channels=(QUANTITY,),
    units="strain rate, robust-scaled per fibre channel",
    sampling={"time": TARGET_RATE_HZ},
    sampling_units={"time": "Hz", "distance": "m"},
    description=(
        "Distributed acoustic sensing: (distance, time) sections of one fibre from any "
        "interrogator DASCore reads, NetCDF (xdas) or miniSEED arrays; converted to strain "
        "rate, detrended, band-passed and decimated at ingest."
    ),
)
