"""A catalog entry's `options` are checked against its plugin's options model: a misspelt
key or a bad value is reported with the file, line, entry, key and the accepted keys, by
`sslsci catalog check` and by ingest before anything is read or stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sslsci.catalog import CatalogError, load_catalog
from sslsci.cli import app
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace

CATALOG = """\
entries:
  - name: study
    modality: wearables
    uri: archive
    include: ["*.csv"]
    options:
      sampling_rat: 30
      acc_units: furlongs
"""


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "a.csv").write_text("time,acc_x,acc_y,acc_z\n0,0,0,1\n")
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG)
    return path


def test_catalog_check_names_file_line_entry_key_and_accepted_keys(catalog: Path) -> None:
    result = CliRunner().invoke(app, ["catalog", "check", "--catalog", str(catalog)],
                                terminal_width=400)
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert (
        f"{catalog}: line 7: entry 'study': field 'options.sampling_rat': unknown key "
        "'sampling_rat'; accepted keys: sampling_rate, channels, acc_units"
    ) in text
    assert (
        f"{catalog}: line 8: entry 'study': field 'options.acc_units', value 'furlongs': "
        "Input should be 'g', 'm/s^2'"
    ) in text


def test_ingest_refuses_the_entry_before_reading_or_storing(catalog: Path) -> None:
    parsed = load_catalog(catalog)
    workspace = Workspace(parsed.resolve_workdir())
    with pytest.raises(CatalogError, match=r"line 7: entry 'study': field 'options.sampling_rat'"):
        ingest_entry(parsed, "study", workspace)
    assert not workspace.manifest_path.exists()


def test_fixed_options_pass_the_check(catalog: Path) -> None:
    catalog.write_text(CATALOG.replace("sampling_rat", "sampling_rate").replace("furlongs", "g"))
    result = CliRunner().invoke(app, ["catalog", "check", "--catalog", str(catalog)])
    assert result.exit_code == 0, result.output
