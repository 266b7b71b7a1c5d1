"""A sweep file (YAML), validated at the edge: a grid of benchmark runs, or one dataset's
ingest split into shards. Errors name the file and the field.

    out: sweeps/lvef                  # the sweep's folder: runs/, jobs/, results.csv
    grid:                             # RunConfig field -> values; every combination runs
      encoder: [r3d-18-tiny]
      weights: [null]                 # null: the encoder's seeded random initialisation
      task: [lvef]
      mode: [linear]
      fraction: [1.0, 0.5]
      seed: [0, 1, 2]
    fixed: {dataset: phantom, store: store/, max_steps: 20}   # the same for every run
    executor: local                   # default executor; --executor wins
    local: {workers: 2}
    slurm: {partition: gpu, gpus_per_node: 1, mem_gb: 32, timeout_min: 600}

``grid`` may also be a list of such mappings (their runs are joined), for combinations that
are not a full product. ``kind: ingest`` instead describes ``dataset``, ``source``, ``store``
and ``shards``, and optionally ``workers``, ``card``, ``series_map`` and ``cleaner`` (see
:class:`IngestGrid`). Relative paths are relative to the sweep file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmrbench.files import read_yaml_mapping

KINDS = ("runs", "ingest")
EXECUTOR_KEYS = ("executor", "local", "slurm")
RUN_KEYS = ("kind", "out", "grid", "fixed", *EXECUTOR_KEYS)
INGEST_KEYS = ("kind", "out", "dataset", "source", "store", "shards", "workers", "card",
               "series_map", "cleaner", *EXECUTOR_KEYS)
SET_BY_SWEEP = ("out",)


class GridError(ValueError):
    """A sweep file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class RunGrid:
    """Blocks of axes (field -> values, in file order), fixed fields, executor sections."""

    path: Path
    out: Path
    blocks: tuple[dict[str, tuple[Any, ...]], ...]
    fixed: dict[str, Any]
    executor: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IngestGrid:
    """``cmrbench ingest DATASET SOURCE --out STORE --shard I/SHARDS`` for every I."""

    path: Path
    out: Path
    dataset: str
    source: Path
    store: Path
    shards: int
    workers: int = 1
    card: Path | None = None
    series_map: Path | None = None
    cleaner: str | None = None
    executor: dict[str, Any] = field(default_factory=dict)

    def argv(self, index: int) -> list[str]:
        """The ingest command line of shard ``index``."""
        argv = ["ingest", self.dataset, str(self.source), "--out", str(self.store),
                "--shard", f"{index}/{self.shards}", "--workers", str(self.workers),
                "--no-progress"]
        for flag, value in (("--card", self.card), ("--series-map", self.series_map),
                            ("--cleaner", self.cleaner)):
            if value is not None:
                argv += [flag, str(value)]
        return argv


def load_grid(path: Path | str) -> RunGrid | IngestGrid:
    """Read and validate a sweep file."""
    path = Path(path).resolve()
    data = read_yaml_mapping(path, what="sweep file", error=GridError,
                             fields="fields (out, grid, fixed, ...)")
    data = {str(k).replace("-", "_"): v for k, v in data.items()}
    kind = data.get("kind", "runs")
    if kind not in KINDS:
        raise GridError(f"{path}: kind: {kind!r} is not one of {list(KINDS)}")
    allowed = RUN_KEYS if kind == "runs" else INGEST_KEYS
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise GridError(f"{path}: unknown key(s) {unknown}; a {kind} sweep takes "
                        f"{', '.join(allowed)}")
    executor = {key: data[key] for key in EXECUTOR_KEYS if key in data}
    out = _path(path, data, "out", required=True)
    if kind == "ingest":
        return _ingest_grid(path, data, out, executor)
    return RunGrid(path, out, _blocks(path, data.get("grid")), _fixed(path, data.get("fixed")),
                   executor)


def _blocks(path: Path, grid: Any) -> tuple[dict[str, tuple[Any, ...]], ...]:
    if grid is None:
        raise GridError(f"{path}: grid: missing; give RunConfig fields and their values, e.g. "
                        "grid: {encoder: [r3d-18-tiny], fraction: [1.0, 0.5]}")
    blocks = grid if isinstance(grid, list) else [grid]
    if not blocks:
        raise GridError(f"{path}: grid: an empty list holds no run")
    return tuple(_block(path, block, f"grid[{i}]" if isinstance(grid, list) else "grid")
                 for i, block in enumerate(blocks))


def _block(path: Path, block: Any, where: str) -> dict[str, tuple[Any, ...]]:
    if not isinstance(block, Mapping) or not block:
        raise GridError(f"{path}: {where}: expected a mapping of RunConfig field -> list of "
                        "values")
    axes = {}
    for key, values in block.items():
        name = _field(path, key, where)
        if not isinstance(values, list) or not values:
            raise GridError(f"{path}: {where}.{key}: expected a non-empty list of values, got "
                            f"{values!r} (a single value belongs in fixed:)")
        axes[name] = tuple(values)
    return axes


def _fixed(path: Path, fixed: Any) -> dict[str, Any]:
    if fixed is None:
        return {}
    if not isinstance(fixed, Mapping):
        raise GridError(f"{path}: fixed: expected a mapping of RunConfig field -> value")
    return {_field(path, key, "fixed"): value for key, value in fixed.items()}


def _field(path: Path, key: Any, where: str) -> str:
    from cmrbench.training.config import RunConfig

    name = str(key).replace("-", "_")
    known = set(RunConfig.__dataclass_fields__) - set(SET_BY_SWEEP)
    if name in SET_BY_SWEEP:
        raise GridError(f"{path}: {where}.{key}: set by the sweep (each run's directory is "
                        "OUT/runs/<hash of its config>); remove it")
    if name not in known:
        raise GridError(f"{path}: {where}.{key}: not a RunConfig field; known fields: "
                        f"{sorted(known)}")
    return name


def _ingest_grid(path: Path, data: dict[str, Any], out: Path,
                 executor: dict[str, Any]) -> IngestGrid:
    for key in ("dataset", "shards"):
        if data.get(key) is None:
            raise GridError(f"{path}: {key}: missing (an ingest sweep needs dataset, source, "
                            "store and shards)")
    for key in ("dataset", "cleaner"):
        if key in data and not isinstance(data[key], str):
            raise GridError(f"{path}: {key}: expected a plugin name, got {data[key]!r}")
    counts = {key: data.get(key, 1) for key in ("shards", "workers")}
    for key, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise GridError(f"{path}: {key}: expected a whole number >= 1, got {value!r}")
    return IngestGrid(path, out, data["dataset"], _path(path, data, "source", required=True),
                      _path(path, data, "store", required=True), counts["shards"],
                      counts["workers"], _path(path, data, "card"),
                      _path(path, data, "series_map"), data.get("cleaner"), executor)


def _path(path: Path, data: Mapping[str, Any], key: str, required: bool = False) -> Any:
    value = data.get(key)
    if value is None:
        if required:
            raise GridError(f"{path}: {key}: missing")
        return None
    if not isinstance(value, str):
        raise GridError(f"{path}: {key}: expected a path, got {value!r}")
    return (path.parent / value).resolve()


def absolute(grid_path: Path, value: str | Path) -> Path:
    """A path of the sweep file, relative to the file's folder."""
    return (Path(grid_path).parent / value).resolve()
