"""A board: a folder of entries (JSON) and, for public benchmarks, their scored predictions.

    BOARD/<benchmark>--<slug>.json              one entry: a name on a benchmark, one run per seed
    BOARD/<benchmark>--<slug>--seed<S>.csv      a run's scored predictions (per-study benchmarks)
    BOARD/<benchmark>.studies.csv               the benchmark's test studies as the board scores
                                                them: IDs, truth, subgroup labels (per-study only)

``<slug>`` is the entry's name made safe for a file name plus a hash of the name, so any name
(quotes, markup, non-ASCII) maps to one file and never leaves the board's folder.
An entry states::

    {"format": "cmrbench-entry", "version": 1, "name": ..., "publication": "per-study",
     "suite": {"name", "version", "sha256"}, "benchmark": {"name", "sha256"},
     "accepted": {"harness_version", "date"},
     "runs": [{"seed", "submitted": {"file", "sha256", "rows"},
               "predictions": {"file", "sha256"} | null,      # null: aggregate publication
               "metrics", "details", "subgroups", "matches_result_json",
               "header", "provenance", "cost", "config"}]}
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from cmrbench.files import atomic_write

ENTRY_FORMAT = "cmrbench-entry"
ENTRY_VERSION = 1
SEPARATOR = "--"
STUDIES_SUFFIX = ".studies.csv"


def slug(name: str) -> str:
    """A file-name-safe, collision-free form of an entry name."""
    readable = re.sub(r"[^a-z0-9_]+", "-", name.lower())[:40].strip("-") or "entry"
    return f"{readable}-{hashlib.sha256(name.encode()).hexdigest()[:8]}"


def plain_json(value: Any) -> Any:
    """``value`` as strict JSON holds it: numpy scalars as numbers, tuples as lists, and
    non-finite numbers as null (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): plain_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [plain_json(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


@dataclass(frozen=True)
class Board:
    """The folder of one suite's entries."""

    root: Path

    def stem(self, benchmark: str, name: str) -> str:
        return f"{benchmark}{SEPARATOR}{slug(name)}"

    def entry_path(self, benchmark: str, name: str) -> Path:
        return self.root / f"{self.stem(benchmark, name)}.json"

    def predictions_name(self, benchmark: str, name: str, seed: int) -> str:
        return f"{self.stem(benchmark, name)}{SEPARATOR}seed{seed}.csv"

    def studies_path(self, benchmark: str) -> Path:
        return self.root / f"{benchmark}{STUDIES_SUFFIX}"

    def entry_files(self) -> list[Path]:
        return sorted(self.root.glob("*.json")) if self.root.is_dir() else []

    def write_entry(self, path: Path, entry: dict[str, Any]) -> None:
        with atomic_write(path) as partial:
            partial.write_text(json.dumps(plain_json(entry), indent=1, ensure_ascii=False,
                                          allow_nan=False) + "\n")

    def read_studies(self, benchmark: str) -> pd.DataFrame | None:
        path = self.studies_path(benchmark)
        if not path.exists():
            return None
        return pd.read_csv(path, dtype=str, keep_default_na=False)

    def write_studies(self, benchmark: str, table: pd.DataFrame) -> None:
        with atomic_write(self.studies_path(benchmark)) as partial:
            table.to_csv(partial, index=False)


def read_entry(path: Path) -> dict[str, Any]:
    """An entry's JSON; a ValueError naming the file when it is not one."""
    try:
        entry = json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not a readable entry: {exc}") from None
    if not isinstance(entry, dict) or entry.get("format") != ENTRY_FORMAT:
        raise ValueError(f"{path}: not a cmrbench entry (format {ENTRY_FORMAT!r})")
    if entry.get("version") != ENTRY_VERSION:
        raise ValueError(f"{path}: entry version {entry.get('version')!r}; this cmrbench reads "
                         f"version {ENTRY_VERSION}")
    runs = entry.get("runs")
    if not isinstance(entry.get("name"), str) or not isinstance(runs, list) or not runs \
            or not all(isinstance(r, dict) for r in runs):
        raise ValueError(f"{path}: an entry needs a name and a non-empty list of runs")
    return entry
