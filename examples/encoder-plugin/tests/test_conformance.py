"""The plugin's own tests: the conformance checks every cmrbench built-in passes."""

import pytest
from cmrbench.testing import check_encoder, check_installed_plugin


def test_the_plugin_loads_cleanly():
    check_installed_plugin("example-encoder")


@pytest.mark.parametrize("name", ["example-net", "example-net-wide"])
def test_the_encoder_conforms(name):
    check_encoder(name)
