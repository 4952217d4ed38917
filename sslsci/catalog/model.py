"""The data catalog's schema: named archives, how to label them and how to split them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from sslsci.catalog.defaults import DEFAULT_CATALOG, DEFAULT_WORKDIR  # noqa: F401  (re-exported)

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
    demo: bool = False  # a plugin's synthetic demo archive: `sslsci demo` writes it if missing
    description: str = ""

    @field_validator("schedule")
    @classmethod
    def _schedule_shape(cls, value: str | None) -> str | None:
        from sslsci.catalog.schedule import parse_schedule

        if value is not None:
            parse_schedule(value)
        return value


class Catalog(_Strict):
    """The whole catalog file."""

    workdir: str | None = None
    # fsspec options of a remote workdir (s3://...): endpoint_url, key, secret, ...;
    # left empty, s3fs reads the standard AWS_* variables and config files.
    storage_options: dict[str, Any] = Field(default_factory=dict)
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

    def resolve_workdir(self, override: str | Path | None = None) -> Path | str:
        """Where the store and manifest live: --workdir, the catalog's, or .sslsci beside it;
        a URL (``s3://bucket/prefix``: a store on object storage) is returned as given."""
        if override is not None:
            if _is_url(override):
                return str(override).rstrip("/")
            return Path(override).expanduser().resolve()
        if self.workdir is not None and _is_url(self.workdir):
            return self.workdir.rstrip("/")
        return (self.root / (self.workdir or DEFAULT_WORKDIR)).resolve()

    def workspace(self, override: str | Path | None = None):
        """The ``Workspace`` at ``resolve_workdir(override)``, with the storage options."""
        from sslsci.store.workspace import Workspace

        return Workspace(self.resolve_workdir(override), storage_options=self.storage_options)

    def resolve_uri(self, entry: CatalogEntry) -> str:
        """An entry's uri with relative local paths taken from the catalog's folder."""
        if "://" in entry.uri:
            return entry.uri
        return str((self.root / Path(entry.uri).expanduser()).resolve())


def _is_url(value: str | Path) -> bool:
    """A workdir on object storage; ``file://`` and plain paths are folders here."""
    return "://" in str(value) and not str(value).startswith("file://")


def archive_file(uri: str, name: str) -> str:
    """Where a file the entry names lives: a URL or an absolute or ``~`` path as given,
    anything else inside the archive."""
    if "://" in name:
        return name
    path = Path(name).expanduser()
    if path.is_absolute():
        return str(path)
    return uri.rstrip("/") + "/" + name
