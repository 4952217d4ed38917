"""Plugin discovery through the ``sslsci.modalities`` entry-point group.

Built-in plugins are registered in ``pyproject.toml`` exactly like an outside
package, so there is one registry and it cannot drift from what is installed.
"""

from __future__ import annotations

import warnings
from functools import cache
from importlib.metadata import entry_points

from sslsci.plugin import ModalityPlugin, PluginError

GROUP = "sslsci.modalities"


class PluginLoadWarning(UserWarning):
    """A registered plugin failed to import and was skipped."""


@cache
def available_plugins() -> dict[str, ModalityPlugin]:
    """Load every registered plugin; a broken one is skipped with a warning naming it."""
    found: dict[str, ModalityPlugin] = {}
    for ep in entry_points(group=GROUP):
        try:
            plugin = ep.load()
        except Exception as exc:  # any import failure must not take the others down
            warnings.warn(
                f"sslsci plugin {ep.name!r} ({ep.value}) failed to load and is skipped: "
                f"{type(exc).__name__}: {exc}",
                PluginLoadWarning,
                stacklevel=2,
            )
            continue
        if not isinstance(plugin, ModalityPlugin):
            warnings.warn(
                f"sslsci plugin {ep.name!r} ({ep.value}) does not fill the ModalityPlugin "
                "contract (spec, version, readers, validate, normalize, views, backbones, "
                "tasks, example) and is skipped",
                PluginLoadWarning,
                stacklevel=2,
            )
            continue
        found[ep.name] = plugin
    return found


def get_plugin(name: str) -> ModalityPlugin:
    """The plugin registered as ``name``, or an error listing those that are."""
    plugins = available_plugins()
    if name not in plugins:
        known = ", ".join(sorted(plugins)) or "none"
        raise PluginError(
            f"no sslsci plugin named {name!r}; installed: {known}. Install the package "
            f"that provides it, or register it under the entry-point group {GROUP!r}."
        )
    return plugins[name]
