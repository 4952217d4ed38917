"""Typed plugin options: a pydantic model per plugin for its catalog ``options`` and its
pipeline ``views``, so a misspelt key is an error naming the accepted ones."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, ValidationError, create_model


class Options(BaseModel):
    """Base of a plugin's option models: unknown keys are errors; values are type-checked."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def pick(cls, options: Mapping[str, Any]) -> Self:
        """This model's fields among ``options``, checked, with its defaults for the rest.

        The kit hands every function all of an entry's checked options (and refuses
        unknown keys before that), so a function picks its own group: ``Limits.pick(o)``.
        """
        mine = {key: value for key, value in options.items() if key in cls.model_fields}
        return parse_options(cls, mine, f"{cls.__name__}")  # type: ignore[return-value]


@dataclass(frozen=True)
class OptionProblem:
    """One bad option: where it is inside the options mapping, and what is wrong."""

    loc: tuple[str | int, ...]
    message: str

    @property
    def key(self) -> str:
        return ".".join(str(part) for part in self.loc) or "(options)"


class OptionsError(ValueError):
    """Options that the plugin's model refuses; ``problems`` says which and why."""

    def __init__(self, what: str, problems: list[OptionProblem]) -> None:
        self.what = what
        self.problems = problems
        text = "; ".join(f"{p.key}: {p.message}" for p in problems)
        super().__init__(f"{what}: {text}")


def accepted_keys(model: type[BaseModel]) -> list[str]:
    return list(model.model_fields)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _problem(error: Mapping[str, Any], model: type[BaseModel]) -> OptionProblem:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        accepted = ", ".join(accepted_keys(model)) or "none"
        return OptionProblem(loc, f"unknown key {loc[-1]!r}; accepted keys: {accepted}")
    if error["type"] == "missing":
        return OptionProblem(loc, "required, but not given")
    message = str(error["msg"]).removeprefix("Value error, ")
    return OptionProblem(loc, f"value {_shown(error.get('input'))}: {message}")


def parse_options(model: type[BaseModel], raw: Mapping[str, Any] | None, what: str) -> BaseModel:
    """``raw`` checked and coerced by ``model``; an ``OptionsError`` lists every problem."""
    if raw is not None and not isinstance(raw, Mapping):
        raise OptionsError(what, [OptionProblem((), f"must be a mapping, got {_shown(raw)}")])
    try:
        return model.model_validate(dict(raw or {}))
    except ValidationError as exc:
        raise OptionsError(what, [_problem(e, model) for e in exc.errors()]) from None


def merge_models(name: str, base: type[BaseModel], extras: Iterable[type[BaseModel]]) -> type:
    """``base`` joined with the option models of added readers (fields and validators).

    A reader's key may not repeat one of the plugin's or another reader's: the same key
    meaning two things would make an entry's options ambiguous.
    """
    unique = list(dict.fromkeys(e for e in extras if e is not base))
    if not unique:
        return base
    seen = {key: base.__name__ for key in base.model_fields}
    for extra in unique:
        for key in extra.model_fields:
            if key in seen:
                raise ValueError(
                    f"option {key!r} of {extra.__name__} is already an option of {seen[key]}; "
                    "rename one of them"
                )
            seen[key] = extra.__name__
    # Reversed bases: the MRO then lists the plugin's fields first, the readers' after.
    return create_model(name, __base__=(*reversed(unique), base))
