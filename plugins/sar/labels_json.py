"""BigEarthNet-style ``<patch>_labels_metadata.json`` beside the band files.

``labels`` (CORINE Land Cover class names) become one string, the classes sorted and
joined by ";" (the multi-label task's label), and a few other keys ride along as string
labels the catalog can use: ``label`` (a single scene class, where the file has one),
``scene_source`` (the Sentinel-1 product), ``acquisition_time``, and the S2 patch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SEPARATOR = ";"
SUFFIX = "_labels_metadata.json"
PASSED_KEYS = ("label", "scene_source", "acquisition_time", "corresponding_s2_patch")


def find_labels_file(folder: Path) -> Path | None:
    """The folder's ``*_labels_metadata.json`` (one at most)."""
    found = sorted(p for p in folder.iterdir() if p.name.endswith(SUFFIX) and p.is_file())
    if len(found) > 1:
        raise ValueError(
            f"{folder}: holds {len(found)} label files ({', '.join(p.name for p in found)}); "
            "a patch folder holds one; remove the extra ones"
        )
    return found[0] if found else None


def join_labels(classes: list[str]) -> str:
    """Sorted, distinct class names joined by ';' (the multi-label task's form)."""
    for name in classes:
        if SEPARATOR in name:
            raise ValueError(f"class name {name!r} contains {SEPARATOR!r}, the label separator")
    return SEPARATOR.join(sorted(set(classes)))


def read_labels(path: Path, max_bytes: int) -> tuple[dict[str, str], dict[str, Any]]:
    """String labels for the record, and the parsed JSON (for metadata)."""
    size = path.stat().st_size
    if size > max_bytes:
        raise ValueError(
            f"{path}: the labels file is {size:,} bytes, above max_label_bytes {max_bytes:,}; "
            "a patch's label metadata is about 1 kB. Check the file, or raise max_label_bytes"
        )
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not valid JSON ({exc}); fix or remove the file") from None
    if not isinstance(content, dict):
        raise ValueError(f"{path}: holds a {type(content).__name__}, not an object with 'labels'")
    classes = content.get("labels", [])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        raise ValueError(
            f"{path}: 'labels' must be a list of class names, got {classes!r}; "
            'BigEarthNet writes e.g. ["Pastures", "Water bodies"]'
        )
    labels = {"labels": join_labels(classes)}
    for key in PASSED_KEYS:
        value = content.get(key)
        if isinstance(value, str) and value:
            labels[key] = value
    return labels, content
