"""Conformance checks a plugin author runs in their own tests (the built-ins pass the same).

    from cmrbench.testing import check_encoder, check_installed_plugin

    def test_my_plugin():
        check_installed_plugin("my-encoders")   # loads; no misspelt, unmarked or empty hook
        check_encoder("my-net")                 # looked up as `cmrbench embed` would

Each check takes a name, a registry entry or a spec, and raises :class:`ConformanceError`
naming what is checked, the plugin and distribution that provide it, the problem and the
fix. One module per kind of thing checked (``_encoder``, ``_dataset``, ``_plugin``, ``_task``); they
share ``_subject`` (what is checked and who provides it) and ``_errors``.
"""

from cmrbench.testing._dataset import check_dataset
from cmrbench.testing._encoder import check_encoder
from cmrbench.testing._errors import ConformanceError
from cmrbench.testing._plugin import check_installed_plugin, check_plugin
from cmrbench.testing._task import check_task

__all__ = ["ConformanceError", "check_dataset", "check_encoder", "check_installed_plugin",
           "check_plugin", "check_task"]
