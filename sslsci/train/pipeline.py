"""Pipeline recipes: one YAML names the data, backbone, method, trainer and evaluations.

Validation errors name the file, the field, the bad value and what is accepted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from sslsci.catalog.yaml_lines import YamlError, line_of, load_yaml, read_text
from sslsci.continual.config import ContinualConfig
from sslsci.data.window_size import parse_size


class PipelineError(ValueError):
    """The pipeline file cannot be used as written."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DataConfig(_Strict):
    entries: list[str] = Field(min_length=1)
    split: str | None = None  # pretrain only on this split (e.g. train) to keep test data out
    window: dict[str, int | str]  # samples, or a time or length ("2.56 s", "48 mm")
    samples_per_epoch: int = Field(default=4096, gt=0)
    batch_size: int = Field(default=64, gt=1)
    # Loader processes that cut and augment windows while the model steps, each keeping
    # prefetch_factor batches ready. With none, every CPU step of the built-in recipes
    # waited 7-46 % of its time for its batch (benchmarks/bench_data_wait.py). A fixed
    # count, not one per core: the window stream depends on it, and runs must repeat.
    num_workers: int = Field(default=2, ge=0)
    prefetch_factor: int = Field(default=2, ge=1)
    # Windows cut from each item read (decodes shared chunks once), and each loader
    # worker's decoded-chunk cache in MiB (the archive itself may be larger than RAM).
    windows_per_read: int = Field(default=1, ge=1)
    cache_mb: float = Field(default=256, ge=0)

    @field_validator("window")
    @classmethod
    def _window_sizes(cls, window: dict[str, int | str]) -> dict[str, int | str]:
        if not window:
            raise ValueError("window needs a size per window dim, e.g. {time: 150}")
        return {dim: parse_size(size) for dim, size in window.items()}

    @model_validator(mode="after")
    def _prefetch_needs_workers(self) -> DataConfig:
        default = type(self).model_fields["prefetch_factor"].default
        if self.num_workers == 0 and self.prefetch_factor != default:
            raise ValueError(
                f"prefetch_factor {self.prefetch_factor} applies to loader workers, and "
                "num_workers is 0 (batches are made in the training process); set "
                "num_workers: 1 or more, or remove prefetch_factor"
            )
        return self


class BackboneConfig(_Strict):
    name: str
    config: dict[str, Any] = Field(default_factory=dict)


