"""The plugin kit: a modality is one ``Plugin(...)`` of declarations, not a class.

A plugin author fills in the spec, readers, option models, validate and normalize
functions, a transform list per view role, backbones, tasks, a seeded example and
sample files; the kit checks options against their models, joins view roles into
the view kinds methods ask for, and gives the core one object to call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from sslsci.plugins.backbones import Backbone, Constructor, as_backbone
from sslsci.plugins.contract import ModalitySpec, PluginError, Reader, TaskSpec, Transform
from sslsci.plugins.deferred import deferred
from sslsci.plugins.options import Options, merge_models, parse_options
from sslsci.views.kinds import ROLES, ViewKind, view_kind

if TYPE_CHECKING:  # declaring a plugin (``sslsci plugins``) needs neither library
    import numpy as np
    import xarray as xr

ValidateFn = Callable[..., list[str]]  # (array, **options) -> problems
NormalizeFn = Callable[..., "xr.DataArray"]  # (array, **options) -> array in spec dims
ViewBuilder = Callable[[Mapping[str, Any]], list[Transform]]  # view options -> one view
ExampleFn = Callable[[int], "xr.DataArray"]  # seed -> a small valid array
TaskWindowsFn = Callable[..., list[tuple["np.ndarray", str]]]


@dataclass(frozen=True)
class Sample:
    """A small file a reader must read: written by the plugin's ``samples(folder)``."""

    path: Path
    reader: str
    options: Mapping[str, Any] = field(default_factory=dict)


SamplesFn = Callable[[Path], Sequence[Sample]]
DemoArchiveFn = Callable[[Path, int], None]  # (folder, seed): write a demo archive


def _keep(array: xr.DataArray, **_: Any) -> xr.DataArray:
    return array


def _no_problems(array: xr.DataArray, **_: Any) -> list[str]:
    return []


