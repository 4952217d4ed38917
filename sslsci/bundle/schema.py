"""The ``sslsci.json`` schema: what a released model carries so it can be used.

It records the modality spec, the exact preprocessing, the input contract, how to
rebuild the backbone, which layer is the stem (to adapt to other channel counts)
and which tensors are heads (to drop them), the method, training and data
provenance, evaluation results and the sha256 of every weights file. A Hugging
Face layout stores the same document as ``config.json``.
"""

from __future__ import annotations

import json
import math
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

from sslsci.bundle.errors import BundleError
from sslsci.bundle.filetypes import check_weights_name
from sslsci.bundle.jsondoc import NestingError, load_json
from sslsci.data.tiles import DEFAULT_MAX_TILES

FORMAT_VERSION = 1
METADATA_FILE = "sslsci.json"
HF_CONFIG_FILE = "config.json"
CARD_FILE = "README.md"
WEIGHTS_FILE = "weights.safetensors"
HEADS_FILE = "heads.safetensors"
MAX_METADATA_BYTES = 32 * 1024 * 1024  # provenance may list one sha256 per source file
DTYPES = ("float32", "float16", "bfloat16", "float64")
SHA256_PATTERN = r"^[0-9a-f]{64}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PluginInfo(_Strict):
    name: str = Field(min_length=1)
    version: str


class ModalityInfo(_Strict):
    """The plugin's ``ModalitySpec`` as plain data."""

    name: str = Field(min_length=1)
    dims: list[str] = Field(min_length=1)
    window_dims: list[str]
    channels: list[str] | None = None
    units: str = ""
    sampling: dict[str, float] = Field(default_factory=dict)
    description: str = ""
    min_sizes: dict[str, int] = Field(default_factory=dict)
    sampling_units: dict[str, str] = Field(default_factory=dict)  # Hz, mm, m per dim


class BackboneInfo(_Strict):
    """How to rebuild the backbone: ``plugin.backbones[name](**config)``, and the shapes
    it gives (``sslsci.nn.protocol``): ``forward_features`` -> ``feature_layout`` with
    ``feature_dim`` wide, pooled ``[B, num_features]``. Bundles written before the
    protocol lack the two feature fields; the rebuilt backbone declares them."""

    name: str = Field(min_length=1)
    config: dict[str, Any]
    num_features: PositiveInt
    feature_layout: Literal["tokens", "channels_first"] | None = None
    feature_dim: PositiveInt | None = None
    stem_name: str = Field(min_length=1)
    accepts: dict[str, Any] = Field(default_factory=dict)


class LayersInfo(_Strict):
    """Which layer is the stem (adapt it to other channel counts) and which are heads."""

    stem: str = Field(min_length=1)
    heads: list[str] = Field(default_factory=list)


class Standardize(_Strict):
    """Per-channel ``(x - mean) / std`` applied after the plugin's normalisation."""

    mean: list[float] = Field(min_length=1)
    std: list[float] = Field(min_length=1)

    @model_validator(mode="after")
    def _same_length_positive_std(self) -> Standardize:
        if len(self.mean) != len(self.std):
            raise ValueError(
                f"mean has {len(self.mean)} values but std has {len(self.std)}; give one "
                "of each per channel"
            )
        if not all(math.isfinite(v) for v in self.mean + self.std):
            raise ValueError("mean and std must be finite numbers")
        if min(self.std) <= 0:
            raise ValueError("every std must be > 0 (a constant channel cannot be standardised)")
        return self