class MethodConfig(BaseModel):
    """``name`` plus the method's own hyperparameters (checked by the method)."""

    model_config = ConfigDict(extra="allow")
    name: str

    def hparams(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class OptimizerConfig(_Strict):
    """Weight decay spares biases, norms, position tables and tokens in every optimiser."""

    name: Literal["adamw", "adam", "sgd", "lars"] = "adamw"
    lr: float = Field(default=1e-3, gt=0)
    weight_decay: float = Field(default=0.05, ge=0)
    momentum: float = Field(default=0.9, ge=0, lt=1)  # sgd and lars
    lars_eta: float = Field(default=0.001, gt=0)  # lars trust coefficient (SimCLR's 0.001)
    # adam/adamw: one fused kernel per step; None: fused exactly when training on CUDA
    fused: bool | None = None

    @model_validator(mode="after")
    def _used_by_the_optimizer(self) -> OptimizerConfig:
        users = {"momentum": ("sgd", "lars"), "lars_eta": ("lars",), "fused": ("adam", "adamw")}
        for key, names in users.items():
            # A default value is no setting: a dumped and reloaded pipeline carries them all.
            default = type(self).model_fields[key].default
            if (
                key in self.model_fields_set
                and getattr(self, key) != default
                and (self.name not in names)
            ):
                raise ValueError(
                    f"{key!r} applies to optimizer {' or '.join(names)}, not {self.name!r}; "
                    f"remove it or set name: {names[-1]}"
                )
        return self

    warmup_steps: int = Field(default=0, ge=0)
    final_lr_fraction: float = Field(default=0.01, ge=0, le=1)


class TrainerConfig(_Strict):
    accelerator: str = "cpu"
    devices: int | str = 1
    num_nodes: int = Field(default=1, ge=1)
    strategy: str = "auto"
    # auto: bf16-mixed on CUDA, 32-true on the CPU (where bf16 is refused: ~7x slower)
    precision: Literal[
        "auto", "32-true", "bf16-mixed", "bf16-true", "16-mixed", "16-true", "64-true"
    ] = "32-true"
    compile: bool = False  # torch.compile the backbone (in place: checkpoint keys unchanged)
    # channels-last weights for 2-D/3-D convolution backbones; None: on when on CUDA
    channels_last: bool | None = None
    max_steps: int = Field(default=200, gt=0)
    accumulate_grad_batches: int = Field(default=1, ge=1)
    checkpoint_every_n_steps: int = Field(default=50, gt=0)
    log_every_n_steps: int = Field(default=10, gt=0)
    steps_per_epoch: int | None = Field(default=None, gt=0)
    gradient_clip_val: float | None = None
    record_windows: bool = False  # write per-rank window fingerprints (for DDP checks)


class ProbeConfig(_Strict):
    """A labelled entry probed at the end of each epoch (frozen features, logistic regression)."""

    entry: str
    train_split: str = "train"
    test_split: str = "test"


class FinetuneConfig(_Strict):
    """The fine-tuning budget of the evaluation suite (``sslsci.evaluate.finetune``)."""

    max_steps: int = Field(default=100, gt=0)
    lr: float = Field(default=1e-3, gt=0)
    backbone_lr_scale: float = Field(default=0.1, gt=0, le=1)  # backbone lr = lr * this
    batch_size: int = Field(default=16, gt=0)
    eval_every: int = Field(default=10, gt=0)  # steps between validation losses
    patience: int = Field(default=5, gt=0)  # validations without improvement before stopping
    weight_decay: float = Field(default=1e-4, ge=0)
    # "probe": the head starts as the linear probe on the frozen embeddings (LP-FT)
    head_init: Literal["probe", "random"] = "probe"


class EvalConfig(_Strict):
    entry: str
    task: str | None = None  # a plugin task (plugin.tasks); None: the items' catalog labels
    # The catalog labels' kind; a plugin task names its own (TaskSpec.kind).
    kind: Literal["classification", "multilabel", "regression"] = "classification"
    fractions: list[Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=lambda: [0.01, 0.1, 1.0], min_length=1
    )
    seeds: int = Field(default=3, gt=0)
    finetune: FinetuneConfig | None = Field(default_factory=FinetuneConfig)
    train_split: str = "train"
    test_split: str = "test"
    k: int = Field(default=20, gt=0)
    max_tiles: int = Field(default=8, gt=0)
    synthetic: bool = False
    force: bool = False

    @property
    def key(self) -> str:
        """Name of the results in a bundle: the entry, or ``entry:task`` for a plugin task."""
        return self.entry if self.task is None else f"{self.entry}:{self.task}"


class Pipeline(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    catalog: str = "data_catalog.yaml"
    workdir: str | None = None
    output: str = "runs"
    plugin: str
    seed: int = 0
    data: DataConfig
    views: dict[str, Any] = Field(default_factory=dict)
    backbone: BackboneConfig
    method: MethodConfig
    optimizer: OptimizerConfig = Field(default_factory=OptimizerConfig)
    trainer: TrainerConfig = Field(default_factory=TrainerConfig)
    online_probe: ProbeConfig | None = None
    evaluate: list[EvalConfig] = Field(default_factory=list)
    continual: ContinualConfig | None = None
    path: Path | None = Field(default=None, exclude=True)

    @property
    def root(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    def catalog_path(self, override: str | Path | None = None) -> Path:
        return Path(override) if override else (self.root / self.catalog).resolve()

    def output_dir(self, override: str | Path | None = None) -> Path:
        base = Path(override) if override else (self.root / self.output)
        return (base / self.name).resolve()


def _accepted(loc: list) -> list[str]:
    """Field names accepted where an unknown field was found."""
    model: type[BaseModel] = Pipeline
    for part in loc[:-1]:
        annotation = model.model_fields[part].annotation if part in model.model_fields else None
        candidates = [annotation, *getattr(annotation, "__args__", ())]
        nested = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
        if not nested:
            break
        model = nested[0]
    return list(model.model_fields)


def load_pipeline(path: str | Path) -> Pipeline:
    """Read and validate a pipeline YAML."""
    path = Path(path)
    if not path.is_file():
        raise PipelineError(f"pipeline file {path} not found; see pipelines/ for examples")
    try:
        raw, root = load_yaml(read_text(path), path)
    except YamlError as exc:
        raise PipelineError(str(exc)) from None
    try:
        pipeline = Pipeline.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            loc = list(error["loc"])
            field = ".".join(str(p) for p in loc) or "(top level)"
            value = error.get("input")
            shown = "{...}" if isinstance(value, dict) else repr(value)
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "extra_forbidden":
                message += f"; accepted fields: {', '.join(_accepted(loc))}"
            line = line_of(root, loc)
            where = f"{path}: line {line}" if line else str(path)
            problems.append(f"{where}: field {field!r}, value {shown}: {message}")
        raise PipelineError("invalid pipeline:\n  " + "\n  ".join(problems)) from None
    pipeline.path = path.resolve()
    return pipeline
