"""Every real vendor file in ../shared/data/das ingests through the catalog: stored with
the spec's dims, and with the time step DASCore (or obspy/h5py) reports for the file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sslsci.catalog import load_catalog
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace

CATALOG = """
entries:
  - name: vendors
    modality: das
    uri: {uri}
    include: ["*.h5", "*.hdf5", "*.sgy", "*.nc", "*.mseed"]
    options: {{segment_seconds: null}}
"""


def source_rate(path: Path) -> float:
    """The sampling rate the file's own library reports (independent of the plugin)."""
    if path.suffix == ".mseed":
        import obspy

        return float(obspy.read(str(path), headonly=True)[0].stats.sampling_rate)
    if path.suffix == ".nc":
        import xarray as xr

        with xr.open_dataset(path, engine="h5netcdf") as dataset:  # CF tie points (xdas)
            indices = dataset["time_indices"].values
            values = dataset["time_values"].values.astype("datetime64[ns]").astype(np.int64)
        return float((indices[-1] - indices[0]) / ((values[-1] - values[0]) / 1e9))
    import dascore as dc

    step = dc.spool(path)[0].attrs.time_step
    return 1e9 / step.astype("timedelta64[ns]").astype(float)


def test_every_vendor_file_ingests_with_dims_and_rate(shared_data: Path, tmp_path: Path) -> None:
    folder = shared_data / "das"
    (tmp_path / "catalog.yaml").write_text(CATALOG.format(uri=folder))
    catalog = load_catalog(tmp_path / "catalog.yaml")
    workspace = Workspace(tmp_path / "work")
    report = ingest_entry(catalog, "vendors", workspace)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".h5", ".hdf5", ".sgy", ".nc",
                                                                 ".mseed"))
    assert report.counts["ok"] == len(files) == 8, report.quarantined
    manifest = workspace.manifest()
    items = manifest.items(["vendors"])
    manifest.close()
    for path in files:
        mine = [i for i in items if Path(i.uri).name == path.name]
        assert mine, path.name
        for item in mine:
            assert item.dims == ("channel", "distance", "time")
            stored_rate = 1.0 / item.attrs["time_step_s"]
            expected = min(source_rate(path), 250.0)  # decimated to 250 Hz, never upsampled
            assert stored_rate == pytest.approx(expected, rel=0.02), path.name
