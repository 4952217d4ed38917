"""Plugin discovery through entry points: whole modalities, and single readers.

Built-in plugins are registered in ``pyproject.toml`` exactly like an outside
package, so there is one list of plugins and it cannot drift from what is installed.
An outside package adds one file format to an existing modality by registering a
reader under ``sslsci.readers`` as ``<modality>.<reader name>``; the modality's
plugin then offers it first, before its own readers.
"""

from __future__ import annotations

import warnings
from functools import cache
from importlib.metadata import EntryPoint, entry_points

from sslsci.plugins.contract import PluginError, Reader
from sslsci.plugins.kit import Plugin

GROUP = "sslsci.modalities"
READER_GROUP = "sslsci.readers"


class PluginLoadWarning(UserWarning):
    """A registered plugin or reader failed to import and was skipped."""


def _warn(ep: EntryPoint, problem: str) -> None:
    warnings.warn(
        f"sslsci {ep.group} entry point {ep.name!r} ({ep.value}) {problem} and is skipped",
        PluginLoadWarning,
        stacklevel=4,
    )


def _load(ep: EntryPoint) -> object | None:
    """Import one entry point; a failure is a warning naming it, never a crash."""
    try:
        return ep.load()
    except Exception as exc:  # any import failure must not take the others down
        _warn(ep, f"failed to load: {type(exc).__name__}: {exc}")
        return None


def reader_entry_points(modality: str) -> list[EntryPoint]:
    """Readers registered for ``modality`` (named ``<modality>.<reader>``), not imported."""
    prefix = f"{modality}."
    found = [ep for ep in entry_points(group=READER_GROUP) if ep.name.startswith(prefix)]
    return sorted(found, key=lambda ep: ep.name)


def extra_readers(modality: str) -> list[Reader]:
    """The outside readers of ``modality``; a broken one is skipped with a warning."""
    readers = []
    for ep in reader_entry_points(modality):
        reader = _load(ep)
        if reader is None:
            continue
        if isinstance(reader, type):
            reader = reader()
        if not isinstance(reader, Reader):
            _warn(ep, "is not a reader (name, suffixes, sniff(path, head), read(path, **options))")
            continue
        if reader.name != ep.name.split(".", 1)[1]:
            _warn(
                ep, f"names its reader {reader.name!r}; register it as '{modality}.{reader.name}'"
            )
            continue
        readers.append(reader)
    return readers


@cache
def _load_named(name: str) -> Plugin | None:
    for ep in entry_points(group=GROUP, name=name):
        plugin = _load(ep)
        if plugin is None:
            return None
        if not isinstance(plugin, Plugin):
            _warn(ep, "is not an sslsci.plugins.Plugin; declare the modality with Plugin(...)")
            return None
        if plugin.name != name:
            _warn(ep, f"declares spec name {plugin.name!r}; register it under that name")
            return None
        extra = extra_readers(name)
        return plugin.with_readers(extra) if extra else plugin
    return None


def plugin_names() -> list[str]:
    """Names registered, without importing any plugin."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


def available_plugins() -> dict[str, Plugin]:
    """Every registered plugin that loads; a broken one is skipped with a warning."""
    found = {name: _load_named(name) for name in plugin_names()}
    return {name: plugin for name, plugin in found.items() if plugin is not None}


def get_plugin(name: str) -> Plugin:
    """The plugin registered as ``name`` (importing only that one), or a clear error."""
    plugin = _load_named(name)
    if plugin is None:
        known = ", ".join(plugin_names()) or "none"
        raise PluginError(
            f"no usable sslsci plugin named {name!r}; registered: {known}. Install the "
            f"package that provides it, or register it under the entry-point group {GROUP!r}."
        )
    return plugin
