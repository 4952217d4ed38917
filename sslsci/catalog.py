"""The data catalog: named archives, how to label them and how to split them.

A bad catalog fails with the file, the line, the entry, the field, the bad value
and what is accepted, because operators edit this file by hand.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_CATALOG = "data_catalog.yaml"
DEFAULT_WORKDIR = ".sslsci"
NAME_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"


class CatalogError(ValueError):
    """The catalog file cannot be used as written."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class LabelSpec(_Strict):
    """Where labels come from: the file itself, a regex on the path, or a sidecar table."""

    regex: str | None = None
    sidecar: str | None = None
    file_column: str = "file"
    label_column: str = "label"
    group_column: str | None = None
    from_file: bool = True
    target: str = "label"

    @field_validator("regex")
    @classmethod
    def _regex_compiles(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression ({exc})") from exc
        if not compiled.groupindex:
            raise ValueError(
                "the regex has no named group; write e.g. (?P<label>\\d)_(?P<speaker>\\w+)"
            )
        return value

    @field_validator("sidecar")
    @classmethod
    def _sidecar_suffix(cls, value: str | None) -> str | None:
        if value is not None and not value.endswith((".csv", ".parquet", ".pq")):
            raise ValueError("a sidecar must be a .csv or .parquet file")
        return value


class SplitSpec(_Strict):
    """How items are split: by regex on the path, by list files, or by seeded fraction."""

    regex: dict[str, str] | None = None
    lists: dict[str, str] | None = None
    fraction: dict[str, float] | None = None
    group_by: str | None = None
    seed: int = 0
    default: str | None = None

    @model_validator(mode="after")
    def _exactly_one_way(self) -> SplitSpec:
        ways = [w for w in ("regex", "lists", "fraction") if getattr(self, w) is not None]
        if len(ways) != 1:
            raise ValueError(f"give exactly one of regex, lists or fraction (got {ways or 'none'})")
        if self.fraction is not None:
            total = sum(self.fraction.values())
            if abs(total - 1.0) > 1e-6 or any(v < 0 for v in self.fraction.values()):
                raise ValueError(f"fractions must be >= 0 and sum to 1 (they sum to {total:g})")
        if self.regex is not None:
            for split, pattern in self.regex.items():
                try:
                    re.compile(pattern)
                except re.error as exc:
                    raise ValueError(f"regex for split {split!r} is invalid ({exc})") from exc
        return self


class CatalogEntry(_Strict):
    """One named archive."""

    name: str = Field(pattern=NAME_PATTERN)
    modality: str
    uri: str
    include: list[str] = Field(default_factory=lambda: ["**/*"])
    exclude: list[str] = Field(default_factory=list)
    format: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    labels: LabelSpec | None = None
    splits: SplitSpec | None = None
    schedule: str | None = None
    weight: float = Field(default=1.0, gt=0)
    description: str = ""

    @field_validator("schedule")
    @classmethod
    def _cron_shape(cls, value: str | None) -> str | None:
        if value is not None and len(value.split()) != 5:
            raise ValueError("a schedule is a 5-field cron string such as '0 * * * *'")
        return value


class Catalog(_Strict):
    """The whole catalog file."""

    workdir: str | None = None
    entries: list[CatalogEntry]
    path: Path | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _unique_names(self) -> Catalog:
        seen: set[str] = set()
        for entry in self.entries:
            if entry.name in seen:
                raise ValueError(f"entry name {entry.name!r} is used twice; names must be unique")
            seen.add(entry.name)
        return self

    def entry(self, name: str) -> CatalogEntry:
        """The entry called ``name``, or an error listing the names there are."""
        for entry in self.entries:
            if entry.name == name:
                return entry
        known = ", ".join(e.name for e in self.entries) or "none"
        raise CatalogError(f"{self.path}: no entry named {name!r}; entries: {known}")

    @property
    def root(self) -> Path:
        """The folder relative paths in the catalog are resolved against."""
        return self.path.parent if self.path else Path.cwd()

    def resolve_workdir(self, override: str | Path | None = None) -> Path:
        """Where the store and manifest live: --workdir, the catalog's, or .sslsci beside it."""
        if override is not None:
            return Path(override).expanduser().resolve()
        return (self.root / (self.workdir or DEFAULT_WORKDIR)).resolve()

    def resolve_uri(self, entry: CatalogEntry) -> str:
        """An entry's uri with relative local paths taken from the catalog's folder."""
        if "://" in entry.uri:
            return entry.uri
        return str((self.root / Path(entry.uri).expanduser()).resolve())


def _entry_lines(text: str) -> list[int]:
    """Line numbers (1-based) where each entry starts, for error messages."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return []
    if not isinstance(node, yaml.MappingNode):
        return []
    for key, value in node.value:
        if key.value == "entries" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _describe(error: dict[str, Any], raw: dict[str, Any], path: Path, lines: list[int]) -> str:
    loc = list(error["loc"])
    where = f"{path}"
    if len(loc) >= 2 and loc[0] == "entries" and isinstance(loc[1], int):
        index = loc[1]
        entries = raw.get("entries") or []
        name = entries[index].get("name", f"#{index + 1}") if index < len(entries) else index
        line = f" line {lines[index]}" if index < len(lines) else ""
        where += f":{line} entry {name!r}"
        loc = loc[2:]
    field = ".".join(str(p) for p in loc) or "(entry)"
    value = error.get("input")
    shown = repr(value) if not isinstance(value, dict) else "{...}"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: field {field!r}, value {shown}: {message}"


def parse_catalog(text: str, path: Path) -> Catalog:
    """Validate catalog text; every problem is reported, one per line."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or "entries" not in raw:
        raise CatalogError(
            f"{path}: a catalog is a mapping with an 'entries:' list; see data_catalog.yaml"
        )
    try:
        catalog = Catalog.model_validate(raw)
    except ValidationError as exc:
        lines = _entry_lines(text)
        problems = [_describe(err, raw, path, lines) for err in exc.errors()]
        raise CatalogError("invalid catalog:\n  " + "\n  ".join(problems)) from None
    catalog.path = path.resolve()
    return catalog


def load_catalog(path: str | Path = DEFAULT_CATALOG) -> Catalog:
    """Read and validate a catalog file."""
    path = Path(path)
    if not path.is_file():
        raise CatalogError(
            f"catalog file {path} not found; pass --catalog FILE or create {DEFAULT_CATALOG}"
        )
    return parse_catalog(path.read_text(), path)
