"""A run grid -> its runs: each a resolved RunConfig whose directory is OUT/runs/<hash>.

Every combination is validated before anything is submitted: its fields (RunConfig), its
plugins, task, mode and store (the runner's own planning, once per encoder x dataset x task
x mode) and its weights (a tag must be in the cache). The hash is of the resolved
configuration (every default filled in) without ``out``, so the same run always gets the
same directory, and a changed field a new one.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmrbench.registry import Registry, UnknownNameError, get_registry
from cmrbench.sweeps.grid import GridError, RunGrid, absolute
from cmrbench.sweeps.manifest import config_hash
from cmrbench.tags import tag_for
from cmrbench.task import TaskError
from cmrbench.training.config import ConfigError, RunConfig
from cmrbench.training.runner import RunError, plan_run
from cmrbench.weights import WeightsError, resolve_weights

RUNS_DIR = "runs"


@dataclass(frozen=True)
class PlannedRun:
    """One run of a sweep: its ID (the config hash), resolved config and grid values."""

    run_id: str
    config: RunConfig
    axes: dict[str, Any]


def expand(grid: RunGrid, placement: dict[str, Any] | None = None,
           registry: Registry | None = None) -> list[PlannedRun]:
    """Every run of ``grid``, in file order, duplicates removed. ``placement`` holds the
    RunConfig fields the executor decides (accelerator, devices, nodes, strategy)."""
    registry = registry or get_registry()
    placement = placement or {}
    defaults: dict[str, Any] = {}
    runs: dict[str, PlannedRun] = {}
    for axes in combinations(grid):
        config = _config(grid, axes, placement, registry)
        config = _resolve(config, axes, registry, defaults, grid.path)
        run_id = config_hash(config.as_dict())
        out = grid.out / RUNS_DIR / run_id
        runs.setdefault(run_id, PlannedRun(run_id, dataclasses.replace(config, out=out), axes))
    _check_weights(list(runs.values()), registry, grid.path)
    return list(runs.values())


def combinations(grid: RunGrid) -> Iterator[dict[str, Any]]:
    """The grid values of every run: the product of each block's axes, block after block."""
    for block in grid.blocks:
        for values in itertools.product(*block.values()):
            yield dict(zip(block, values, strict=True))


def describe(axes: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in axes.items())


def _config(grid: RunGrid, axes: dict[str, Any], placement: dict[str, Any],
            registry: Registry) -> RunConfig:
    for name, value in placement.items():
        given = axes.get(name, grid.fixed.get(name, value))
        if str(given) != str(value):
            raise GridError(f"{grid.path}: {name}: {given!r} conflicts with the executor's "
                            f"placement ({name}={value!r}, from the GPU and node options); "
                            "remove it from the grid")
    values = {**grid.fixed, **axes, **placement, "out": "."}
    for name in _path_fields():
        if isinstance(values.get(name), str | Path):
            values[name] = absolute(grid.path, values[name])
    try:
        config = RunConfig.from_mapping(values)
    except ConfigError as exc:
        raise GridError(f"{grid.path}: run {describe(axes)}: {exc}") from None
    return _weights_path(config, grid, axes, registry)


def _path_fields() -> list[str]:
    hints = typing.get_type_hints(RunConfig)
    return [name for name, hint in hints.items()
            if name != "out" and Path in (typing.get_args(hint) or (hint,))]


def _weights_path(config: RunConfig, grid: RunGrid, axes: dict[str, Any],
                  registry: Registry) -> RunConfig:
    """A weights value that is not a tag of the encoder is a file, relative to the grid."""
    if config.weights is None:
        return config
    try:
        spec = registry.encoder(config.encoder)
    except UnknownNameError as exc:
        raise GridError(f"{grid.path}: run {describe(axes)}: {exc}") from None
    if tag_for(spec, config.weights) is not None:
        return config
    return dataclasses.replace(config, weights=str(absolute(grid.path, config.weights)))


def _resolve(config: RunConfig, axes: dict[str, Any], registry: Registry,
             defaults: dict[str, Any], where: Path) -> RunConfig:
    """The config with the task's defaults filled in; the runner plans (and so checks) each
    encoder x dataset x store x task x options x mode once."""
    key = json.dumps([config.encoder, config.dataset, str(config.store), str(config.card),
                      config.task, config.task_options, config.mode], sort_keys=True,
                     default=str)
    if key not in defaults:
        try:
            defaults[key] = plan_run(config, registry).task.defaults
        except (RunError, TaskError, UnknownNameError, FileNotFoundError, ValueError) as exc:
            raise GridError(f"{where}: run {describe(axes)}: {exc}") from None
    return config.resolve(defaults[key])


def _check_weights(runs: list[PlannedRun], registry: Registry, where: Path) -> None:
    checked = set()
    for run in runs:
        pair = (run.config.encoder, run.config.weights)
        if run.config.weights is None or pair in checked:
            continue
        checked.add(pair)
        try:
            resolve_weights(registry.encoder(run.config.encoder), run.config.weights)
        except WeightsError as exc:
            raise GridError(f"{where}: run {describe(run.axes)}: {exc}") from None
