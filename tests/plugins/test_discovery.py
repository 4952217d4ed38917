"""Discovery by entry points: a reader registered by an outside distribution joins its
modality without re-registering it; broken registrations are skipped with a warning."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from sslsci.plugins import discovery, get_plugin
from sslsci.plugins.discovery import PluginLoadWarning

READER_MODULE = '''
from collections.abc import Iterator

import numpy as np
import xarray as xr
from pydantic import PositiveFloat

from sslsci.plugins import Options, Record


class AcmeOptions(Options):
    acme_rate: PositiveFloat = 25.0


class AcmeReader:
    """A vendor's .acme files: a magic line, then channels x samples as float32."""

    name = "acme"
    suffixes = (".acme",)
    options = AcmeOptions

    def sniff(self, path, head):
        return head.startswith(b"ACME1")

    def read(self, path, **options) -> Iterator[Record]:
        raw = open(path, "rb").read()[6:]
        values = np.frombuffer(raw, dtype="<f4").reshape(6, -1)
        array = xr.DataArray(
            values.astype(np.float64), dims=("channel", "time"),
            coords={"channel": ["acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z"]},
            attrs={"sampling_rate": float(options["acme_rate"]), "source": path},
        )
        yield Record(array)


reader = AcmeReader()
broken = object()
'''


@pytest.fixture
def acme_installed(tmp_path: Path, monkeypatch):
    """An installed distribution (a real dist-info folder on sys.path) registering readers."""
    (tmp_path / "acme_reader.py").write_text(READER_MODULE)
    dist = tmp_path / "acme_reader-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-reader\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(textwrap.dedent("""
        [sslsci.readers]
        wearables.acme = acme_reader:reader
        wearables.wrongname = acme_reader:reader
        wearables.broken = acme_reader:broken
        wearables.missing = acme_reader:nothing_here
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    discovery._load_named.cache_clear()
    yield tmp_path
    sys.modules.pop("acme_reader", None)
    discovery._load_named.cache_clear()


def test_an_outside_reader_joins_its_modality_first_with_its_options(acme_installed) -> None:
    with pytest.warns(PluginLoadWarning) as caught:
        plugin = get_plugin("wearables")
    assert plugin.readers[0].name == "acme"
    assert [r.name for r in plugin.readers][1:] == ["uea_ts", "csv", "parquet", "uci_har",
                                                    "actipy_device"]
    messages = " ".join(str(w.message) for w in caught)
    assert "'wearables.wrongname'" in messages and "register it as 'wearables.acme'" in messages
    assert "'wearables.broken'" in messages and "is not a reader" in messages
    assert "'wearables.missing'" in messages and "failed to load" in messages
    assert plugin.option_values({"acme_rate": 50})["acme_rate"] == 50.0


def test_the_added_reader_is_picked_by_sniff_and_ingested(acme_installed) -> None:
    import sslsci

    with pytest.warns(PluginLoadWarning):
        get_plugin("wearables")
    values = np.random.default_rng(0).normal(0, 0.5, size=(6, 100)).astype("<f4")
    path = acme_installed / "walk.acme"
    path.write_bytes(b"ACME1\n" + values.tobytes())
    (record,) = sslsci.read(path, "wearables", acme_rate=50)
    assert record.array.attrs["sampling_rate"] == 50.0
    np.testing.assert_allclose(record.array.values, values)


def test_without_outside_readers_the_plugin_keeps_its_own() -> None:
    discovery._load_named.cache_clear()
    assert get_plugin("wearables").readers[0].name == "uea_ts"
