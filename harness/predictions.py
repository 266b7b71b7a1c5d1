"""The predictions format: the one file a run leaves that leaderboards accept.

``predictions.csv`` holds one row per evaluated study, preceded by a header of ``#`` lines::

    # cmrbench-predictions: 1
    # task: "lvef"
    # dataset: "phantom"
    # split_sha256: "9f2c..."
    # ...                       (any JSON value per key)
    study_id,patient_id,split,truth:lvef,pred:lvef,attention
    0a1b...,77c2...,test,57.3,55.1,"{""study"": {""4CH/0"": 0.21, ""SAX/3"": 0.09, ...}}"

Columns:

- ``study_id``, ``patient_id``, ``split``: the store's pseudonymous IDs and the study's split;
  ``study_id`` is unique.
- ``truth:<target>``: the task's targets (:attr:`cmrbench.task.Task.target_names`), as the run
  read them from the store. A leaderboard replaces them with the store's own labels.
- ``pred:<name>``: the task's predictions (:meth:`cmrbench.task.Task.predictions`), finite.
- ``attention``: JSON ``{branch: {"VIEW/slice": weight}}``, the multi-view head's weight of each
  video of the study per attention branch (each branch sums to 1); empty where a task pools no
  attention.

The header keys every run writes are in :data:`HEADER_KEYS`. Values are JSON so that a header
never needs quoting rules of its own.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from cmrbench.files import atomic_write, sha256_file

FORMAT_KEY = "cmrbench-predictions"
FORMAT_VERSION = 1
ID_COLUMNS = ("study_id", "patient_id", "split")
TRUTH, PRED = "truth:", "pred:"
ATTENTION = "attention"
HEADER_KEYS = ("task", "dataset", "split_sha256", "store_index_sha256", "encoder",
               "initialisation", "mode", "fraction", "seed")
FILE_NAME = "predictions.csv"


class PredictionsError(ValueError):
    """A predictions file that does not follow the format; the message names every problem."""


@dataclass(frozen=True)
class Predictions:
    """A predictions table and its header."""

    table: pd.DataFrame
    header: dict[str, Any]

    def truth(self, name: str) -> np.ndarray:
        return self.table[TRUTH + name].to_numpy(dtype=np.float64)

    def pred(self, name: str) -> np.ndarray:
        return self.table[PRED + name].to_numpy(dtype=np.float64)


def truth_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c.startswith(TRUTH)]


def pred_columns(table: pd.DataFrame) -> list[str]:
    return [c for c in table.columns if c.startswith(PRED)]


def build_table(ids: Mapping[str, list[str]], truth: Mapping[str, np.ndarray],
                pred: Mapping[str, np.ndarray], attention: list[dict[str, Any]] | None = None
                ) -> pd.DataFrame:
    """Assemble the table from ID columns, targets, predictions and per-study attention."""
    columns: dict[str, Any] = {name: list(ids[name]) for name in ID_COLUMNS}
    columns.update({TRUTH + k: np.asarray(v, dtype=np.float64) for k, v in truth.items()})
    columns.update({PRED + k: np.asarray(v, dtype=np.float64) for k, v in pred.items()})
    n = len(columns["study_id"])
    columns[ATTENTION] = [json.dumps(a, sort_keys=True) if a else ""
                          for a in (attention or [None] * n)]
    return pd.DataFrame(columns).sort_values("study_id", kind="stable").reset_index(drop=True)


def problems(table: pd.DataFrame) -> list[str]:
    """Everything wrong with a table's shape and values (empty when it is well formed)."""
    found = [f"missing column {c!r}" for c in ID_COLUMNS if c not in table.columns]
    if not pred_columns(table):
        found.append("no prediction column (named 'pred:<name>')")
    if found:
        return found
    for column in ID_COLUMNS:
        empty = int(table[column].isna().sum() + (table[column].astype(str) == "").sum())
        if empty:
            found.append(f"column {column!r} has {empty} empty value(s)")
    duplicated = sorted(set(table["study_id"][table["study_id"].duplicated()]))
    if duplicated:
        found.append(f"{len(duplicated)} duplicated study_id(s), e.g. {duplicated[:3]}")
    for column in pred_columns(table) + truth_columns(table):
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64)
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            rows = ", ".join(str(table["study_id"].iloc[i]) for i in bad[:3])
            found.append(f"column {column!r} has {bad.size} missing or non-finite value(s) "
                         f"(studies {rows}{', ...' if bad.size > 3 else ''})")
    return found


def write_predictions(path: Path | str, table: pd.DataFrame, header: Mapping[str, Any]) -> str:
    """Validate and write ``table`` with ``header`` atomically; return the file's sha256."""
    found = problems(table)
    if found:
        raise PredictionsError(f"refusing to write {path}: " + "; ".join(found))
    lines = [f"# {FORMAT_KEY}: {FORMAT_VERSION}"]
    lines += [f"# {key}: {json.dumps(_jsonable(value), sort_keys=True)}"
              for key, value in header.items()]
    with atomic_write(path) as partial:
        with open(partial, "w", newline="") as handle:
            handle.write("\n".join(lines) + "\n")
            table.to_csv(handle, index=False)  # shortest exact repr: values read back bit-identical
    return sha256_file(path)


def read_predictions(path: Path | str, *, check: bool = True) -> Predictions:
    """Read and check a predictions file; every problem is named in one error.

    ``check=False`` returns a table whose header is valid but whose rows may break the format
    (for a caller, such as a leaderboard, that lists :func:`problems` with its own findings).
    """
    text = Path(path).read_text()
    header: dict[str, Any] = {}
    body_start = 0
    for line in text.splitlines(keepends=True):
        if not line.startswith("#"):
            break
        body_start += len(line)
        key, sep, value = line[1:].strip().partition(":")
        if not sep:
            raise PredictionsError(f"{path}: header line {line.strip()!r} is not '# key: value'")
        try:
            header[key.strip()] = json.loads(value)
        except json.JSONDecodeError as exc:
            raise PredictionsError(f"{path}: header {key.strip()!r} is not JSON: {exc}") from None
    if header.get(FORMAT_KEY) != FORMAT_VERSION:
        raise PredictionsError(f"{path}: not a cmrbench predictions file (version "
                               f"{FORMAT_VERSION}); its first line must be "
                               f"'# {FORMAT_KEY}: {FORMAT_VERSION}'")
    table = pd.read_csv(io.StringIO(text[body_start:]), dtype={c: str for c in ID_COLUMNS},
                        keep_default_na=False, na_values=[""]).copy()
    # .copy() consolidates the one block per column read_csv leaves: every row selection of a
    # wide table (embeddings; the leaderboards' bootstrap takes thousands) is ~100x faster
    found = problems(table) if check else []
    if found:
        raise PredictionsError(f"{path}: " + "; ".join(found))
    return Predictions(table=table, header=header)


def attention_of(table: pd.DataFrame) -> list[dict[str, dict[str, float]]]:
    """The parsed ``attention`` column: per study, {branch: {"VIEW/slice": weight}}."""
    if ATTENTION not in table.columns:
        return [{} for _ in range(len(table))]
    return [json.loads(cell) if isinstance(cell, str) and cell else {}
            for cell in table[ATTENTION]]


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
