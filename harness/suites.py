"""Frozen benchmark suites: ``leaderboards/<suite>/suite.yaml``, versioned and hashed.

A suite is data. Each benchmark names its dataset and the sha256 of that dataset's split rule,
a task (and its options), a protocol (mode, label fraction), the primary metric and its
direction, the entry every other entry is tested against (``baseline``) and what an entry may
publish (``per-study`` predictions for public cohorts; ``aggregate`` numbers and the
predictions' sha256 only for restricted ones)::

    name: phantom-v1
    version: 1
    title: ...
    description: ...
    data: {phantom: "cmrbench phantom ... && cmrbench ingest phantom ..."}
    benchmarks:
      lvef-linear:
        dataset: phantom
        split_sha256: 19e5...
        task: lvef
        protocol: {mode: linear, fraction: 1.0}
        primary_metric: mae
        direction: lower
        baseline: r3d-18-tiny-random
        publication: per-study
        subgroups: [site, vendor, group]      # store labels to break the metric down by

The suite's sha256 (of its parsed content) and each benchmark's sha256 (of its definition) go
into every entry, so an entry accepted under another definition is recognised as such.

A benchmark whose task is not registered in this installation (a task still being written) is
loaded as *pending*: its dataset, split and protocol are checked now, everything that needs the
task once a task of that name is registered. Errors name the file and the field.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cmrbench.cards import CardError, DatasetCard, load_card
from cmrbench.files import read_yaml_mapping
from cmrbench.registry import Registry, UnknownNameError, get_registry
from cmrbench.resources import resource_dir
from cmrbench.specs import NAME_PATTERN, PROTOCOLS, TaskSpec
from cmrbench.stats import HIGHER_IS_BETTER
from cmrbench.task import TaskError

SUITE_FILE = "suite.yaml"
BOARD_DIR = "entries"
PUBLICATIONS = ("per-study", "aggregate")
DIRECTIONS = {"higher": True, "lower": False}
SUITE_FIELDS = ("name", "version", "title", "description", "data", "benchmarks")
BENCHMARK_FIELDS = ("dataset", "split_sha256", "task", "protocol", "primary_metric",
                    "direction", "baseline", "publication")
BENCHMARK_OPTIONAL = ("task_options", "subgroups", "description", "test_studies_sha256")
PROTOCOL_FIELDS = ("mode", "fraction")


class SuiteError(ValueError):
    """A suite file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class Benchmark:
    """One frozen benchmark of a suite (see the module docstring for the fields)."""

    name: str
    dataset: str
    split_sha256: str
    task: str
    task_options: dict[str, Any]
    mode: str
    fraction: float
    primary_metric: str
    higher_is_better: bool
    baseline: str
    publication: str
    subgroups: tuple[str, ...]
    description: str
    test_studies_sha256: str | None
    sha256: str
    pending: str | None = None

    @property
    def public(self) -> bool:
        """Whether entries publish their per-study predictions."""
        return self.publication == "per-study"

    def same_but_fraction(self, other: Benchmark) -> bool:
        """Whether ``other`` differs from this benchmark only in its label fraction: the two
        are points of one label-efficiency curve."""
        return (self.dataset, self.task, self.task_options, self.mode, self.primary_metric) == (
            other.dataset, other.task, other.task_options, other.mode, other.primary_metric)


@dataclass(frozen=True)
class Suite:
    name: str
    version: int
    title: str
    description: str
    data: dict[str, str]
    benchmarks: dict[str, Benchmark]
    path: Path
    sha256: str
    cards: dict[str, DatasetCard] = field(default_factory=dict, repr=False, compare=False)

    @property
    def board(self) -> Path:
        """Where this suite's entries live by default: ``<suite folder>/entries``."""
        return self.path.parent / BOARD_DIR

    def benchmark(self, name: str) -> Benchmark:
        if name not in self.benchmarks:
            raise SuiteError(f"suite {self.name!r} has no benchmark {name!r}; its benchmarks: "
                             f"{sorted(self.benchmarks)}")
        return self.benchmarks[name]

    def identity(self) -> dict[str, Any]:
        """What an entry records of the suite it was accepted under."""
        return {"name": self.name, "version": self.version, "sha256": self.sha256}


