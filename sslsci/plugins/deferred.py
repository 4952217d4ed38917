"""Plugin parts named ``"package.module:name"`` and imported on first use.

A plugin that names its heavy functions this way declares itself with only its spec,
readers and option models, so ``sslsci plugins`` and ``sslsci catalog check`` list and
check modalities without importing torch, monai or what else only training needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def resolve(target: Callable[..., Any] | str) -> Callable[..., Any]:
    """``target`` itself, or the attribute a ``"package.module:name"`` string names."""
    if not isinstance(target, str):
        return target
    module, _, attribute = target.partition(":")
    if not module or not attribute:
        raise ValueError(f"plugin target {target!r} must read 'package.module:name'")
    return getattr(importlib.import_module(module), attribute)


class Deferred:
    """A function named by ``"package.module:name"``, its module imported on first call."""

    def __init__(self, target: str) -> None:
        self.target = target
        self._function: Callable[..., Any] | None = None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._function is None:
            self._function = resolve(self.target)
        return self._function(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Deferred({self.target!r})"


def deferred(target: Callable[..., Any] | str | None) -> Callable[..., Any] | None:
    """Strings become ``Deferred`` callables; functions and None pass through."""
    return Deferred(target) if isinstance(target, str) else target


class DeferredReader:
    """A reader declared by its name, suffixes and options model, and imported from
    ``"package.module:name"`` (a reader class or instance) on the first sniff or read.

    The real reader must carry the declared name and suffixes; a mismatch is a
    ``PluginError`` naming both, so a declaration cannot drift from the reader.
    """

    def __init__(
        self, target: str, name: str, suffixes: tuple[str, ...], options: type | None = None
    ) -> None:
        self.target, self.name, self.suffixes = target, name, tuple(suffixes)
        if options is not None:
            self.options = options
        self._loaded: Any = None

    def loaded(self) -> Any:
        """The real reader, imported and checked against the declaration once."""
        if self._loaded is None:
            found = resolve(self.target)
            reader = found() if isinstance(found, type) else found
            declared = (self.name, self.suffixes, getattr(self, "options", None))
            real = (reader.name, tuple(reader.suffixes), getattr(reader, "options", None))
            if declared != real:
                from sslsci.plugins.contract import PluginError

                raise PluginError(
                    f"reader {self.target} is declared as (name, suffixes, options) "
                    f"{declared} but reads as {real}; make the plugin's declaration match"
                )
            self._loaded = reader
        return self._loaded

    def sniff(self, path: str, head: bytes) -> bool:
        return self.loaded().sniff(path, head)

    def read(self, path: str, **options: Any) -> Any:
        return self.loaded().read(path, **options)

    def __getattr__(self, attribute: str) -> Any:
        """Anything else a reader offers (e.g. ``magic``), from the real reader."""
        if attribute.startswith("_") or attribute == "options":
            raise AttributeError(attribute)
        return getattr(self.loaded(), attribute)

    def __repr__(self) -> str:
        return f"DeferredReader({self.target!r}, name={self.name!r})"
