"""The Prefect flows the CLI runs, found by entry point (group ``sslsci.flows``), so the
core never imports the ``flows`` package by name."""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

GROUP = "sslsci.flows"


def load_flow(name: str) -> Callable[..., Any]:
    """The flow registered as ``name`` (``run``: ingest -> pretrain -> export -> evaluate)."""
    for ep in entry_points(group=GROUP, name=name):
        return ep.load()
    known = ", ".join(sorted(ep.name for ep in entry_points(group=GROUP))) or "none"
    raise RuntimeError(
        f"no flow {name!r} registered under the entry-point group {GROUP!r} (registered: "
        f"{known}); reinstall sslsci (`make setup`) so its entry points are written"
    )
