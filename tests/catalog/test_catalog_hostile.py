"""Hostile catalogs and pipelines (issue 10): alias bombs, bytes that are not UTF-8,
keys given twice, bad option values, absolute sidecars, a group column no item has,
and `catalog check --workdir`. Each is refused or warned about with the file and line."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sslsci.catalog import CatalogError, load_catalog
from sslsci.cli import app
from sslsci.ingest import ingest_entry
from sslsci.store import Workspace
from sslsci.train.pipeline import PipelineError, load_pipeline

# Ten levels of nine aliases each: 341 bytes that expand to 9**10 (3.5e9) strings.
BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)

ENTRY = """\
entries:
  - name: study
    modality: wearables
    uri: archive
    include: ["*.csv"]
"""


def _check(catalog: Path, *extra: str):
    return CliRunner().invoke(
        app, ["catalog", "check", "--catalog", str(catalog), *extra], terminal_width=400
    )


def _flat(text: str) -> str:
    """The output without whitespace: rich wraps long paths anywhere."""
    return "".join(text.split())


def _says(result, expected: str) -> bool:
    return _flat(expected) in _flat(result.output)


def _archive(folder: Path, names: list[str], seed: int = 0) -> None:
    """Small accelerometer CSVs with a time column (30 Hz, 4 s each)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        frame = pd.DataFrame(rng.normal(0, 0.1, (120, 3)), columns=["acc_x", "acc_y", "acc_z"])
        frame.insert(0, "time", np.arange(120) / 30.0)
        frame.to_csv(folder / name, index=False)


def _catalog(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return path


def _bomb_catalog(tmp_path: Path) -> Path:
    (tmp_path / "archive").mkdir()
    body = ENTRY + "    options:\n" + "".join(f"      {line}\n" for line in BOMB.splitlines())
    return _catalog(tmp_path, body)


def test_alias_bomb_is_refused_by_catalog_check_with_file_and_line(tmp_path: Path) -> None:
    catalog = _bomb_catalog(tmp_path)
    result = _check(catalog)
    assert result.exit_code == 2
    # Line 12 holds the alias that takes the expansion past the budget (9**6 > 200,000).
    assert _says(result, f"{catalog}: line 12: the document expands to more than 200,000 "
                 "values once its aliases (*name) are expanded")


def test_alias_bomb_in_entry_options_is_refused_before_ingest(tmp_path: Path) -> None:
    catalog = _bomb_catalog(tmp_path)
    with pytest.raises(CatalogError, match=r"line 12: the document expands to more than"):
        load_catalog(catalog)


def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, ENTRY + "    options: &loop {again: *loop}\n")
    with pytest.raises(CatalogError, match=r"line 6: alias \*loop refers to the node"):
        load_catalog(catalog)


def test_alias_bomb_in_a_pipeline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pipe.yaml"
    path.write_text("name: p\n" + BOMB)
    with pytest.raises(PipelineError, match=rf"{path}: line 7: the document expands"):
        load_pipeline(path)


def test_catalog_that_is_not_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    catalog = tmp_path / "catalog.yaml"
    text = ENTRY.replace("study", "caf\xe9").encode("latin-1")  # é as one Latin-1 byte
    catalog.write_bytes(text)
    offset = text.index(b"\xe9")
    result = _check(catalog)
    assert result.exit_code == 2
    assert isinstance(result.exception, SystemExit)  # an error message, not a traceback
    assert _says(result, f"{catalog}: line 2: not UTF-8 text: byte 0xe9 at byte offset {offset}")


def test_pipeline_that_is_not_utf8_names_the_byte_offset(tmp_path: Path) -> None:
    path = tmp_path / "pipe.yaml"
    path.write_bytes(b"name: p\nmethod: \xff\n")
    with pytest.raises(PipelineError, match=r"line 2: not UTF-8 text: byte 0xff at byte offset 16"):
        load_pipeline(path)


def test_duplicate_key_in_an_entry_is_refused_with_both_lines(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    catalog = _catalog(tmp_path, ENTRY + "    uri: elsewhere\n")
    result = _check(catalog)
    assert result.exit_code == 2
    assert _says(result, f"{catalog}: line 6: key 'uri' is given twice in one mapping "
                 "(first at line 4)")


def test_duplicate_key_in_options_is_refused(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, ENTRY + "    options:\n      sampling_rate: 30\n"
                       "      sampling_rate: 50\n")
    with pytest.raises(CatalogError, match=r"line 8: key 'sampling_rate' is given twice .* line 7"):
        load_catalog(catalog)


def test_merge_keys_still_override_without_a_duplicate_error(tmp_path: Path) -> None:
    (tmp_path / "archive").mkdir()
    text = ENTRY + "    options: &base {sampling_rate: 30}\n" + ENTRY.split("\n", 1)[1].replace(
        "study", "other") + "    options: {<<: *base, sampling_rate: 50}\n"
    parsed = load_catalog(_catalog(tmp_path, text))
    assert parsed.entries[1].options == {"sampling_rate": 50}


def test_duplicate_key_in_a_pipeline_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pipe.yaml"
    path.write_text("name: p\nname: q\n")
    with pytest.raises(PipelineError, match=r"line 2: key 'name' is given twice .*line 1"):
        load_pipeline(path)


def test_sampling_rate_that_is_not_a_number_fails_catalog_check(tmp_path: Path) -> None:
    _archive(tmp_path / "archive", ["a.csv"])
    catalog = _catalog(tmp_path, ENTRY + "    options:\n      sampling_rate: fast\n")
    result = _check(catalog)
    assert result.exit_code == 2
    assert _says(result, f"{catalog}: line 7: entry 'study': field 'options.sampling_rate', "
                 "value 'fast'")
    assert "number" in result.output


def _sidecar(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"file": ["a.csv", "b.csv"], "label": ["walk", "run"]}).to_csv(path, index=False)