def suite_path(name_or_path: str | Path) -> Path:
    """The suite file for a shipped suite's name, a suite folder or a suite file."""
    candidate = Path(name_or_path)
    if candidate.is_file():
        return candidate
    if (candidate / SUITE_FILE).is_file():
        return candidate / SUITE_FILE
    shipped = resource_dir("leaderboards") / str(name_or_path) / SUITE_FILE
    if shipped.is_file():
        return shipped
    known = sorted(p.parent.name for p in resource_dir("leaderboards").glob(f"*/{SUITE_FILE}"))
    raise SuiteError(f"no suite {str(name_or_path)!r}: not a suite file or folder, and not a "
                     f"shipped suite ({known})")


def load_suite(name_or_path: str | Path, registry: Registry | None = None) -> Suite:
    """Read and validate a suite (a shipped suite's name, or a path to one)."""
    path = suite_path(name_or_path)
    data = read_yaml_mapping(path, what="suite", error=SuiteError)
    return _parse(path, data, registry or get_registry())


def content_sha256(data: Any) -> str:
    """sha256 of a JSON-able value's canonical JSON (sorted keys): comments and layout of the
    YAML it came from do not change it."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class _Fields:
    """Reads one mapping's fields, raising errors that name the file and the field."""

    def __init__(self, path: Path, where: str, data: Any) -> None:
        self.path, self.where = path, where
        if not isinstance(data, Mapping):
            raise self.error("", f"must be a mapping, got {type(data).__name__}")
        self.data = data

    def error(self, name: str, problem: str) -> SuiteError:
        where = ".".join(p for p in (self.where, name) if p)
        return SuiteError(f"{self.path}: field {where!r}: {problem}")

    def check_keys(self, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> None:
        missing = [k for k in required if k not in self.data]
        if missing:
            raise self.error("", f"missing field(s) {missing}")
        unknown = sorted(set(self.data) - set(required) - set(optional))
        if unknown:
            raise self.error("", f"unknown field(s) {unknown}; known: "
                                 f"{sorted(required + optional)}")

    def text(self, name: str, default: str | None = None) -> str:
        value = self.data.get(name, default)
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"must be a non-empty string, got {value!r}")
        return value

    def choice(self, name: str, allowed: Any) -> str:
        value = self.data.get(name)
        if value not in allowed:
            raise self.error(name, f"{value!r} is not one of {list(allowed)}")
        return value


def _parse(path: Path, data: Mapping[str, Any], registry: Registry) -> Suite:
    top = _Fields(path, "", data)
    top.check_keys(SUITE_FIELDS)
    name = top.text("name")
    if not NAME_PATTERN.match(name):
        raise top.error("name", f"{name!r} is not a valid name (lower-case letters, digits, "
                                "'-', '.', '_')")
    version = data["version"]
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise top.error("version", f"must be a positive integer, got {version!r}")
    stores = _Fields(path, "data", data["data"]).data
    if not isinstance(data["benchmarks"], Mapping) or not data["benchmarks"]:
        raise top.error("benchmarks", "must map benchmark names to their definitions")
    cards: dict[str, DatasetCard] = {}
    benchmarks = {}
    for bench_name, definition in data["benchmarks"].items():
        benchmark = _benchmark(path, str(bench_name), definition, registry, cards)
        if benchmark.dataset not in stores:
            raise top.error("data", f"says nothing about how to build the {benchmark.dataset!r} "
                                    f"store that benchmark {bench_name!r} uses")
        benchmarks[benchmark.name] = benchmark
    return Suite(name=name, version=version, title=top.text("title"),
                 description=top.text("description"),
                 data={str(k): str(v) for k, v in stores.items()}, benchmarks=benchmarks,
                 path=path, sha256=content_sha256(dict(data)), cards=cards)


