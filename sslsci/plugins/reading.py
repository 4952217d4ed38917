"""Read one file the way ingest does, for users who embed their own data with a bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sslsci.plugins.contract import Record
from sslsci.plugins.discovery import get_plugin
from sslsci.plugins.reader_choice import pick_reader


def read(
    path: str | Path, modality: str, *, format: str | None = None, **options: Any
) -> list[Record]:
    """Every record of ``path`` through the ``modality`` plugin's reader (sniffed or named),
    with ``options`` checked by the plugin's options model as a catalog entry's are."""
    plugin = get_plugin(modality)
    values = plugin.option_values(options)
    reader = pick_reader(plugin, str(path), format)
    return list(reader.read(str(path), **values))
