"""A plugin's backbone: what to build, with the plugin's defaults, its config checkable
against the constructor before anything is built."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sslsci.plugins.deferred import resolve

if TYPE_CHECKING:  # listing a plugin's backbones must not import torch
    from torch import nn

Constructor = Callable[..., "nn.Module"]


@dataclass(frozen=True)
class Backbone:
    """``build`` (a class, a function, or ``"module:Name"``) with the plugin's ``defaults``.

    Calling it builds the module with ``defaults`` overridden by the given config.
    """

    build: Constructor | str
    defaults: Mapping[str, Any] = field(default_factory=dict)
    description: str = ""

    def target(self) -> Constructor:
        return resolve(self.build)

    def parameters(self) -> dict[str, Any] | None:
        """Accepted config keys and their defaults; None when the constructor takes
        ``**kwargs``, so its keys cannot be checked."""
        signature = inspect.signature(self.target())
        params = signature.parameters.values()
        if any(p.kind is p.VAR_KEYWORD for p in params):
            return None
        accepted = {
            p.name: (None if p.default is p.empty else p.default)
            for p in params
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        }
        accepted.update(self.defaults)
        return accepted

    def unknown_keys(self, config: Mapping[str, Any]) -> list[str]:
        accepted = self.parameters()
        return [] if accepted is None else [key for key in config if key not in accepted]

    def accepts(self, key: str) -> bool:
        accepted = self.parameters()
        return accepted is None or key in accepted

    def __call__(self, **config: Any) -> nn.Module:
        unknown = self.unknown_keys(config)
        if unknown:
            accepted = ", ".join(self.parameters() or {})
            raise ValueError(f"unknown backbone config key(s) {unknown}; accepted: {accepted}")
        return self.target()(**{**self.defaults, **config})


def as_backbone(value: Backbone | Constructor | str) -> Backbone:
    """Plain constructors are wrapped, so every plugin backbone answers one interface."""
    return value if isinstance(value, Backbone) else Backbone(value)