def _benchmark(path: Path, name: str, definition: Any, registry: Registry,
               cards: dict[str, DatasetCard]) -> Benchmark:
    fields = _Fields(path, f"benchmarks.{name}", definition)
    if not NAME_PATTERN.match(name):
        raise fields.error("", "a benchmark name uses lower-case letters, digits, '-', '.', '_'")
    fields.check_keys(BENCHMARK_FIELDS, BENCHMARK_OPTIONAL)
    protocol = _Fields(path, f"benchmarks.{name}.protocol", definition["protocol"])
    protocol.check_keys(("mode",), ("fraction",))
    mode = protocol.choice("mode", PROTOCOLS)
    fraction = protocol.data.get("fraction", 1.0)
    if isinstance(fraction, bool) or not isinstance(fraction, int | float) \
            or not 0 < fraction <= 1:
        raise protocol.error("fraction", f"must lie in (0, 1], got {fraction!r}")
    options = definition.get("task_options") or {}
    if not isinstance(options, Mapping):
        raise fields.error("task_options", "must be a mapping of task options")
    subgroups = definition.get("subgroups") or []
    if not isinstance(subgroups, list) or not all(isinstance(s, str) for s in subgroups):
        raise fields.error("subgroups", f"must be a list of label names, got {subgroups!r}")
    pinned = definition.get("test_studies_sha256")
    if pinned is not None and not _is_sha256(pinned):
        raise fields.error("test_studies_sha256", "must be a hex sha256 or absent")
    benchmark = Benchmark(
        name=name, dataset=fields.text("dataset"), split_sha256=fields.text("split_sha256"),
        task=fields.text("task"), task_options=dict(options), mode=mode,
        fraction=float(fraction), primary_metric=fields.text("primary_metric"),
        higher_is_better=DIRECTIONS[fields.choice("direction", DIRECTIONS)],
        baseline=fields.text("baseline"), publication=fields.choice("publication",
                                                                     PUBLICATIONS),
        subgroups=tuple(subgroups), description=str(definition.get("description", "")),
        test_studies_sha256=pinned, sha256=content_sha256({"name": name, **definition}))
    card = _card(fields, benchmark.dataset, registry, cards)
    if benchmark.split_sha256 != card.split.sha256:
        raise fields.error("split_sha256", f"{benchmark.split_sha256} is not the split rule of "
                                           f"dataset {benchmark.dataset!r} ({card.split.sha256}, "
                                           f"{card.path}): the card's split changed after the "
                                           "suite was frozen; publish a new suite version")
    try:
        spec = registry.task(benchmark.task)
    except UnknownNameError:
        return replace(benchmark, pending=f"task {benchmark.task!r} is not registered in this "
                                   "installation; the benchmark is checked once it is")
    _check_task(fields, benchmark, spec, card)
    return benchmark


def _card(fields: _Fields, dataset: str, registry: Registry,
          cards: dict[str, DatasetCard]) -> DatasetCard:
    if dataset not in cards:
        try:
            card_file = registry.dataset(dataset).card
        except UnknownNameError as exc:
            raise fields.error("dataset", str(exc)) from None
        if card_file is None:
            raise fields.error("dataset", f"dataset {dataset!r} has no card to take its split "
                                          "rule from")
        try:
            cards[dataset] = load_card(card_file)
        except CardError as exc:
            raise fields.error("dataset", str(exc)) from None
    return cards[dataset]


def _check_task(fields: _Fields, benchmark: Benchmark, spec: TaskSpec,
                card: DatasetCard) -> None:
    """Everything about a benchmark that needs its task."""
    if benchmark.dataset not in spec.datasets and spec.name not in card.tasks:
        raise fields.error("task", f"task {spec.name!r} does not support dataset "
                                   f"{benchmark.dataset!r} (it lists {list(spec.datasets)})")
    if benchmark.mode not in spec.protocols:
        raise fields.error("protocol.mode", f"task {spec.name!r} supports "
                                            f"{list(spec.protocols)}, not {benchmark.mode!r}")
    if benchmark.primary_metric not in spec.metrics:
        raise fields.error("primary_metric", f"{benchmark.primary_metric!r} is not a metric of "
                                             f"task {spec.name!r}: {list(spec.metrics)}")
    expected = metric_direction(benchmark.primary_metric, spec)
    if expected is not None and expected != benchmark.higher_is_better:
        word = "higher" if expected else "lower"
        raise fields.error("direction", f"{benchmark.primary_metric!r} is better {word}; "
                                        f"write direction: {word}")
    try:
        spec.build(card, **benchmark.task_options)
    except (TypeError, TaskError) as exc:
        raise fields.error("task_options", f"task {spec.name!r} refuses them: {exc}") from None


def metric_direction(metric: str, spec: TaskSpec) -> bool | None:
    """Whether ``metric`` is better higher: the task's word for its primary metric, else the
    statistics' table by the metric's last word (``hf_auroc`` ranks as ``auroc``)."""
    if metric == spec.primary_metric:
        return spec.higher_is_better
    for known, higher in HIGHER_IS_BETTER.items():
        if metric == known or metric.endswith(f"_{known}"):
            return higher
    return None


def _is_sha256(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(
        c in "0123456789abcdef" for c in value)
