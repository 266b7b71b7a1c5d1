"""Spec objects: the small frozen records a plugin hands the harness.

A hook returns specs, never models: a spec names a thing, says what it needs and how to build
it, so that `cmrbench ls` can list everything without importing torch or touching a weight.
Every spec validates itself on construction and names the offending field, so a malformed spec
fails in the plugin that made it (and only there: the registry reports that plugin and carries on).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
PROTOCOLS = ("linear", "finetune", "transfer", "pretrain", "zeroshot")
TASK_KINDS = ("regression", "binary", "multilabel", "multiclass", "contrastive", "retrieval")
LABEL_KINDS = ("binary", "continuous", "categorical", "text")
SHA256_HEX = re.compile(r"^[0-9a-f]{8,64}$")
URL_SCHEMES = ("https://", "http://")


class SpecError(ValueError):
    """A spec field holds a value the harness cannot use; the message names the field."""


def _fail(spec: object, field_name: str, problem: str) -> None:
    raise SpecError(f"{type(spec).__name__}.{field_name}: {problem}")


def _check_name(spec: object, name: object) -> None:
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        _fail(spec, "name", f"{name!r} is not a valid name; use lower-case letters, digits, "
                            "'-', '.' and '_', starting with a letter or digit "
                            "(e.g. 'mvit-b-16x4')")


def _check_description(spec: object, description: object) -> None:
    if not isinstance(description, str) or not description.strip():
        _fail(spec, "description", "must be a non-empty one-line string")
    if "\n" in description:
        _fail(spec, "description", "must be one line; put longer text in the docstring or card")


def _check_positive(spec: object, field_name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        _fail(spec, field_name, f"must be a positive integer, got {value!r}")


def _check_callable(spec: object, field_name: str, value: object) -> None:
    if not callable(value):
        _fail(spec, field_name, f"must be callable, got {type(value).__name__}")


def _check_members(spec: object, field_name: str, values: object, allowed: tuple[str, ...]) -> None:
    if not isinstance(values, tuple) or not all(isinstance(v, str) for v in values):
        _fail(spec, field_name, f"must be a tuple of strings, got {values!r}")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        _fail(spec, field_name, f"unknown value(s) {unknown}; allowed: {list(allowed)}")


@dataclass(frozen=True)
class VideoInput:
    """What a video encoder's forward takes: a float tensor [B, channels, frames, height, width].

    The data pipeline produces pixel values in `value_range`, then normalises each channel with
    `mean` and `std` before the encoder sees it; the harness, not the plugin, enforces this.
    """

    frames: int
    height: int
    width: int
    channels: int = 3
    value_range: tuple[float, float] = (0.0, 1.0)
    mean: tuple[float, ...] = (0.45, 0.45, 0.45)
    std: tuple[float, ...] = (0.225, 0.225, 0.225)

    def __post_init__(self) -> None:
        for name in ("frames", "height", "width", "channels"):
            _check_positive(self, name, getattr(self, name))
        low_high = self.value_range
        if not (isinstance(low_high, tuple) and len(low_high) == 2 and low_high[0] < low_high[1]):
            _fail(self, "value_range",
                  f"must be a (low, high) tuple with low < high, got {low_high!r}")
        for name in ("mean", "std"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or len(value) != self.channels:
                _fail(self, name, f"must be a tuple with one value per channel "
                                  f"({self.channels}), got {value!r}")
        if any(s <= 0 for s in self.std):
            _fail(self, "std", f"every value must be positive, got {self.std!r}")

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """The per-sample tensor shape (channels, frames, height, width)."""
        return (self.channels, self.frames, self.height, self.width)


@dataclass(frozen=True)
class TextInput:
    """What a text encoder takes: sentences, tokenised by the encoder's own `tokenize` method."""

    max_tokens: int = 96
    sentences: int = 5

    def __post_init__(self) -> None:
        _check_positive(self, "max_tokens", self.max_tokens)
        _check_positive(self, "sentences", self.sentences)