class Plugin:
    """A modality plugin, declared.

    ``views`` maps a role (``sslsci.views.ROLES``: strong, light, pretext) to a
    function of the view options returning one view's transform list. ``options``
    and ``view_options`` are ``sslsci.plugins.Options`` models of the catalog entry's
    ``options`` and the pipeline's ``views``. ``validate``, ``normalize`` and the
    readers receive the checked options as keywords, defaults filled in.
    ``example_window``, ``example_view_options`` and ``example_backbones`` (small configs
    per backbone) size the windows, views and models the conformance checks use.
    Every function (validate, normalize, view builders, example, samples, demo_archive,
    task_windows) may be given as ``"package.module:name"``, imported on first call, so
    listing plugins and checking catalogs never import what only training needs.
    """

    def __init__(
        self,
        *,
        spec: ModalitySpec,
        version: str,
        readers: Sequence[Reader],
        backbones: Mapping[str, Backbone | Constructor | str],
        views: Mapping[str, ViewBuilder | str],
        example: ExampleFn | str,
        validate: ValidateFn | str = _no_problems,
        normalize: NormalizeFn | str = _keep,
        options: type[BaseModel] = Options,
        view_options: type[BaseModel] = Options,
        tasks: Sequence[TaskSpec] = (),
        samples: SamplesFn | str | None = None,
        demo_archive: DemoArchiveFn | str | None = None,
        task_windows: TaskWindowsFn | str | None = None,
        example_window: Mapping[str, int] | None = None,
        example_view_options: Mapping[str, Any] | None = None,
        example_backbones: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        _check_declarations(spec, readers, views, options, view_options, tasks)
        self.spec = spec
        self.version = version
        self.readers: tuple[Reader, ...] = tuple(readers)
        self.backbones: dict[str, Backbone] = {k: as_backbone(v) for k, v in backbones.items()}
        self.tasks: dict[str, TaskSpec] = {task.name: task for task in tasks}
        self.example = deferred(example)
        self.task_windows = deferred(task_windows)
        self.example_window = dict(example_window) if example_window else None
        self.example_view_options = dict(example_view_options or {})
        self.example_backbones = {k: dict(v) for k, v in (example_backbones or {}).items()}
        unknown = sorted(set(self.example_backbones) - set(self.backbones))
        if unknown:
            raise PluginError(
                f"plugin {spec.name!r}: example_backbones names {unknown}, "
                f"not among its backbones {sorted(self.backbones)}"
            )
        self._views = {role: deferred(build) for role, build in views.items()}
        self._validate, self._normalize = deferred(validate), deferred(normalize)
        self._options, self._view_options = options, view_options
        self._samples, self._demo_archive = deferred(samples), deferred(demo_archive)
        self.options_model = _options_model(spec.name, options, self.readers)

    def __repr__(self) -> str:
        return f"Plugin({self.name!r}, version={self.version!r})"

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def view_options_model(self) -> type[BaseModel]:
        return self._view_options

    def with_readers(self, extra: Sequence[Reader]) -> Plugin:
        """This plugin with ``extra`` readers first (an outside package's formats)."""
        clone = object.__new__(Plugin)
        clone.__dict__.update(self.__dict__)
        names = {r.name for r in self.readers}
        added = tuple(r for r in extra if r.name not in names)
        _check_readers(self.spec.name, (*added, *self.readers))
        clone.readers = (*added, *self.readers)
        clone.options_model = _options_model(self.spec.name, self._options, clone.readers)
        return clone

    # options -------------------------------------------------------------------------
    def parse_options(self, raw: Mapping[str, Any] | None) -> BaseModel:
        """Catalog options checked by the plugin's model (``OptionsError`` if refused)."""
        return parse_options(self.options_model, raw, f"{self.name} options")

    def option_values(self, raw: Mapping[str, Any] | None) -> dict[str, Any]:
        """Checked catalog options with defaults, as keywords for readers and functions."""
        return self.parse_options(raw).model_dump()

    def parse_view_options(self, raw: Mapping[str, Any] | None) -> BaseModel:
        return parse_options(self._view_options, raw, f"{self.name} views options")

    # the data path ----------------------------------------------------------------------
    def validate(self, array: xr.DataArray, **options: Any) -> list[str]:
        """Problems the plugin finds beyond the core's generic checks; empty means valid."""
        return list(self._validate(array, **self.option_values(options)))

    def normalize(self, array: xr.DataArray, **options: Any) -> xr.DataArray:
        """A valid array brought to the spec (dims, rate or spacing, units) for storing."""
        return self._normalize(array, **self.option_values(options))

    # views ------------------------------------------------------------------------------
    @property
    def view_roles(self) -> tuple[str, ...]:
        return tuple(self._views)

    def supports(self, kind: str | ViewKind) -> bool:
        """Whether the plugin supplies every role of the view kind."""
        return all(role in self._views for role in view_kind(kind).roles)

    def views(self, kind: str | ViewKind, **options: Any) -> list[list[Transform]]:
        """One transform list per view of ``kind``, built from the checked view options."""
        wanted = view_kind(kind)
        missing = [role for role in wanted.roles if role not in self._views]
        if missing:
            raise PluginError(
                f"plugin {self.name!r} supplies no {', '.join(map(repr, missing))} views, "
                f"which view kind {wanted.name!r} needs ({wanted.description}); it supplies "
                f"{', '.join(self._views) or 'none'}. Add them to the plugin's views."
            )
        values = self.parse_view_options(options).model_dump()
        return [list(self._views[role](values)) for role in wanted.roles]

    # files ------------------------------------------------------------------------------
    def samples(self, folder: Path) -> list[Sample]:
        """Small files, one or more per reader, written into ``folder`` for the checks."""
        if self._samples is None:
            return []
        folder.mkdir(parents=True, exist_ok=True)
        return list(self._samples(folder))

    @property
    def has_demo_archive(self) -> bool:
        return self._demo_archive is not None

    def demo_archive(self, folder: Path, seed: int = 0) -> None:
        """Write the plugin's demo archive (synthetic, labelled) into ``folder``."""
        if self._demo_archive is None:
            raise PluginError(f"plugin {self.name!r} declares no demo archive")
        folder.mkdir(parents=True, exist_ok=True)
        self._demo_archive(folder, seed)


def _options_model(name: str, options: type[BaseModel], readers: Sequence[Reader]) -> type:
    """The plugin's options model joined with its readers' own option models."""
    extras = [r.options for r in readers if isinstance(getattr(r, "options", None), type)]
    try:
        return merge_models(f"{name.title()}Options", options, extras)
    except ValueError as exc:
        raise PluginError(f"plugin {name!r}: {exc}") from None


def _check_readers(name: str, readers: Sequence[Reader]) -> None:
    names = [getattr(r, "name", None) for r in readers]
    if not names or len(set(names)) != len(names) or None in names:
        raise PluginError(f"plugin {name!r}: reader names must exist and be unique: {names}")
    for reader in readers:
        if not isinstance(reader, Reader):
            raise PluginError(
                f"plugin {name!r}: reader {reader!r} lacks the Reader API "
                "(name, suffixes, sniff(path, head), read(path, **options))"
            )


def _check_declarations(
    spec: ModalitySpec,
    readers: Sequence[Reader],
    views: Mapping[str, ViewBuilder | str],
    options: type[BaseModel],
    view_options: type[BaseModel],
    tasks: Sequence[TaskSpec],
) -> None:
    """Mistakes a plugin author can make, caught when the plugin object is made."""
    _check_readers(spec.name, readers)
    unknown = [role for role in views if role not in ROLES]
    if unknown:
        raise PluginError(
            f"plugin {spec.name!r}: unknown view roles {unknown}; roles are "
            + "; ".join(f"{role} ({text})" for role, text in ROLES.items())
        )
    for label, model in (("options", options), ("view_options", view_options)):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            raise PluginError(f"plugin {spec.name!r}: {label} must be an Options model class")
        if model.model_config.get("extra") != "forbid":
            raise PluginError(
                f"plugin {spec.name!r}: {label} model {model.__name__} must forbid unknown "
                "keys; derive it from sslsci.plugins.Options"
            )
    names = [task.name for task in tasks]
    if len(set(names)) != len(names):
        raise PluginError(f"plugin {spec.name!r}: task names must be unique: {names}")
