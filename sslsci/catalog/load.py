"""Reading the catalog file: every problem reported with the file, line, entry, field,
value and what is accepted, because operators edit this file by hand."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sslsci.catalog.model import (
    DEFAULT_CATALOG,
    Catalog,
    CatalogEntry,
    CatalogError,
    LabelSpec,
    SplitSpec,
)
from sslsci.catalog.yaml_lines import YamlError, line_of, load_yaml, read_text

_NESTED: dict[str, type[BaseModel]] = {"labels": LabelSpec, "splits": SplitSpec}


def _accepted_fields(loc: list[Any]) -> str:
    """The field names accepted where an unknown field was found."""
    model: type[BaseModel] = Catalog
    for part in loc[:-1]:
        if part == "entries":
            model = CatalogEntry
        elif part in _NESTED:
            model = _NESTED[part]
    names = [n for n, f in model.model_fields.items() if not f.exclude]
    return "accepted fields: " + ", ".join(names)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."


def _where(path: Path, raw: dict[str, Any], root: yaml.Node | None, loc: list[Any]) -> str:
    line = line_of(root, loc)
    where = f"{path}" + (f": line {line}" if line else "")
    entries = raw.get("entries")
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        entry = entries[loc[1]] if isinstance(entries, list) and loc[1] < len(entries) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        where += f": entry {name!r}" if name is not None else f": entry #{loc[1] + 1}"
    return where


def _describe(
    error: dict[str, Any], raw: dict[str, Any], path: Path, root: yaml.Node | None
) -> str:
    loc = list(error["loc"])
    field_loc = loc[2:] if len(loc) >= 2 and loc[0] == "entries" else loc
    field = ".".join(str(p) for p in field_loc) or "(entry)"
    message = error["msg"].removeprefix("Value error, ")
    whole_model = not field_loc or field_loc[-1] in _NESTED  # the value is a whole block
    if error["type"] == "missing":
        shown = "missing"
    elif whole_model and isinstance(error.get("input"), dict):
        shown = "{...}"
    else:
        shown = _shown(error.get("input"))
    if error["type"] == "extra_forbidden":
        message += f"; {_accepted_fields(loc)}"
    return f"{_where(path, raw, root, loc)}: field {field!r}, value {shown}: {message}"


def _duplicate_names(raw: dict[str, Any], path: Path, root: yaml.Node | None) -> list[str]:
    """Entries whose name was already used, each with its line."""
    entries = raw.get("entries")
    if not isinstance(entries, list):
        return []
    first: dict[str, int] = {}
    problems = []
    for index, entry in enumerate(entries):
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str):
            continue
        if name in first:
            earlier = line_of(root, ["entries", first[name], "name"])
            problems.append(
                f"{_where(path, raw, root, ['entries', index, 'name'])}: field 'name', value "
                f"{name!r}: already used by the entry at line {earlier}; names must be unique"
            )
        else:
            first[name] = index
    return problems


def parse_catalog(text: str, path: Path) -> Catalog:
    """Validate catalog text; every problem is reported, one per line."""
    try:
        raw, root = load_yaml(text, path)
    except YamlError as exc:
        raise CatalogError(str(exc)) from None
    if not isinstance(raw, dict) or "entries" not in raw:
        raise CatalogError(
            f"{path}: line 1: field 'entries', value missing: a catalog is a mapping with an "
            "'entries:' list of archives (name, modality, uri, ...); see data_catalog.yaml"
        )
    problems = _duplicate_names(raw, path, root)
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as exc:
        # Errors without a location come from the catalog-wide duplicate-name check,
        # already reported above with their lines.
        problems += [
            _describe(err, raw, path, root) for err in exc.errors() if err["loc"] or not problems
        ]
    if problems:
        raise CatalogError("invalid catalog:\n  " + "\n  ".join(problems))
    catalog.path = path.resolve()
    return catalog


def load_catalog(path: str | Path = DEFAULT_CATALOG) -> Catalog:
    """Read and validate a catalog file."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(
            f"catalog file {path} not found; pass --catalog FILE or create {DEFAULT_CATALOG}"
        )
    try:
        text = read_text(path)
    except YamlError as exc:
        raise CatalogError(str(exc)) from None
    return parse_catalog(text, path)
