"""Checks of a pipeline against its plugin and the method table, before any work starts.

Each problem names the pipeline file, the line, the field and what is accepted: a
misspelt view option, backbone config key, method hyperparameter or window dim.
"""

from __future__ import annotations

from typing import Any

from sslsci.catalog.yaml_lines import located
from sslsci.plugins.discovery import get_plugin
from sslsci.plugins.kit import Plugin
from sslsci.plugins.options import OptionsError
from sslsci.train.pipeline import Pipeline, PipelineError


def _at(pipeline: Pipeline, loc: list[Any], message: str) -> str:
    field = ".".join(str(part) for part in loc)
    return f"{located(pipeline.path, loc)}: field {field!r}: {message}"


def views_problems(pipeline: Pipeline, plugin: Plugin) -> list[str]:
    try:
        plugin.parse_view_options(pipeline.views)
    except OptionsError as exc:
        return [_at(pipeline, ["views", *p.loc], p.message) for p in exc.problems]
    return []


def backbone_problems(pipeline: Pipeline, plugin: Plugin) -> list[str]:
    name = pipeline.backbone.name
    if name not in plugin.backbones:
        offered = ", ".join(plugin.backbones)
        return [
            _at(
                pipeline,
                ["backbone", "name"],
                f"value {name!r}: not a {plugin.name} backbone; accepted: {offered}",
            )
        ]
    backbone = plugin.backbones[name]
    accepted = ", ".join(backbone.parameters() or {})
    return [
        _at(
            pipeline,
            ["backbone", "config", key],
            f"unknown config key {key!r} for backbone {name!r}; accepted keys: {accepted}",
        )
        for key in backbone.unknown_keys(pipeline.backbone.config)
    ]


def method_problems(pipeline: Pipeline, plugin: Plugin) -> list[str]:
    from sslsci.methods import METHODS, method_hparams

    name = pipeline.method.name
    if name not in METHODS:
        return [
            _at(
                pipeline,
                ["method", "name"],
                f"value {name!r}: unknown method; accepted: {', '.join(METHODS)}",
            )
        ]
    accepted = method_hparams(name)
    problems = [
        _at(
            pipeline,
            ["method", key],
            f"method {name!r} has no hyperparameter {key!r}; accepted: {', '.join(accepted)}",
        )
        for key in pipeline.method.hparams()
        if key not in accepted
    ]
    kind = METHODS[name].view_kind
    if not plugin.supports(kind):
        problems.append(
            _at(
                pipeline,
                ["method", "name"],
                f"value {name!r} takes {kind.name!r} views "
                f"({', '.join(kind.roles)}); plugin {plugin.name!r} supplies "
                f"{', '.join(plugin.view_roles) or 'none'}",
            )
        )
    return problems


def window_problems(pipeline: Pipeline, plugin: Plugin) -> list[str]:
    dims = plugin.spec.window_dims
    return [
        _at(
            pipeline,
            ["data", "window", dim],
            f"{dim!r} is not a {plugin.name} window dim; window dims: {', '.join(dims)}",
        )
        for dim in pipeline.data.window
        if dim not in dims
    ]


def pipeline_problems(pipeline: Pipeline) -> list[str]:
    """Every problem of the pipeline against its plugin and the core's methods."""
    plugin = get_plugin(pipeline.plugin)
    return (
        window_problems(pipeline, plugin)
        + views_problems(pipeline, plugin)
        + backbone_problems(pipeline, plugin)
        + method_problems(pipeline, plugin)
        + optimizer_problems(pipeline)
    )


def check_pipeline(pipeline: Pipeline) -> None:
    """Raise a ``PipelineError`` listing every problem, so a run fails before it ingests."""
    problems = pipeline_problems(pipeline)
    if problems:
        raise PipelineError("invalid pipeline:\n  " + "\n  ".join(problems))


def optimizer_problems(pipeline: Pipeline) -> list[str]:
    """A warm-up longer than the run is refused here, not deep inside the LR scheduler."""
    warmup, steps = pipeline.optimizer.warmup_steps, pipeline.trainer.max_steps
    if warmup <= steps:
        return []
    return [
        _at(
            pipeline,
            ["optimizer", "warmup_steps"],
            f"value {warmup}: longer than trainer.max_steps={steps}; accepted: 0 to {steps}",
        )
    ]


def built_or_refused(pipeline: Pipeline, loc: list[Any], what: str, build: Any) -> Any:
    """``build()``, or a ``PipelineError`` at ``loc`` when the pipeline's values break it.

    A backbone or method constructor that refuses its config (a list given as a number,
    a negative temperature) is a mistake in the pipeline file, so it is reported with the
    file, line, field and value instead of the constructor's traceback.
    """
    try:
        return build()
    except (TypeError, ValueError) as exc:
        value = pipeline.model_dump(mode="json")
        for part in loc:
            value = value.get(part) if isinstance(value, dict) else None
        reason = str(exc).removeprefix("Value error, ")
        raise PipelineError(
            "invalid pipeline:\n  "
            + _at(
                pipeline,
                loc,
                f"value {value!r}: {what} cannot be built from it ({type(exc).__name__}: {reason})",
            )
        ) from None