class EmbeddingSettings(_Strict):
    """How one item becomes one embedding, in evaluation and in ``model(array)`` alike
    (``sslsci.data.tiles``): non-overlapping window tiles over every window dim (the last
    one ending at the item's end), at most ``max_tiles`` of them evenly spaced, a dim
    shorter than its window zero-padded after standardisation, and the mean of the
    backbone's pooled embedding over the tiles."""

    tiling: Literal["non-overlapping, all window dims, last tile ends at the end"] = (
        "non-overlapping, all window dims, last tile ends at the end"
    )
    max_tiles: PositiveInt = DEFAULT_MAX_TILES
    selection: Literal["evenly spaced in row-major tile order"] = (
        "evenly spaced in row-major tile order"
    )
    padding: Literal["zeros at the end, after standardisation"] = (
        "zeros at the end, after standardisation"
    )
    pooling: Literal["mean over tiles of the backbone's pooled embedding"] = (
        "mean over tiles of the backbone's pooled embedding"
    )


class Preprocessing(_Strict):
    """Exactly what to do to a reader's array before the backbone sees it."""

    normalize: dict[str, Any] = Field(default_factory=dict)
    standardize: Standardize | None = None
    window: dict[str, PositiveInt] = Field(min_length=1)
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings)


class InputContract(_Strict):
    """What the backbone takes: dims, channel names, window sizes, sampling, units."""

    dims: list[str] = Field(min_length=1)
    channels: list[str] | None = None
    window: dict[str, PositiveInt] = Field(min_length=1)
    sampling: dict[str, float] = Field(default_factory=dict)
    units: str = ""
    dtype: Literal["float32", "float16", "bfloat16", "float64"] = "float32"


class MethodInfo(_Strict):
    name: str = Field(min_length=1)
    hparams: dict[str, Any] = Field(default_factory=dict)


class DataInfo(BaseModel):
    """Provenance of the pretraining data; extra keys are kept as given."""

    model_config = ConfigDict(extra="allow")

    manifest_sha256: str
    rows: NonNegativeInt
    catalog: list[dict[str, Any]] | dict[str, Any] = Field(default_factory=list)


class FileInfo(_Strict):
    """A weights file next to the metadata, with its sha256 and size."""

    path: str
    sha256: str = Field(pattern=SHA256_PATTERN)
    size: NonNegativeInt

    @field_validator("path")
    @classmethod
    def _plain_safetensors_name(cls, value: str) -> str:
        if PurePosixPath(value).name != value or "\\" in value or value in ("", ".", ".."):
            raise ValueError(f"{value!r} must be a plain file name next to the metadata")
        check_weights_name(value, "files")
        return value


class BundleFiles(_Strict):
    weights: FileInfo
    heads: FileInfo | None = None


class DataAdded(_Strict):
    """What a continual release trained on that its parent had not seen."""

    items: NonNegativeInt
    files: list[str] = Field(default_factory=list)  # the first MAX_LISTED_FILES, relative
    files_total: NonNegativeInt = 0
    hours: float | None = None
    replayed_items: NonNegativeInt = 0


class Lineage(_Strict):
    """A release's place in a continual series: parent version, data added, metric deltas."""

    parent: str | None
    data_added: DataAdded
    metrics: dict[str, float] = Field(default_factory=dict)
    metric_deltas: dict[str, float] = Field(default_factory=dict)
    eval_splits_sha256: str | None = None


class BundleMetadata(_Strict):
    """The whole ``sslsci.json`` document."""

    format_version: Literal[1]
    name: str = Field(min_length=1)
    created: datetime
    sslsci_version: str
    plugin: PluginInfo
    modality: ModalityInfo
    backbone: BackboneInfo
    layers: LayersInfo
    preprocessing: Preprocessing
    input: InputContract
    method: MethodInfo
    training: dict[str, Any] = Field(default_factory=dict)
    data: DataInfo
    evaluation: dict[str, Any] = Field(default_factory=dict)
    files: BundleFiles
    lineage: Lineage | None = None

    @model_validator(mode="after")
    def _sections_agree(self) -> BundleMetadata:
        for problem in consistency_problems(self):
            raise ValueError(problem)
        return self