@dataclass(frozen=True)
class PretrainedWeights:
    """A published checkpoint for one encoder, named by a tag: ``<encoder>.<name>``.

    What the publisher says about the file, written down as data when the plugin is written:
    where it is (``url``, ``filename``), how to check it (``sha256``: the hex digest or prefix
    the publisher publishes, e.g. the 8 characters torchvision puts in its file names; None when
    nothing is published), under what terms (``licence``), how big (``size_mb``, as published),
    how good on its own task (``accuracy``, as published, e.g. {"Kinetics-400 acc@1": 78.477}),
    what layout it has (``format``, a name in ``cmrbench.weights.FORMATS``) and which key
    prefixes of it are not loaded (``exclude``: the classifier). ``cmrbench weights fetch``
    downloads it, nothing else does.
    """

    name: str
    description: str
    url: str
    filename: str
    sha256: str | None
    licence: str
    format: str
    exclude: tuple[str, ...] = ()
    size_mb: float | None = None
    accuracy: Mapping[str, float] = field(default_factory=dict)
    source: str = ""

    def __post_init__(self) -> None:
        _check_name(self, self.name)
        _check_description(self, self.description)
        if not isinstance(self.url, str) or not self.url.startswith(URL_SCHEMES):
            _fail(self, "url", f"must be an http(s) URL, got {self.url!r}")
        if not isinstance(self.filename, str) or not NAME_PATTERN.match(self.filename.lower()):
            _fail(self, "filename", f"must be a plain file name (no folders), got "
                                    f"{self.filename!r}")
        if self.sha256 is not None and not (isinstance(self.sha256, str)
                                            and SHA256_HEX.match(self.sha256)):
            _fail(self, "sha256", f"must be the published lower-case hex sha256 or a prefix of "
                                  f"it (8 to 64 characters), or None, got {self.sha256!r}")
        for name in ("licence", "format"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                _fail(self, name, f"must be a non-empty string, got {value!r}")
        if not isinstance(self.exclude, tuple) or not all(isinstance(p, str) and p
                                                          for p in self.exclude):
            _fail(self, "exclude", f"must be a tuple of key prefixes, got {self.exclude!r}")
        if self.size_mb is not None and not (isinstance(self.size_mb, (int, float))
                                             and self.size_mb > 0):
            _fail(self, "size_mb", f"must be a positive number or None, got {self.size_mb!r}")
        if not isinstance(self.accuracy, Mapping) or not all(
                isinstance(k, str) and isinstance(v, (int, float)) and not isinstance(v, bool)
                for k, v in self.accuracy.items()):
            _fail(self, "accuracy", f"must map metric name -> number, got {self.accuracy!r}")


@dataclass(frozen=True)
class EncoderSpec:
    """An encoder: a factory for an nn.Module that maps its declared input to [B, embed_dim].

    `factory(**options)` builds the module; `weights` names the checkpoint formats the
    encoder's weight loader accepts (weights are always a separate, named choice);
    `pretrained` lists the published checkpoints it can start from, each a tag
    ``<name>.<tag>`` that ``--weights`` accepts once ``cmrbench weights fetch`` has cached it.
    """

    name: str
    description: str
    factory: Callable[..., Any]
    input: VideoInput | TextInput
    embed_dim: int = 512
    modality: Literal["video", "text"] = "video"
    weights: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    pretrained: tuple[PretrainedWeights, ...] = ()

    def __post_init__(self) -> None:
        _check_name(self, self.name)
        _check_description(self, self.description)
        _check_callable(self, "factory", self.factory)
        _check_positive(self, "embed_dim", self.embed_dim)
        if self.modality not in ("video", "text"):
            _fail(self, "modality", f"must be 'video' or 'text', got {self.modality!r}")
        expected = VideoInput if self.modality == "video" else TextInput
        if not isinstance(self.input, expected):
            _fail(self, "input", f"a {self.modality} encoder declares a {expected.__name__}, "
                                 f"got {type(self.input).__name__}")
        for name in ("weights", "tags"):
            value = getattr(self, name)
            if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
                _fail(self, name, f"must be a tuple of strings, got {value!r}")
        _check_pretrained(self, self.pretrained)


def _check_pretrained(spec: EncoderSpec, pretrained: object) -> None:
    if not isinstance(pretrained, tuple) or not all(isinstance(p, PretrainedWeights)
                                                    for p in pretrained):
        _fail(spec, "pretrained", f"must be a tuple of PretrainedWeights, got {pretrained!r}")
    names = [p.name for p in pretrained]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        _fail(spec, "pretrained", f"tag name(s) {repeated} appear more than once")


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset: where its card lives, how to find studies in a source, what it labels.

    `discover(source_dir)` yields the studies (``cmrbench.ingest.SourceStudy``) found under a
    raw source directory; `decode(study, card)` turns one into views (None: the harness's
    DICOM decoder, which maps series with the card's view map). `labels` maps each label
    name to its kind.

    How a user configures a dataset reaches the plugin through ``card``, never through options
    of the plugin's own: ``cmrbench ingest --card CARD.yaml`` replaces the card, and
    ``--series-map CSV`` (cmr_toolkit's series-renaming table) replaces its view map. A
    decoder that maps series with ``card.view_for`` or ``card.view_map`` honours both.
    """

    name: str
    description: str
    discover: Callable[..., Any]
    views: tuple[str, ...]
    labels: Mapping[str, str]
    card: Path | None = None
    decode: Callable[..., Any] | None = None

    def __post_init__(self) -> None:
        _check_name(self, self.name)
        _check_description(self, self.description)
        _check_callable(self, "discover", self.discover)
        if not isinstance(self.views, tuple) or not self.views:
            _fail(self, "views", f"must be a non-empty tuple of view names, got {self.views!r}")
        if not isinstance(self.labels, Mapping):
            _fail(self, "labels", f"must map label name -> kind, got {type(self.labels).__name__}")
        bad = {k: v for k, v in self.labels.items() if v not in LABEL_KINDS}
        if bad:
            _fail(self, "labels", f"unknown label kind(s) {bad}; allowed: {list(LABEL_KINDS)}")
        if self.decode is not None:
            _check_callable(self, "decode", self.decode)
        if self.card is not None and not isinstance(self.card, Path):
            _fail(self, "card", f"must be a pathlib.Path or None, got {type(self.card).__name__}")


@dataclass(frozen=True)
class TaskSpec:
    """A task: which datasets and protocols it supports, how to build it, how to score it.

    `build(**options)` returns the task object (targets, head, loss, metrics); `primary_metric`
    ranks leaderboards and `higher_is_better` says in which direction.
    """

    name: str
    description: str
    kind: str
    build: Callable[..., Any]
    datasets: tuple[str, ...]
    protocols: tuple[str, ...]
    metrics: tuple[str, ...]
    primary_metric: str
    higher_is_better: bool

    def __post_init__(self) -> None:
        _check_name(self, self.name)
        _check_description(self, self.description)
        if self.kind not in TASK_KINDS:
            _fail(self, "kind", f"{self.kind!r} is not one of {list(TASK_KINDS)}")
        _check_callable(self, "build", self.build)
        if not isinstance(self.datasets, tuple) or not self.datasets:
            _fail(self, "datasets", f"must be a non-empty tuple of dataset names, "
                                    f"got {self.datasets!r}")
        _check_members(self, "protocols", self.protocols, PROTOCOLS)
        if not isinstance(self.metrics, tuple) or not self.metrics:
            _fail(self, "metrics",
                  f"must be a non-empty tuple of metric names, got {self.metrics!r}")
        if self.primary_metric not in self.metrics:
            _fail(self, "primary_metric", f"{self.primary_metric!r} is not among metrics "
                                          f"{list(self.metrics)}")
        if not isinstance(self.higher_is_better, bool):
            _fail(self, "higher_is_better", f"must be True or False, got {self.higher_is_better!r}")


@dataclass(frozen=True)
class TextCleanerSpec:
    """A free-text cleaner: what ingest runs on every series description, report and message
    it keeps, to remove identifiers (``cmrbench ingest --cleaner NAME``).

    ``factory()`` is called once per ingest process, with no arguments, and returns a callable
    ``clean(text, identifiers, field) -> str`` (``cmrbench.deid.TextCleaner``): ``identifiers``
    are the study's own, from its keys and headers (``cmrbench.deid.StudyIdentifiers``), and
    ``field`` says what the text is (``cmrbench.deid.FIELDS``). Load models in the factory,
    not in the hook. With ``--workers`` above 1 the factory travels to the worker processes,
    so it must be a module-level function (or a ``functools.partial`` of one).
    """

    name: str
    description: str
    factory: Callable[[], Callable[..., str]]

    def __post_init__(self) -> None:
        _check_name(self, self.name)
        _check_description(self, self.description)
        _check_callable(self, "factory", self.factory)


Spec = EncoderSpec | DatasetSpec | TaskSpec | TextCleanerSpec
