"""Reading hand-edited YAML safely, and line numbers of its values so errors point at
the line.

``load_yaml`` is the one way catalogs and pipelines are read: it refuses text that is
not UTF-8, mappings with a key given twice (PyYAML silently keeps the last) and alias
bombs (a few aliases that expand to millions of nodes once constructed or serialised).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

# Nodes a document may hold once every alias is expanded. A catalog of a thousand
# entries expands to about 30,000; a 1 KB "billion laughs" to 10**9.
MAX_EXPANDED_NODES = 200_000


class YamlError(ValueError):
    """The YAML file cannot be read as written; the message names the file and line."""


def read_text(path: Path) -> str:
    """The file as UTF-8 text, or an error naming the first byte that is not UTF-8."""
    data = Path(path).read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlError(
            f"{path}: line {line}: not UTF-8 text: byte 0x{data[exc.start]:02x} at byte "
            f"offset {exc.start} ({exc.reason}); save the file as UTF-8"
        ) from None


def load_yaml(text: str, path: Path | str) -> tuple[Any, yaml.Node | None]:
    """The document's value and its node tree (for ``line_of``), or a ``YamlError``."""
    loader = _StrictLoader(text, str(path))
    try:
        root = loader.get_single_node()
        value = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        raise YamlError(f"{path}: not valid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(f"{path}: values are nested too deeply to read; flatten the file") from None
    finally:
        loader.dispose()
    return value, root


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that counts nodes as aliases would expand them and refuses keys
    given twice in one mapping."""

    def __init__(self, text: str, path: str) -> None:
        super().__init__(text)
        self._path = path
        self._expanded = 0
        self._sizes: dict[int, int] = {}
        self._open: set[str] = set()  # anchors whose node is still being composed

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            self._count_alias(event)
            return super().compose_node(parent, index)
        self._add(1, event.start_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open.add(anchor)
        try:
            return super().compose_node(parent, index)
        finally:
            self._open.discard(anchor)

    def _count_alias(self, event: yaml.AliasEvent) -> None:
        if event.anchor in self._open:
            raise YamlError(
                f"{self._path}: line {event.start_mark.line + 1}: alias *{event.anchor} refers "
                "to the node that contains it (a recursive structure); write the value out"
            )
        node = self.anchors.get(event.anchor)
        if node is not None:
            self._add(self._size(node), event.start_mark)

    def _add(self, count: int, mark: yaml.Mark) -> None:
        self._expanded += count
        if self._expanded > MAX_EXPANDED_NODES:
            raise YamlError(
                f"{self._path}: line {mark.line + 1}: the document expands to more than "
                f"{MAX_EXPANDED_NODES:,} values once its aliases (*name) are expanded; "
                "a file this large is refused (an alias bomb?); write the values out or "
                "use fewer aliases"
            )

    def _size(self, node: yaml.Node) -> int:
        """Nodes in ``node`` with aliases expanded (shared nodes computed once)."""
        known = self._sizes.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._size(child) for child in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._size(k) + self._size(v) for k, v in node.value)
        else:
            size = 1
        self._sizes[id(node)] = size
        return size

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        self._refuse_duplicate_keys(node)
        return super().construct_mapping(node, deep=deep)

    def _refuse_duplicate_keys(self, node: yaml.MappingNode) -> None:
        first: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(
                key_node, yaml.ScalarNode
            ):
                continue
            key = self.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in first:
                raise YamlError(
                    f"{self._path}: line {line}: key {key!r} is given twice in one mapping "
                    f"(first at line {first[key]}); keep one of them"
                )
            first[key] = line


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
