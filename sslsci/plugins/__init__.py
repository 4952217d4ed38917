"""The plugin contract and kit: how a modality is declared, found and read (stage 0).

A plugin author writes one ``Plugin(...)`` (see ``docs/plugins.md``) and registers it
under the entry-point group ``sslsci.modalities``; ``sslsci plugin new`` scaffolds one.
"""

from sslsci.plugins.backbones import Backbone
from sslsci.plugins.contract import ModalitySpec, PluginError, Reader, Record, TaskSpec, Transform
from sslsci.plugins.discovery import available_plugins, get_plugin, plugin_names
from sslsci.plugins.kit import Plugin, Sample
from sslsci.plugins.options import Options, OptionsError

__all__ = [
    "Backbone",
    "ModalitySpec",
    "Options",
    "OptionsError",
    "Plugin",
    "PluginError",
    "Reader",
    "Record",
    "Sample",
    "TaskSpec",
    "Transform",
    "available_plugins",
    "get_plugin",
    "plugin_names",
]
