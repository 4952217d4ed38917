"""`sslsci plugin new` writes a package that, once installed, is a working modality: listed,
its own tests pass, `sslsci plugin check` passes, and `sslsci run` trains, exports and
evaluates on its demo archive, with no file of the core edited."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from sslsci.plugins.scaffold import ScaffoldError, write_scaffold

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
NAME = "scaffoldtest"


def run(*args: str, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    result = subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def core_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / "sslsci").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(ROOT)).encode() + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def installed(tmp_path: Path):
    """The scaffolded package, pip-installed (offline, from its folder) into this venv."""
    package = tmp_path / f"sslsci-{NAME}"
    run(str(BIN / "sslsci"), "plugin", "new", NAME, "--dims", "channel,time", "--out",
        str(package), cwd=tmp_path)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    subprocess.run([*pip, "uninstall", "-y", f"sslsci-{NAME}"], capture_output=True, check=False)
    run(*pip, "install", "--quiet", "--no-index", "--no-deps", "--no-build-isolation",
        str(package), cwd=tmp_path)
    yield package
    subprocess.run([*pip, "uninstall", "-y", f"sslsci-{NAME}"], capture_output=True, check=False)


def test_a_scaffolded_plugin_installs_passes_its_checks_and_runs_a_pipeline(installed) -> None:
    before = core_digest()
    listed = run(str(BIN / "sslsci"), "plugins", cwd=installed).stdout
    assert NAME in listed and "netcdf (.nc)" in listed
    tests = run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests",
                cwd=installed).stdout
    assert "11 passed" in tests
    check = run(str(BIN / "sslsci"), "plugin", "check", NAME, cwd=installed).stdout
    assert f"{NAME} passes 11 checks" in check
    run(sys.executable, "-m", f"sslsci_{NAME}.example", f"demo/{NAME}", cwd=installed)
    assert len(list((installed / "demo" / NAME).glob("*.nc"))) == 48
    result = run(str(BIN / "sslsci"), "run", f"pipelines/{NAME}_demo.yaml", cwd=installed)
    bundle = installed / "runs" / f"{NAME}-demo" / "bundle"
    meta = json.loads((bundle / "sslsci.json").read_text())
    assert meta["plugin"]["name"] == NAME and meta["training"]["steps"] == 40
    evaluation = meta["evaluation"][f"{NAME}-demo"]
    assert evaluation["n_test"] == 12 and evaluation["n_train"] == 36
    assert (bundle / "report.md").is_file() and "report" in result.stdout
    assert core_digest() == before


def test_bad_requests_are_refused_with_the_fix(tmp_path: Path) -> None:
    with pytest.raises(ScaffoldError, match=r"'Hydro-phone' must be lowercase letters"):
        write_scaffold("Hydro-phone", ["channel", "time"], tmp_path / "a")
    with pytest.raises(ScaffoldError, match=r"must name the channel dim first and then 1 to 3"):
        write_scaffold("hydro", ["channel"], tmp_path / "b")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "keep.txt").write_text("mine")
    with pytest.raises(ScaffoldError, match=r"exists and is not empty"):
        write_scaffold("hydro", ["channel", "time"], tmp_path / "c")


@pytest.mark.parametrize("dims", [["channel", "time"], ["channel", "y", "x"],
                                  ["channel", "z", "y", "x"]])
def test_scaffolds_of_every_dimensionality_are_valid_python_and_yaml(tmp_path, dims) -> None:
    import yaml

    written = write_scaffold("probe", dims, tmp_path / "pkg")
    for path in written:
        if path.suffix == ".py":
            compile(path.read_text(), str(path), "exec")
        if path.suffix == ".yaml":
            yaml.safe_load(path.read_text())
    pipeline = yaml.safe_load((tmp_path / "pkg" / "pipelines" / "probe_demo.yaml").read_text())
    assert set(pipeline["data"]["window"]) == set(dims[1:])
