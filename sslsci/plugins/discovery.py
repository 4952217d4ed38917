"""Plugin discovery through the ``sslsci.modalities`` entry-point group.

Built-in plugins are registered in ``pyproject.toml`` exactly like an outside
package, so there is one registry and it cannot drift from what is installed.
"""

from __future__ import annotations

import warnings
from functools import cache
from importlib.metadata import entry_points

from sslsci.plugins.contract import ModalityPlugin, PluginError

GROUP = "sslsci.modalities"


class PluginLoadWarning(UserWarning):
    """A registered plugin failed to import and was skipped."""


def _load(ep) -> ModalityPlugin | None:
    """Import one entry point; a failure is a warning naming the plugin, never a crash."""
    try:
        plugin = ep.load()
    except Exception as exc:  # any import failure must not take the others down
        warnings.warn(
            f"sslsci plugin {ep.name!r} ({ep.value}) failed to load and is skipped: "
            f"{type(exc).__name__}: {exc}",
            PluginLoadWarning,
            stacklevel=3,
        )
        return None
    if not isinstance(plugin, ModalityPlugin):
        warnings.warn(
            f"sslsci plugin {ep.name!r} ({ep.value}) does not fill the ModalityPlugin "
            "contract (spec, version, readers, validate, normalize, views, backbones, "
            "tasks, example) and is skipped",
            PluginLoadWarning,
            stacklevel=3,
        )
        return None
    return plugin


@cache
def _load_named(name: str) -> ModalityPlugin | None:
    for ep in entry_points(group=GROUP, name=name):
        return _load(ep)
    return None


def plugin_names() -> list[str]:
    """Names registered, without importing any plugin."""
    return sorted({ep.name for ep in entry_points(group=GROUP)})


@cache
def available_plugins() -> dict[str, ModalityPlugin]:
    """Load every registered plugin; a broken one is skipped with a warning naming it."""
    found = {name: _load_named(name) for name in plugin_names()}
    return {name: plugin for name, plugin in found.items() if plugin is not None}


def get_plugin(name: str) -> ModalityPlugin:
    """The plugin registered as ``name`` (importing only that one), or a clear error."""
    plugin = _load_named(name)
    if plugin is None:
        known = ", ".join(plugin_names()) or "none"
        raise PluginError(
            f"no usable sslsci plugin named {name!r}; registered: {known}. Install the "
            f"package that provides it, or register it under the entry-point group {GROUP!r}."
        )
    return plugin
