"""The plugin contract, run over every plugin registered under `sslsci.modalities`."""

import pytest

from sslsci.testing import checks as contract
from sslsci.plugins.discovery import available_plugins, plugin_names

PLUGINS = plugin_names()


def _plugin(name):
    plugins = available_plugins()
    if name not in plugins:
        pytest.fail(f"plugin {name!r} is registered but failed to load (see warnings)")
    return plugins[name]


def _window_sizes(plugin) -> dict[str, int]:
    """Small windows that every backbone of the plugin accepts (multiples of 16)."""
    return {dim: 32 if len(plugin.spec.window_dims) > 1 else 160
            for dim in plugin.spec.window_dims}


def test_wearables_is_registered():
    assert "wearables" in PLUGINS


@pytest.mark.parametrize("name", PLUGINS)
def test_spec_and_readers(name):
    plugin = _plugin(name)
    contract.check_spec(plugin)
    contract.check_readers(plugin)


@pytest.mark.parametrize("name", PLUGINS)
def test_example_is_valid_and_normalises_to_spec(name):
    contract.normalized_example(_plugin(name))


@pytest.mark.parametrize("name", PLUGINS)
@pytest.mark.parametrize("method", [*contract.TWO_VIEW_METHODS, "mae"])
def test_views_are_seeded(name, method):
    plugin = _plugin(name)
    x = contract.example_window(plugin, _window_sizes(plugin))
    contract.check_views_seeded(plugin, x, method)


@pytest.mark.parametrize("name", PLUGINS)
def test_every_backbone_answers_the_interface(name):
    plugin = _plugin(name)
    x = contract.example_window(plugin, _window_sizes(plugin))
    batch = x.unsqueeze(0).repeat(2, *([1] * x.ndim))
    for backbone in plugin.backbones():
        contract.check_backbone(plugin, backbone, batch)


@pytest.mark.parametrize("name", PLUGINS)
def test_tasks_declare_a_kind(name):
    for task in _plugin(name).tasks().values():
        assert task.kind == "classification"
