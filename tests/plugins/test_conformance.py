"""The public conformance suite, run over every plugin registered under `sslsci.modalities`."""

import pytest

from sslsci.plugins.discovery import plugin_names
from sslsci.testing import CHECK_NAMES, run_check


def test_the_built_in_plugins_are_registered():
    assert {"ct", "speech", "wearables"} <= set(plugin_names())


@pytest.mark.parametrize("check", CHECK_NAMES)
@pytest.mark.parametrize("name", plugin_names())
def test_plugin_conforms(name, check, tmp_path):
    run_check(name, check, tmp_path)
