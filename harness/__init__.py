"""cmrbench: a plugin-based benchmarking harness for cardiac MRI video models.

The public face: spec objects a plugin returns, the hook marker it uses, and the registry that
finds every installed plugin. Everything else lives in its own module (``cmrbench.stats``,
``cmrbench.phantom``, ``cmrbench.testing``, ...).
"""

from importlib.metadata import PackageNotFoundError, version

from cmrbench.hookspecs import hookimpl
from cmrbench.registry import PluginProblem, Registry, UnknownNameError, get_registry
from cmrbench.specs import (
    DatasetSpec,
    EncoderSpec,
    PretrainedWeights,
    SpecError,
    TaskSpec,
    TextCleanerSpec,
    TextInput,
    VideoInput,
)

try:
    __version__ = version("cmrbench")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

__all__ = [
    "DatasetSpec",
    "EncoderSpec",
    "PluginProblem",
    "PretrainedWeights",
    "Registry",
    "SpecError",
    "TaskSpec",
    "TextCleanerSpec",
    "TextInput",
    "UnknownNameError",
    "VideoInput",
    "__version__",
    "get_registry",
    "hookimpl",
]
