"""The catalog: a valid file parses; each kind of mistake names file, line, entry, field, value."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sslsci.catalog import CatalogError, load_catalog

VALID = """
workdir: state
entries:
  - name: speech-digits
    modality: wearables
    uri: digits
    include: ["**/*.wav"]
    exclude: ["noise/*"]
    options: {sampling_rate: 8000}
    labels:
      regex: '(?P<label>\\d)_(?P<speaker>\\w+)_\\d+\\.wav'
    splits: {fraction: {train: 0.8, test: 0.2}, group_by: speaker, seed: 7}
    schedule: "0 3 * * *"
    weight: 2.5
  - name: study
    modality: wearables
    uri: /data/study
    labels: {sidecar: labels.parquet, group_column: subject}
    splits: {lists: {train: train.txt, test: test.txt}}
"""


def test_valid_catalog_parses_with_paths_beside_it(tmp_path):
    (tmp_path / "catalog.yaml").write_text(VALID)
    catalog = load_catalog(tmp_path / "catalog.yaml")
    digits, study = catalog.entries
    assert digits.labels.regex.startswith("(?P<label>")
    assert digits.splits.fraction == {"train": 0.8, "test": 0.2}
    assert (digits.splits.group_by, digits.splits.seed, digits.weight) == ("speaker", 7, 2.5)
    assert digits.schedule == "0 3 * * *"
    assert study.include == ["**/*"] and study.splits.lists["test"] == "test.txt"
    assert catalog.resolve_uri(digits) == str(tmp_path.resolve() / "digits")
    assert catalog.resolve_uri(study) == "/data/study"
    assert catalog.resolve_workdir() == tmp_path.resolve() / "state"
    assert catalog.resolve_workdir(tmp_path / "other") == tmp_path.resolve() / "other"


def test_default_workdir_is_sslsci_beside_the_catalog(tmp_path):
    (tmp_path / "c.yaml").write_text("entries: []\n")
    assert load_catalog(tmp_path / "c.yaml").resolve_workdir() == tmp_path.resolve() / ".sslsci"


def test_unknown_entry_name_lists_the_entries(tmp_path):
    (tmp_path / "c.yaml").write_text(VALID)
    with pytest.raises(CatalogError, match=r"no entry named 'nope'; entries: speech-digits, study"):
        load_catalog(tmp_path / "c.yaml").entry("nope")


HEAD = "entries:\n  - name: good\n    modality: wearables\n    uri: x\n"


# Each case: catalog text, then fragments the message must hold, in order:
# line, entry, field, value, and what is accepted.
ERRORS = {
    "unknown field": (
        HEAD + "  - name: mine\n    modality: wearables\n    uri: x\n    colour: red\n",
        ["line 8", "entry 'mine'", "field 'colour'", "value 'red'", "accepted fields: name,"],
    ),
    "bad label regex": (
        HEAD + "    labels:\n      regex: '(?P<label>\\d'\n",
        [
            "line 6",
            "entry 'good'",
            "field 'labels.regex'",
            "value '(?P<label>\\\\d'",
            "not a valid regular expression",
        ],
    ),
    "regex without a named group": (
        HEAD + "    labels: {regex: '\\d+'}\n",
        ["line 5", "entry 'good'", "field 'labels.regex'", "value", "(?P<label>"],
    ),
    "fractions not summing to 1": (
        HEAD + "    splits:\n      fraction: {train: 0.7, test: 0.2}\n",
        [
            "line 6",
            "entry 'good'",
            "field 'splits.fraction'",
            "{'train': 0.7, 'test': 0.2}",
            "sum to 1 (they sum to 0.9)",
        ],
    ),
    "bad split regex": (
        HEAD + "    splits: {regex: {train: '[TRAIN'}}\n",
        ["line 5", "entry 'good'", "field 'splits.regex'", "'[TRAIN'", "is invalid"],
    ),
    "two ways to split": (
        HEAD + "    splits: {regex: {a: x}, lists: {b: y.txt}}\n",
        ["line 5", "entry 'good'", "field 'splits'", "value", "exactly one of regex, lists or"],
    ),
    "duplicate names": (
        HEAD + "  - name: good\n    modality: wearables\n    uri: y\n",
        ["line 5", "entry 'good'", "field 'name'", "value 'good'", "used by the entry at line 2"],
    ),
    "bad schedule": (
        HEAD + "    schedule: every day\n",
        ["line 5", "entry 'good'", "field 'schedule'", "value 'every day'", "5-field cron"],
    ),
    "bad name": (
        "entries:\n  - name: My Archive\n    modality: wearables\n    uri: x\n",
        ["line 2", "entry 'My Archive'", "field 'name'", "value 'My Archive'", "[a-z0-9_.-]"],
    ),
    "missing uri": (
        "entries:\n  - name: a\n    modality: wearables\n",
        ["line 2", "entry 'a'", "field 'uri'", "value missing", "Field required"],
    ),
    "missing entries": (
        "workdir: state\n",
        ["line 1", "", "field 'entries'", "value missing", "'entries:' list"],
    ),
    "entry not a mapping": (
        "entries:\n  - just-a-name\n",
        ["line 2", "entry #1", "field '(entry)'", "value 'just-a-name'", "valid dictionary"],
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_each_catalog_error_names_file_line_entry_field_and_value(tmp_path, case):
    text, fragments = ERRORS[case]
    path = tmp_path / "my_catalog.yaml"
    path.write_text(text)
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    position = message.index(str(path))
    for fragment in fragments:
        found = message.find(fragment, position)
        assert found >= 0, f"{fragment!r} missing (or out of order) in:\n{message}"
        position = found


def test_every_problem_is_reported_not_only_the_first(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text(HEAD + "    colour: red\n    schedule: never\n")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert "field 'colour'" in str(info.value) and "field 'schedule'" in str(info.value)


def test_invalid_yaml_and_missing_file(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("entries: [\n")
    with pytest.raises(CatalogError, match="not valid YAML"):
        load_catalog(path)
    with pytest.raises(CatalogError, match="pass --catalog FILE"):
        load_catalog(tmp_path / "absent.yaml")


def _check(catalog: Path):
    from sslsci.cli import app

    return CliRunner().invoke(app, ["catalog", "check", "--catalog", str(catalog)])


def test_cli_catalog_check_fails_naming_an_unknown_modality(tmp_path):
    (tmp_path / "archive").mkdir()
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text("entries:\n  - name: a\n    modality: seismics\n    uri: archive\n")
    result = _check(catalog)
    assert result.exit_code == 2, result.output
    text = " ".join(result.output.split())
    assert "entry 'a'" in text and "field 'modality', value 'seismics'" in text
    assert "installed:" in text and "wearables" in text


def test_cli_catalog_check_reports_missing_archive_and_sidecar_and_passes_when_fixed(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "entries:\n  - name: a\n    modality: wearables\n    uri: archive\n"
        "    format: wav\n    labels: {sidecar: labels.csv}\n"
    )
    text = " ".join(_check(catalog).output.split())
    assert "field 'format', value 'wav'" in text and "accepted: uea_ts, csv" in text
    assert "field 'uri', value 'archive'" in text and "does not exist" in text
    (tmp_path / "archive").mkdir()
    text = " ".join(_check(catalog).output.split())
    assert "field 'labels.sidecar', value 'labels.csv'" in text
    (tmp_path / "archive" / "labels.csv").write_text("file,label\n")
    catalog.write_text(catalog.read_text().replace("    format: wav\n", ""))
    result = _check(catalog)
    assert result.exit_code == 0, result.output
    assert "1 entries valid" in " ".join(result.output.split())


def test_cli_catalog_check_shows_schema_errors_with_exit_2(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(HEAD + "    colour: red\n")
    result = _check(catalog)
    assert result.exit_code == 2
    assert "field 'colour', value 'red'" in " ".join(result.output.split())
