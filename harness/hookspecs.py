"""The plugin contract: every hook a cmrbench plugin may implement, in one place.

A plugin is any importable module (or object) named by an entry point in the ``cmrbench``
group of its distribution's metadata, in its ``pyproject.toml`` next to a dependency on the
harness (``examples/encoder-plugin/`` is a complete plugin; a test runs it as written)::

    dependencies = ["cmrbench>=0.1,<0.2"]

    [project.entry-points.cmrbench]
    example-encoder = "cmrbench_example_encoder.plugin"

and implementing one or more of the hooks below, each marked with :data:`hookimpl`::

    @hookimpl
    def cmrbench_encoders():
        # embed_dim is left at its default, 512: forward returns [B, 512]
        return [
            EncoderSpec(name="example-net", description="Example 3D CNN (16 channels)",
                        factory=build_example_net, input=CLIP),

The built-in plugins in ``plugins/`` are registered through the same group in cmrbench's own
``pyproject.toml``: nothing is special-cased. Rules the registry enforces:

- Hooks are called lazily, once per kind, the first time that kind is asked for.
- A hook returns an iterable of specs of its kind; each item is checked, and a wrong item is
  reported without discarding the plugin's valid items.
- Names are global per kind. When two plugins offer one name, the built-in ``cmrbench``
  distribution keeps it, then the first distribution by name, then the first entry point by
  name; the other is reported and ignored. ``@hookimpl(tryfirst=True)`` or ``trylast=True``
  change nothing, and hook wrappers are refused.
- A plugin that would silently do nothing is a reported problem and is not loaded: a function
  whose name starts with ``cmrbench_`` but matches no hook (misspelt), a marked function whose
  name matches no hook (``@hookimpl def encoders()``), a hook function without ``@hookimpl``
  (pluggy never calls it), or no hook at all.
- A plugin that raises while importing or inside a hook is reported by plugin and distribution
  name; every other plugin keeps working. An unknown name's error lists those failures.
- Plugins are disabled by entry-point name with ``CMRBENCH_DISABLE=a,b`` or
  ``cmrbench --disable NAME``.

Check a plugin in its own tests with :mod:`cmrbench.testing` (``check_installed_plugin``,
``check_encoder``, ``check_dataset``): the same checks the built-ins pass.
"""

from __future__ import annotations

from collections.abc import Iterable

import pluggy
from cmrbench.specs import DatasetSpec, EncoderSpec, TaskSpec, TextCleanerSpec

PROJECT = "cmrbench"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def cmrbench_encoders() -> Iterable[EncoderSpec]:
    """Return the encoders (video or text) this plugin provides.

    Called once, the first time any encoder is looked up or listed. Return specs only: build
    no model, load no weight and import no torch here (``EncoderSpec.factory`` does that when
    asked). Published checkpoints are declared as data, ``EncoderSpec.pretrained`` (tags such
    as ``my-net.kinetics400``), which ``cmrbench weights fetch`` alone downloads. The contract
    a video encoder's module meets (``cmrbench.testing.check_encoder`` checks each point):

    - ``factory()`` is called with no arguments (a variant is another spec binding other
      options with ``functools.partial``; Python callers may pass keyword options);
    - ``forward(video)``: the argument is named ``video``, a float32 tensor [B, C, T, H, W] as
      ``VideoInput`` declares (``channels`` 3, values scaled to ``value_range`` (0, 1), then
      normalised with ``mean`` 0.45 and ``std`` 0.225 per channel unless declared otherwise);
    - it returns a finite float tensor [B, embed_dim] (``embed_dim`` defaults to 512), the
      same in eval mode every time, each row computed from its own clip alone;
    - every trainable parameter gets a gradient, and all state lives in parameters and
      persistent buffers, so weights saved with ``cmrbench.weights`` load back exactly.

    Not required: L2-normalised output (the built-ins normalise; the harness neither demands
    nor adds it), and the ``backbone`` / ``projection`` attributes and ``features(video)``
    the built-ins expose (``backbone`` lets backbone-only checkpoints such as torchvision's
    Kinetics files load). A text encoder declares ``modality="text"`` and a ``TextInput``, and
    has ``tokenize(sentences)`` returning the keyword inputs of its forward.
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


@hookspec
def cmrbench_text_cleaners() -> Iterable[TextCleanerSpec]:
    """Return the free-text cleaners this plugin provides (``cmrbench ingest --cleaner NAME``).

    Called once, the first time any cleaner is looked up or listed; the built-in ``builtin``
    is the default. Ingest calls the cleaner on every free-text value it keeps: series
    descriptions, report text, messages about rejected files (they quote descriptions and name
    files), text labels; nothing reaches the store, the report or the console uncleaned. A
    cleaner wrapping a library (presidio, scrubadub, philter) loads its models in
    ``TextCleanerSpec.factory``, not here. ``clean(text, identifiers, field)``:

    - ``identifiers`` (``cmrbench.deid.StudyIdentifiers``) are the study's own names, IDs,
      dates and phrases, read from its keys and headers: remove them in any spelling;
    - ``field`` is one of ``cmrbench.deid.FIELDS``; a series description such as
      ``SAX_FIESTA_BH_1`` or a message about a file is not prose;
    - it returns a ``str`` and never raises on text it does not understand; an exception or
      another type stops the ingest with a message naming the cleaner and its plugin (the
      exception's own text is not shown: it may quote the identifiers).

    To build on the built-in one, call ``cmrbench.deid.clean_text`` before or after your own.
    """


HOOKS_BY_KIND = {
    "encoder": "cmrbench_encoders",
    "dataset": "cmrbench_datasets",
    "task": "cmrbench_tasks",
    "cleaner": "cmrbench_text_cleaners",
}
SPEC_BY_KIND = {"encoder": EncoderSpec, "dataset": DatasetSpec, "task": TaskSpec,
                "cleaner": TextCleanerSpec}