@pytest.mark.parametrize("spelling", ["absolute", "home"])
def test_absolute_and_home_sidecar_paths_are_used_as_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spelling: str
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    _archive(tmp_path / "archive", ["a.csv", "b.csv"])
    _sidecar(tmp_path / "home" / "meta" / "labels.csv")
    sidecar = str(tmp_path / "home/meta/labels.csv") if spelling == "absolute" else (
        "~/meta/labels.csv"
    )
    catalog = _catalog(tmp_path, ENTRY + f"    labels: {{sidecar: '{sidecar}'}}\n")
    result = _check(catalog)
    assert result.exit_code == 0, result.output
    parsed = load_catalog(catalog)
    workspace = Workspace(parsed.resolve_workdir())
    report = ingest_entry(parsed, "study", workspace)
    assert report.counts["ok"] == 2, report.quarantined
    manifest = workspace.manifest()
    labels = {row.uri.rsplit("/", 1)[-1]: row.label for row in manifest.items(["study"])}
    manifest.close()
    assert labels == {"a.csv": "walk", "b.csv": "run"}


def test_missing_absolute_sidecar_is_reported_at_its_path(tmp_path: Path) -> None:
    _archive(tmp_path / "archive", ["a.csv"])
    missing = tmp_path / "nowhere" / "labels.csv"
    catalog = _catalog(tmp_path, ENTRY + f"    labels: {{sidecar: '{missing}'}}\n")
    result = _check(catalog)
    assert result.exit_code == 2
    assert _says(result, f"value '{missing}': {missing} does not exist")


def test_group_column_no_item_has_is_warned_about_with_the_columns_there(tmp_path: Path) -> None:
    _archive(tmp_path / "archive", ["walk_s1.csv", "run_s2.csv", "rest_s1.csv"])
    catalog = _catalog(
        tmp_path,
        ENTRY + "    labels: {regex: '(?P<label>[a-z]+)_(?P<subject>s\\d)', group_column: subj}\n"
        "    splits: {fraction: {train: 0.5, test: 0.5}}\n",
    )
    parsed = load_catalog(catalog)
    report = ingest_entry(parsed, "study", Workspace(parsed.resolve_workdir()))
    assert report.counts["ok"] == 3, report.quarantined
    warning = next(w for w in report.warnings if "'subj'" in w)
    assert "labels.group_column 'subj' is missing from 3 of 3 items" in warning
    assert "label columns there: label, subject" in warning


def test_group_column_every_item_has_gives_no_warning(tmp_path: Path) -> None:
    _archive(tmp_path / "archive", ["walk_s1.csv", "run_s2.csv"])
    catalog = _catalog(
        tmp_path,
        ENTRY + "    labels: {regex: '(?P<label>[a-z]+)_(?P<subject>s\\d)',\n"
        "             group_column: subject}\n",
    )
    parsed = load_catalog(catalog)
    report = ingest_entry(parsed, "study", Workspace(parsed.resolve_workdir()))
    assert report.counts["ok"] == 2, report.quarantined
    assert not [w for w in report.warnings if "group" in w]


def test_catalog_check_takes_workdir(tmp_path: Path) -> None:
    _archive(tmp_path / "archive", ["a.csv"])
    catalog = _catalog(tmp_path, ENTRY)
    store = tmp_path / "elsewhere" / "store"
    result = _check(catalog, "--workdir", str(store))
    assert result.exit_code == 0, result.output
    assert _says(result, f"store in {store}")


def test_catalog_check_refuses_a_workdir_that_is_a_file(tmp_path: Path) -> None:
    _archive(tmp_path / "archive", ["a.csv"])
    catalog = _catalog(tmp_path, ENTRY)
    (tmp_path / "file").write_text("x")
    result = _check(catalog, "--workdir", str(tmp_path / "file"))
    assert result.exit_code == 2
    assert _says(result, f"--workdir {tmp_path / 'file'} is not a folder")
