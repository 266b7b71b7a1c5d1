"""The plugin contract: every hook a cmrbench plugin may implement, in one place.

A plugin is any importable module (or object) named by an entry point in the ``cmrbench``
group of its distribution's metadata::

    [project.entry-points.cmrbench]
    my-encoders = "my_package.cmrbench_plugin"

and implementing one or more of the hooks below, marked with :data:`hookimpl`::

    from cmrbench import EncoderSpec, VideoInput, hookimpl

    @hookimpl
    def cmrbench_encoders():
        return [EncoderSpec(name="my-net", description="...", factory=build_my_net,
                            input=VideoInput(frames=16, height=224, width=224))]

The built-in plugins in ``plugins/`` are registered through the same group in cmrbench's own
``pyproject.toml``: nothing is special-cased. Rules the registry enforces:

- Hooks are called lazily, once per kind, the first time that kind is asked for.
- A hook returns an iterable of specs of its kind; each item is checked, and a wrong item is
  reported without discarding the plugin's valid items.
- Names are global per kind: a second spec with a taken name is reported and ignored (the
  built-in ``cmrbench`` distribution is loaded first, then others in name order).
- A function whose name starts with ``cmrbench_`` but matches no hook below (a misspelt hook)
  makes its plugin a reported problem, rather than silently doing nothing.
- A plugin that raises while importing or inside a hook is reported by plugin and distribution
  name; every other plugin keeps working.
- Plugins are disabled by entry-point name with ``CMRBENCH_DISABLE=a,b`` or
  ``cmrbench --disable NAME``.
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy
from cmrbench.specs import DatasetSpec, EncoderSpec, TaskSpec

PROJECT = "cmrbench"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def cmrbench_encoders() -> Iterable[EncoderSpec]:
    """Return the encoders (video or text) this plugin provides.

    Called once, the first time any encoder is looked up or listed. Return specs only: build
    no model and load no weight here (``EncoderSpec.factory`` does that when asked). Published
    checkpoints are declared as data, ``EncoderSpec.pretrained`` (tags such as
    ``my-net.kinetics400``), which ``cmrbench weights fetch`` alone downloads.
    """


@hookspec
def cmrbench_datasets() -> Iterable[DatasetSpec]:
    """Return the datasets this plugin provides.

    Called once, the first time any dataset is looked up or listed. ``DatasetSpec.card`` points
    at the dataset card (YAML) that documents source, licence, layout, labels and splits.
    """


@hookspec
def cmrbench_tasks() -> Iterable[TaskSpec]:
    """Return the tasks this plugin provides.

    Called once, the first time any task is looked up or listed. ``TaskSpec.datasets`` and
    ``TaskSpec.protocols`` say where and how the task can run; the harness checks both before
    a run starts.
    """


HOOKS_BY_KIND = {
    "encoder": "cmrbench_encoders",
    "dataset": "cmrbench_datasets",
    "task": "cmrbench_tasks",
}
SPEC_BY_KIND = {"encoder": EncoderSpec, "dataset": DatasetSpec, "task": TaskSpec}
