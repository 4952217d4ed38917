"""The ingest report says what the store holds: a UCI HAR window of 128 samples at 50 Hz
is stored as 77 samples at 30 Hz, and the body_acc channels the reader leaves out are
named, with the option that keeps them."""

from __future__ import annotations

from typer.testing import CliRunner

from sslsci.cli import app
from tests.plugins.wearables.test_wearables_readers_uci import SPLITS, write_uci_folder

CATALOG = """
entries:
  - name: har
    modality: wearables
    uri: "UCI HAR Dataset/train"
    options: {options}
"""


def ingest_report(tmp_path, options: str) -> str:
    write_uci_folder(tmp_path / "UCI HAR Dataset")
    (tmp_path / "catalog.yaml").write_text(CATALOG.format(options=options))
    result = CliRunner().invoke(app, ["ingest", "har", "--catalog", str(tmp_path / "catalog.yaml")])
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())  # rich wraps long lines


def test_report_names_stored_length_rate_resampling_and_left_out_signals(tmp_path) -> None:
    text = ingest_report(tmp_path, "{}")
    windows = SPLITS["train"]
    stored = round(128 * 30 / 50)  # 2.56 s at 30 Hz
    assert f"stored {windows} items: time {stored} samples at 30 Hz" in text
    assert f"stored {windows} items: resampled at ingest from 50 Hz to 30 Hz" in text
    assert (
        f"stored {windows} items: uci_har read signals total_acc, body_gyro and left out body_acc"
    ) in text
    assert "options: {signals: [...]}" in text


def test_chosen_signals_at_their_own_rate_are_reported_as_chosen(tmp_path) -> None:
    text = ingest_report(tmp_path, "{signals: [body_acc, body_gyro], target_rate: 50}")
    assert f"stored {SPLITS['train']} items: time 128 samples at 50 Hz (2.56 s)" in text
    assert "resampled" not in text
    assert "read signals body_acc, body_gyro and left out total_acc" in text
