"""The peer libraries (lightly, TorchGeo) serve ``benchmarks/peers/`` only: they sit in the
``peers`` extra, pinned, out of ``dev``, and nothing the package or its tests import
needs them, so CI never installs them."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PEERS = {"lightly", "torchgeo"}


def imported_roots(path: Path) -> set[str]:
    """Top-level names of every module ``path`` imports (lazy imports inside functions too)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_peer_libraries_are_pinned_in_their_own_extra_only() -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]
    peers = [Requirement(r) for r in extras["peers"]]
    assert {r.name for r in peers} == PEERS
    assert all(str(r.specifier).startswith("==") for r in peers)  # pinned
    for name, requirements in extras.items():
        if name != "peers":
            assert not {Requirement(r).name for r in requirements} & PEERS, name


def test_package_plugins_flows_and_tests_never_import_a_peer_library() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("sslsci", "plugins", "flows", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if imported_roots(path) & PEERS
    ]
    assert not offenders
    benchmarks = ROOT / "benchmarks" / "peers"
    assert {"lightly"} <= imported_roots(benchmarks / "bench_lightly.py")  # the check can see
