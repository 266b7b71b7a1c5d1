"""check_plugin and check_installed_plugin name the plugin and its distribution."""

import importlib

import pytest
from cmrbench.testing import ConformanceError, check_installed_plugin, check_plugin

UNMARKED = '''
    def cmrbench_encoders():
        return []
'''


@pytest.fixture
def unmarked(install_distribution):
    install_distribution("cmrbench-unmarked", {"cmrbench_unmarked": UNMARKED},
                         {"unmarked": "cmrbench_unmarked"})
    return importlib.import_module("cmrbench_unmarked")


def test_check_plugin_names_the_distribution_that_ships_the_module(unmarked):
    with pytest.raises(ConformanceError) as info:
        check_plugin(unmarked, "unmarked")
    assert info.value.subject == "plugin 'unmarked' from cmrbench-unmarked"
    assert "['cmrbench_encoders'] without the @hookimpl marker" in info.value.problem


def test_check_installed_plugin_names_the_entry_point_and_distribution(unmarked):
    with pytest.raises(ConformanceError) as info:
        check_installed_plugin("unmarked")
    assert info.value.subject == "plugin 'unmarked' from cmrbench-unmarked"
    assert "decorate each with `@hookimpl`" in info.value.problem


def test_check_installed_plugin_for_a_name_nobody_installed():
    with pytest.raises(ConformanceError) as info:
        check_installed_plugin("no-such-plugin")
    assert "no entry point of that name" in info.value.problem
    assert "pip install -e ." in info.value.fix
