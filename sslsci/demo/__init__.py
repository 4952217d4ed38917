"""The demo, shipped with the package: its pipeline and catalog are package data, so
``sslsci demo`` runs from any folder, not only from a checkout.

``demo_folder(root)`` copies both into ``root/sslsci-demo/`` (files already there are kept,
so a user's edits survive); the synthetic archive, store and run are written beside them.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

FOLDER = "sslsci-demo"
PIPELINE = "wearables_demo.yaml"
CATALOG = "data_catalog.yaml"


def demo_folder(root: Path) -> Path:
    """``root/sslsci-demo`` holding the demo pipeline and catalog; returns the pipeline."""
    folder = Path(root) / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for name in (PIPELINE, CATALOG):
        target = folder / name
        if not target.is_file():
            target.write_text(files(__package__).joinpath(name).read_text())
    return folder / PIPELINE
