"""What a user hands the leaderboard: a run directory or a bare predictions file.

A run directory (``cmrbench run --out RUN_DIR``) adds the run's result record (metrics,
provenance, cost) and its resolved configuration; a bare predictions file carries only its
header. Either way the predictions are read without trusting them: rows that break the format
are kept so that every problem can be listed at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from cmrbench.files import sha256_file
from cmrbench.predictions import FILE_NAME, Predictions, PredictionsError, read_predictions

# The run directory's files (cmrbench.training.rundir), named here because importing
# cmrbench.training loads Lightning, which reading a run directory does not need.
RESULT_FILE, CONFIG_FILE = "result.json", "config.yaml"


class SourceError(ValueError):
    """A path that is neither a run directory nor a predictions file; the message says which."""


@dataclass(frozen=True)
class Source:
    """Predictions to score, with what the run said about them (when it said anything)."""

    path: Path
    predictions: Predictions
    sha256: str
    result: dict[str, Any] | None = None
    config: dict[str, Any] | None = None

    @property
    def header(self) -> dict[str, Any]:
        return self.predictions.header

    @property
    def seed(self) -> int:
        """The run's seed (header, else config), 0 when neither says."""
        seed = self.header.get("seed", (self.config or {}).get("seed", 0))
        return int(seed) if isinstance(seed, int | float) else 0


def read_source(path: Path | str) -> Source:
    """Read a run directory or a predictions file (format problems in rows are kept)."""
    path = Path(path)
    if path.is_dir():
        return _run_directory(path)
    if not path.is_file():
        raise SourceError(f"{path} does not exist; pass a run directory (cmrbench run --out) "
                          "or its predictions.csv")
    return Source(path=path, predictions=_read(path), sha256=sha256_file(path))


def _run_directory(path: Path) -> Source:
    predictions, result = path / FILE_NAME, path / RESULT_FILE
    if not predictions.is_file() or not result.is_file():
        raise SourceError(f"{path} is not a finished run directory: it lacks {FILE_NAME} or "
                          f"{RESULT_FILE} (finish the run, or pass a predictions file)")
    try:
        record = json.loads(result.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise SourceError(f"{result}: not a readable result record: {exc}") from None
    config = record.get("config")
    if config is None and (path / CONFIG_FILE).is_file():
        config = yaml.safe_load((path / CONFIG_FILE).read_text())
    return Source(path=predictions, predictions=_read(predictions),
                  sha256=sha256_file(predictions), result=record, config=config)


def _read(path: Path) -> Predictions:
    try:
        return read_predictions(path, check=False)
    except (PredictionsError, ValueError, OSError) as exc:
        raise SourceError(str(exc)) from None