def consistency_problems(meta: BundleMetadata) -> list[str]:
    """Places where two sections of one document contradict each other."""
    problems = []
    if meta.layers.stem != meta.backbone.stem_name:
        problems.append(
            f"layers.stem {meta.layers.stem!r} differs from backbone.stem_name "
            f"{meta.backbone.stem_name!r}"
        )
    if meta.input.dims != meta.modality.dims:
        problems.append(
            f"input.dims {meta.input.dims} differ from modality.dims {meta.modality.dims}"
        )
    if set(meta.preprocessing.window) != set(meta.modality.window_dims):
        problems.append(
            f"preprocessing.window names dims {sorted(meta.preprocessing.window)} but the "
            f"modality windows along {meta.modality.window_dims}"
        )
    if meta.input.window != meta.preprocessing.window:
        problems.append(
            f"input.window {meta.input.window} differs from preprocessing.window "
            f"{meta.preprocessing.window}"
        )
    stats = meta.preprocessing.standardize
    channels = meta.input.channels
    if stats is not None and channels is not None and len(stats.mean) != len(channels):
        problems.append(
            f"preprocessing.standardize has {len(stats.mean)} values per statistic but "
            f"input.channels lists {len(channels)} channels"
        )
    return problems


def metadata_path(folder: Path) -> Path:
    """``sslsci.json``, or a Hugging Face layout's ``config.json``, inside ``folder``."""
    for name in (METADATA_FILE, HF_CONFIG_FILE):
        if (folder / name).is_file():
            return folder / name
    raise BundleError(
        f"{folder} is not an sslsci bundle: it holds neither {METADATA_FILE} nor "
        f"{HF_CONFIG_FILE}. Point at the folder that write_bundle or "
        "`sslsci weights export-hf` wrote."
    )


def read_metadata(folder: Path) -> BundleMetadata:
    """Read and validate a bundle folder's metadata, with errors naming file and field."""
    path = metadata_path(Path(folder))
    size = path.stat().st_size
    if size > MAX_METADATA_BYTES:
        raise BundleError(
            f"{path} is {size} bytes, over the {MAX_METADATA_BYTES}-byte bound for bundle "
            "metadata; it is not a bundle sslsci wrote."
        )
    return parse_metadata(path.read_bytes(), str(path))


def parse_metadata(raw: bytes, source: str) -> BundleMetadata:
    """Validate metadata bytes from ``source`` (a path or URL, for messages)."""
    try:
        document = load_json(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BundleError(
            f"{source} is not valid JSON ({exc}); rewrite it with write_bundle."
        ) from None
    except NestingError as exc:
        raise BundleError(
            f"{source} {exc}; it is not bundle metadata sslsci wrote. Rewrite it with write_bundle."
        ) from None
    if not isinstance(document, dict):
        raise BundleError(f"{source} must hold a JSON object, not {type(document).__name__}")
    check_format_version(document, source)
    try:
        return BundleMetadata.model_validate(document)
    except ValidationError as exc:
        raise BundleError(
            f"{source} does not follow the sslsci bundle format:\n{describe_validation(exc)}"
        ) from None


def check_format_version(document: dict[str, Any], source: str) -> None:
    """Refuse a missing or unknown ``format_version`` before anything else is read."""
    if "format_version" not in document:
        raise BundleError(
            f"{source}: field 'format_version' is missing; this is not sslsci bundle metadata "
            f"(expected format_version {FORMAT_VERSION})."
        )
    found = document["format_version"]
    if found != FORMAT_VERSION or isinstance(found, bool):
        raise BundleError(
            f"{source}: field 'format_version' is {found!r}, but this sslsci reads format "
            f"version {FORMAT_VERSION}. Upgrade sslsci if the bundle is newer, or re-export it."
        )


def describe_validation(exc: ValidationError) -> str:
    """One line per problem: the dotted field, then what is wrong."""
    lines = []
    for error in exc.errors():
        field = ".".join(str(part) for part in error["loc"]) or "(document)"
        lines.append(f"  - {field}: {error['msg']}")
    return "\n".join(lines)


def metadata_json(meta: BundleMetadata) -> str:
    """The document as pretty JSON, keys in schema order."""
    return json.dumps(meta.model_dump(mode="json"), indent=2) + "\n"
