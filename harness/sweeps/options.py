"""Where and how a sweep's jobs run: the executor and its resources, validated at the edge.

The grid file may hold defaults in ``local:`` and ``slurm:`` sections (and ``executor:``, the
default executor); the command line's flags win. Every error names the option.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EXECUTORS = ("local", "slurm")
LOCAL_OPTIONS = ("workers", "gpus", "timeout_min")
SLURM_OPTIONS = ("partition", "account", "qos", "constraint", "nodes", "gpus_per_node",
                 "cpus_per_task", "mem_gb", "timeout_min", "array_parallelism", "setup")
DEFAULT_TIMEOUT_MIN = 24 * 60
TYPES: dict[str, type] = {
    "executor": str, "workers": int, "gpus": int, "partition": str, "account": str, "qos": str,
    "constraint": str, "nodes": int, "gpus_per_node": int, "cpus_per_task": int,
    "mem_gb": float, "timeout_min": int, "array_parallelism": int, "setup": tuple}
KIND_NAMES = {str: "text", int: "whole number", float: "number", tuple: "list of shell lines"}


class OptionsError(ValueError):
    """An executor option that cannot be used; the message names it."""


@dataclass(frozen=True)
class ExecutorOptions:
    """``executor`` runs the jobs: ``local`` (``workers`` jobs at once on this machine, each
    run on one of its ``gpus`` when there are any) or ``slurm`` (one job-array task per run,
    each with ``nodes`` x ``gpus_per_node`` GPUs, one process per GPU, Lightning's DDP)."""

    executor: str = "local"
    workers: int = 1
    gpus: int = 0
    partition: str | None = None
    account: str | None = None
    qos: str | None = None
    constraint: str | None = None
    nodes: int = 1
    gpus_per_node: int = 0
    cpus_per_task: int | None = None
    mem_gb: float | None = None
    timeout_min: int = DEFAULT_TIMEOUT_MIN
    array_parallelism: int | None = None
    setup: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            raise OptionsError(f"executor: {self.executor!r} is not one of {list(EXECUTORS)}")
        for name in ("workers", "nodes", "timeout_min"):
            if getattr(self, name) < 1:
                raise OptionsError(f"{name}: must be at least 1, got {getattr(self, name)}")
        for name in ("gpus", "gpus_per_node"):
            if getattr(self, name) < 0:
                raise OptionsError(f"{name}: must be 0 or more, got {getattr(self, name)}")
        for name in ("cpus_per_task", "mem_gb", "array_parallelism"):
            value = getattr(self, name)
            if value is not None and value <= 0:
                raise OptionsError(f"{name}: must be positive, got {value}")
        if self.nodes > 1 and self.gpus_per_node < 1:
            raise OptionsError(f"nodes: {self.nodes} nodes need gpus_per_node >= 1 (one DDP "
                               "process per GPU)")

    def run_fields(self) -> dict[str, Any]:
        """The RunConfig fields this placement decides (empty: the runs' own settings)."""
        if self.executor == "slurm" and self.gpus_per_node:
            world = self.gpus_per_node * self.nodes
            return {"accelerator": "gpu", "devices": str(self.gpus_per_node),
                    "num_nodes": self.nodes, "strategy": "ddp" if world > 1 else "auto"}
        if self.executor == "local" and self.gpus:
            return {"accelerator": "gpu", "devices": "1"}
        return {}


def merge_options(file_sections: Mapping[str, Any], flags: Mapping[str, Any],
                  where: str) -> ExecutorOptions:
    """Options from the grid file's ``executor``/``local``/``slurm`` keys, then the flags
    (those not None win). ``where`` names the file in errors."""
    values: dict[str, Any] = {}
    if file_sections.get("executor") is not None:
        values["executor"] = file_sections["executor"]
    for section, allowed in (("local", LOCAL_OPTIONS), ("slurm", SLURM_OPTIONS)):
        given = file_sections.get(section) or {}
        if not isinstance(given, Mapping):
            raise OptionsError(f"{where}: {section}: expected a mapping of options "
                               f"({', '.join(allowed)})")
        for key, value in given.items():
            name = str(key).replace("-", "_")
            if name not in allowed:
                raise OptionsError(f"{where}: {section}.{key}: unknown option; {section} takes "
                                   f"{', '.join(allowed)}")
            values[name] = value
    values.update({k: v for k, v in flags.items() if v is not None})
    return _build(values, where)


def _build(values: dict[str, Any], where: str) -> ExecutorOptions:
    converted = {}
    for name, value in values.items():
        kind = TYPES[name]
        try:
            converted[name] = _convert(value, kind)
        except (TypeError, ValueError):
            raise OptionsError(f"{where}: {name}: {value!r} is not a valid "
                               f"{KIND_NAMES[kind]}") from None
    try:
        return ExecutorOptions(**converted)
    except OptionsError as exc:
        raise OptionsError(f"{where}: {exc}") from None


def _convert(value: Any, kind: type) -> Any:
    if kind is tuple:
        items = [value] if isinstance(value, str) else list(value)
        if not all(isinstance(item, str) for item in items):
            raise TypeError(value)
        return tuple(items)
    if value is None or isinstance(value, bool):
        raise TypeError(value)
    if kind is str:
        if not isinstance(value, str | int):
            raise TypeError(value)
        return str(value)
    if not isinstance(value, int | float):
        raise TypeError(value)
    if kind is int and not float(value).is_integer():
        raise ValueError(value)
    return kind(value)
