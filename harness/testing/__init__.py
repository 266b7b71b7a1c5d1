"""Conformance checks a plugin author runs in their own tests.

    from cmrbench.testing import check_plugin, check_encoder

    def test_my_plugin():
        registry = check_plugin(my_package.cmrbench_plugin)
        for spec in (e.spec for e in registry.entries("encoder")):
            check_encoder(spec)

Each check raises :class:`ConformanceError` naming what is wrong, so a plain ``assert`` is not
needed; the harness runs the same checks on its own built-ins.
"""

from cmrbench.testing._dataset import check_dataset
from cmrbench.testing._encoder import check_encoder
from cmrbench.testing._errors import ConformanceError
from cmrbench.testing._plugin import check_installed_plugin, check_plugin
from cmrbench.testing._task import check_task

__all__ = ["ConformanceError", "check_dataset", "check_encoder", "check_installed_plugin",
           "check_plugin", "check_task"]
