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

    @field_validator("fraction")
    @classmethod
    def _fractions_sum_to_one(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        if value is not None:
            total = sum(value.values())
            if abs(total - 1.0) > 1e-6 or any(v < 0 for v in value.values()):
                raise ValueError(
                    f"fractions must be >= 0 and sum to 1 (they sum to {total:g}); "
                    "e.g. {train: 0.8, test: 0.2}"
                )
        return value

    @field_validator("regex")
    @classmethod
    def _split_regexes_compile(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for split, pattern in (value or {}).items():
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"regex for split {split!r} is invalid ({exc})") from exc
        return value

    @model_validator(mode="after")
    def _exactly_one_way(self) -> SplitSpec:
        ways = [w for w in ("regex", "lists", "fraction") if getattr(self, w) is not None]
        if len(ways) != 1:
            raise ValueError(f"give exactly one of regex, lists or fraction (got {ways or 'none'})")
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


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree (with line marks), or None if it cannot be composed."""
    try:
        return yaml.compose(text)
    except yaml.YAMLError:
        return None


def _line_of(root: yaml.Node | None, loc: list[Any]) -> int | None:
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
    line = _line_of(root, loc)
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
            earlier = _line_of(root, ["entries", first[name], "name"])
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
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CatalogError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict) or "entries" not in raw:
        raise CatalogError(
            f"{path}: line 1: field 'entries', value missing: a catalog is a mapping with an "
            "'entries:' list of archives (name, modality, uri, ...); see data_catalog.yaml"
        )
    root = _compose(text)
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
    return parse_catalog(path.read_text(), path)
