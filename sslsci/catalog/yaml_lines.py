"""Line numbers of YAML values, so errors in hand-edited files point at the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree (with line marks), or None if it cannot be composed."""
    try:
        return yaml.compose(text)
    except yaml.YAMLError:
        return None


def line_of(root: yaml.Node | None, loc: list[Any]) -> int | None:
    """1-based line of the deepest node along ``loc`` (a key's line for mapping keys)."""
    node, line = root, None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if part >= len(node.value):
                break
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line



def located(path: Path | None, loc: list[Any]) -> str:
    """``"file: line N"`` for the value at ``loc`` in a YAML file (``"file"`` if unknown)."""
    if path is None:
        return "(no file)"
    try:
        line = line_of(compose(Path(path).read_text()), loc)
    except OSError:
        line = None
    return f"{path}: line {line}" if line else str(path)
