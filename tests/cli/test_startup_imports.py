"""Start-up: ``--help`` of every command and ``sslsci plugins`` run without importing
torch, Prefect or xarray (those cost seconds before anything is shown), and the plugin
listing still names every registered plugin with its formats."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.metadata import entry_points

import pytest
import typer

from sslsci.cli import app

HEAVY = ("torch", "prefect", "xarray", "lightning", "monai")

# Runs the CLI in a fresh interpreter, then reports which heavy modules it loaded.
RUNNER = """
import json, sys
sys.argv = ["sslsci", *sys.argv[1:]]
try:
    from sslsci.cli import main
    main()
except SystemExit:
    pass
sys.stdout.flush()
print("\\nLOADED=" + json.dumps([m for m in HEAVY if m in sys.modules]))
""".replace("HEAVY", repr(HEAVY))


def run_cli(*args: str) -> tuple[str, list[str]]:
    """The command's output and the heavy modules loaded while it ran."""
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "200"},
    )
    output, _, loaded = result.stdout.rpartition("\nLOADED=")
    assert loaded, result.stderr
    return output, json.loads(loaded)


def command_paths() -> list[tuple[str, ...]]:
    """Every command and command group of the app, as argv prefixes."""
    paths: list[tuple[str, ...]] = []

    def walk(command, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


def test_every_command_is_walked() -> None:
    paths = command_paths()
    assert {("run",), ("catalog", "check"), ("weights", "pull"), ("plugin", "new")} <= set(paths)


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "sslsci")
def test_help_imports_no_heavy_library(path: tuple[str, ...]) -> None:
    output, loaded = run_cli(*path, "--help")
    assert "Usage: sslsci" in output
    assert loaded == []


BUILTIN = {"wearables", "speech", "ct", "das", "sar"}


def test_plugins_lists_every_plugin_without_heavy_imports() -> None:
    names = {ep.name for ep in entry_points(group="sslsci.modalities")}
    outside = names - BUILTIN  # e.g. a scaffolded plugin left installed, importing torch
    output, loaded = run_cli("plugins")
    if not outside:
        assert loaded == []
    assert names >= {"wearables", "speech", "ct", "das", "sar"}
    for name in names:
        assert f"│ {name} " in output
    assert "nifti (.nii .nii.gz)" in output and "uea_ts (.ts)" in output
