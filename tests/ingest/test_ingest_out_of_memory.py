"""Done-when: running out of memory while reading one file quarantines that file with a
reason that says so (not a bare ``MemoryError``, nor "truncated" for a failed mmap), and
the batch goes on. The ingest runs in a child whose address space is capped just above
what it has mapped after a first CT ingest (so lazy imports are done), so the two big
(sparse, nearly free on disk) files cannot fit."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import nibabel as nib
import numpy as np
import yaml

from plugins.ct.phantom import make_phantom, write_nifti

CHILD = textwrap.dedent(
    """
    import json, resource, sys
    from pathlib import Path
    import plugins.ct.plugin
    from sslsci.catalog import load_catalog
    from sslsci.ingest import ingest_entry
    from sslsci.store import Workspace

    catalog = load_catalog(Path(sys.argv[1]))
    workspace = Workspace(catalog.resolve_workdir())
    ingest_entry(catalog, "warm", workspace)  # imports all a CT ingest uses, before the cap
    status = Path("/proc/self/status").read_text().split("VmSize:")[1]
    mapped = int(status.split()[0]) * 1024
    resource.setrlimit(resource.RLIMIT_AS, (mapped + 400 * 2**20, resource.RLIM_INFINITY))
    print(ingest_entry(catalog, "oom", workspace).as_json())
    """
)


def _sparse_nifti(path: Path, side: int, slope: float = 1.0) -> None:
    """An uncompressed int16 NIfTI of side**3 zero voxels, written as a sparse file."""
    header = nib.Nifti1Header()
    header.set_data_shape((side,) * 3)
    header.set_data_dtype(np.int16)
    header.set_xyzt_units("mm")
    header.set_slope_inter(slope, 0.0)
    header["vox_offset"] = 352
    with open(path, "wb") as handle:
        handle.write(header.binaryblock + b"\x00" * 4)
        handle.truncate(352 + 2 * side**3)


def test_out_of_memory_reading_one_file_is_quarantined_and_the_batch_goes_on(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    phantom = make_phantom((16, 12, 8), seed=1, spacing=(4.0, 4.0, 4.0), condition="normal")
    write_nifti(phantom.volume, None, phantom.spacing, archive / "good.nii.gz")
    (tmp_path / "warm").mkdir()
    warm = make_phantom((16, 12, 8), seed=2, spacing=(4.0, 4.0, 4.0), condition="normal")
    write_nifti(warm.volume, None, warm.spacing, tmp_path / "warm" / "warm.nii.gz")
    _sparse_nifti(archive / "mapped.nii", 640)  # a 500 MiB memory map cannot be made
    _sparse_nifti(archive / "scaled.nii", 512, slope=2.0)  # its 512 MiB float copy cannot
    entry = {"name": "oom", "modality": "ct", "uri": "archive", "include": ["*"],
             "options": {"target_spacing": 4.0, "max_voxels": 2**30}}  # fmt: skip
    warm_entry = dict(entry, name="warm", uri="warm")
    (tmp_path / "catalog.yaml").write_text(yaml.safe_dump({"entries": [warm_entry, entry]}))
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(tmp_path / "catalog.yaml")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert child.returncode == 0, child.stderr
    report = json.loads(child.stdout)
    reasons = {Path(q["uri"]).name: q["reason"] for q in report["quarantined"]}
    assert set(reasons) == {"mapped.nii", "scaled.nii"}, reasons
    for reason in reasons.values():
        assert reason.startswith("ran out of memory while reading it"), reason
        assert "truncated" not in reason
    assert report["counts"]["stored_items"] == 1


def test_out_of_memory_while_hashing_quarantines_only_that_file(tmp_path, monkeypatch):
    from sslsci.ingest import process
    from sslsci.ingest.archive import SourceInfo

    def short_of_memory(info):
        raise MemoryError

    monkeypatch.setattr(process, "source_sha256", short_of_memory)
    path = tmp_path / "big.nii"
    path.write_bytes(b"\0" * 8)
    info = SourceInfo(str(path), "big.nii", 8, "8:0", False, str(path))
    job = process.SourceJob(info, "ct", None, {}, "0" * 16, str(tmp_path / "store"), "auto")
    result = process.process_source(job)
    assert result.status == "quarantined"
    assert result.reason.startswith("ran out of memory while reading it"), result.reason
