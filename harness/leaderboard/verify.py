"""Re-score every entry of a board and say which ones hold.

An entry is *verified* when every run's predictions file is the one it names (sha256), holds
the benchmark's test studies with the board's truth, and gives back every stored number
(metrics, details, subgroups) when scored again. An entry of a restricted (aggregate)
benchmark has no predictions on the board: it is *aggregate* unless its data holder re-scores
it here (``private`` predictions, found by their sha256, and the store). Anything else is
*flagged*, with every reason, and never ranked as if valid.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from cmrbench.files import sha256_file
from cmrbench.leaderboard.entries import Board, read_entry
from cmrbench.leaderboard.errors import LeaderboardError
from cmrbench.leaderboard.reference import Reference, read_reference
from cmrbench.leaderboard.rescore import min_cell, score, scored_table, truth_differs
from cmrbench.leaderboard.resolved import Resolved, resolve
from cmrbench.leaderboard.run_figures import problems as figure_problems
from cmrbench.leaderboard.sources import read_source
from cmrbench.leaderboard.submit import SUBGROUP
from cmrbench.leaderboard.validate import submission_problems
from cmrbench.predictions import PredictionsError, read_predictions
from cmrbench.registry import Registry
from cmrbench.suites import Suite

VERIFIED, FLAGGED, AGGREGATE = "verified", "flagged", "aggregate"
REL_TOL, ABS_TOL = 1e-9, 1e-12


@dataclass
class Checked:
    """One entry after re-scoring: its status, why, and the data a ranking needs."""

    path: Path
    name: str
    benchmark: str | None
    entry: dict[str, Any] | None
    status: str = VERIFIED
    reasons: list[str] = field(default_factory=list)
    tables: list[pd.DataFrame] = field(default_factory=list)

    @property
    def runs(self) -> list[dict[str, Any]]:
        return list((self.entry or {}).get("runs") or [])

    def flag(self, reason: str) -> None:
        self.status = FLAGGED
        self.reasons.append(reason)


def verify_board(suite: Suite, board: Path | None = None, *,
                 stores: Mapping[str, Path] | None = None, private: Path | None = None,
                 registry: Registry | None = None) -> list[Checked]:
    """Every entry of ``board`` (default: the suite's own) re-scored and checked.

    ``stores`` maps dataset names to study stores: public truth is then checked against the
    store too, and restricted entries can be re-scored from ``private`` predictions files.
    """
    target = Board(Path(board) if board is not None else suite.board)
    resolved: dict[str, Resolved] = {}
    checked = []
    for path in target.entry_files():
        item = Checked(path=path, name=path.stem, benchmark=None, entry=None)
        try:
            _check_entry(item, suite, target, resolved, dict(stores or {}), private, registry)
        except (LeaderboardError, PredictionsError, ValueError, KeyError, OSError) as exc:
            item.flag(str(exc))
        except (TypeError, AttributeError) as exc:  # a field of the wrong kind
            item.flag(f"{path.name}: malformed entry ({exc})")
        checked.append(item)
    return checked


def _check_entry(item: Checked, suite: Suite, board: Board, resolved: dict[str, Resolved],
                 stores: dict[str, Path], private: Path | None,
                 registry: Registry | None) -> None:
    entry = item.entry = read_entry(item.path)
    item.name = entry["name"]
    for run in entry["runs"]:
        _check_shape(run)
        for problem in figure_problems(run, board.root):
            item.flag(problem)
    benchmark = str((entry.get("benchmark") or {}).get("name"))
    if benchmark not in suite.benchmarks:
        item.flag(f"benchmark {benchmark!r} is not in suite {suite.name!r}")
        return
    item.benchmark = benchmark
    definition = suite.benchmarks[benchmark]
    if item.path.name != board.entry_path(benchmark, item.name).name:
        item.flag(f"file {item.path.name} is not where entry {item.name!r} belongs "
                  f"({board.entry_path(benchmark, item.name).name})")
    if (entry.get("suite") or {}).get("name") != suite.name:
        item.flag(f"accepted for suite {entry.get('suite')!r}, not {suite.name!r}")
    if entry["benchmark"].get("sha256") != definition.sha256:
        item.flag(f"accepted under another definition of {benchmark!r} (suite version "
                  f"{(entry.get('suite') or {}).get('version')!r}; now version "
                  f"{suite.version}): submit it again")
    if benchmark not in resolved:
        resolved[benchmark] = resolve(suite, benchmark, registry)
    context = resolved[benchmark]
    reference = (read_reference(context, stores[definition.dataset])
                 if definition.dataset in stores else None)
    if definition.public:
        _check_public(item, context, board, reference)
    else:
        _check_restricted(item, context, board, reference, private)


def _check_shape(run: dict[str, Any]) -> None:
    """What ranking and rendering read from a run, of the kind they read it as (an entry
    that is not re-scored here is shown from these fields)."""
    metrics = run.get("metrics")
    if not isinstance(metrics, dict) or not all(
            isinstance(m, dict) and (m.get("value") is None
                                     or isinstance(m.get("value"), int | float))
            for m in metrics.values()):
        raise ValueError("malformed entry: 'metrics' must map names to {value, lower, ...}")
    if not isinstance(run.get("figures") or [], list):
        raise ValueError("malformed entry: 'figures' must be a list")
    for key in ("cost", "config", "subgroups", "submitted", "predictions"):
        if run.get(key) is not None and not isinstance(run[key], dict):
            raise ValueError(f"malformed entry: {key!r} must be a mapping or null")


def _check_public(item: Checked, context: Resolved, board: Board,
                  reference: Reference | None) -> None:
    bench = context.benchmark.name
    studies = board.read_studies(bench)
    if studies is None:
        item.flag(f"the board has no {board.studies_path(bench).name} to score against")
        return
    truth = studies[[c for c in studies.columns if not c.startswith(SUBGROUP)]]
    subgroups = studies[["study_id", *[c for c in studies.columns if c.startswith(SUBGROUP)]]]
    subgroups = subgroups.rename(columns=lambda c: c.removeprefix(SUBGROUP))
    if reference is not None and (list(reference.table["study_id"]) != list(truth["study_id"])
                                  or truth_differs(reference.table, truth)):
        item.flag(f"the board's test studies or truth for {bench!r} differ from the store's")
    for run in item.runs:
        published = run.get("predictions") or {}
        file = str(published.get("file", ""))
        if not file or Path(file).name != file or not (board.root / file).is_file():
            item.flag(f"seed {run.get('seed')}: its predictions file {file!r} is not on the board")
            continue
        if sha256_file(board.root / file) != published.get("sha256"):
            item.flag(f"seed {run.get('seed')}: {file} changed since it was accepted (sha256)")
            continue
        table = read_predictions(board.root / file).table
        if list(table["study_id"]) != list(truth["study_id"]) or truth_differs(table, truth) \
                or list(table["patient_id"]) != list(truth["patient_id"]):
            item.flag(f"seed {run.get('seed')}: {file} does not hold the board's test studies "
                      "and truth")
            continue
        _compare_scores(item, run, context, table, subgroups)


def _check_restricted(item: Checked, context: Resolved, board: Board,
                      reference: Reference | None, private: Path | None) -> None:
    stem = board.stem(context.benchmark.name, item.name)
    leaked = sorted(p.name for p in board.root.glob(f"{stem}*.csv"))
    if leaked or any(run.get("predictions") for run in item.runs):
        item.flag(f"benchmark {context.benchmark.name!r} publishes aggregates only, but the "
                  f"board holds per-study predictions of this entry {leaked}: remove them")
    by_sha = _private_files(private)
    rescored = 0
    for run in item.runs:
        digest = (run.get("submitted") or {}).get("sha256")
        if reference is None or digest not in by_sha:
            continue
        source = read_source(by_sha[digest])
        found = submission_problems(source, context, reference)
        if found:
            item.flag(f"seed {run.get('seed')}: the data holder's predictions fail: {found}")
            continue
        table = scored_table(source.predictions.table, reference.table)
        _compare_scores(item, run, context, table, reference.subgroups)
        rescored += 1
    if item.status != FLAGGED and rescored < len(item.runs):
        item.status = AGGREGATE
        item.tables.clear()


def _private_files(private: Path | None) -> dict[str, Path]:
    if private is None:
        return {}
    return {sha256_file(p): p for p in sorted(Path(private).rglob("*.csv"))}


def _compare_scores(item: Checked, run: dict[str, Any], context: Resolved, table: pd.DataFrame,
                    subgroups: pd.DataFrame) -> None:
    scores = score(context.task, table, context.benchmark.primary_metric, subgroups,
                   min_cell=min_cell(context.benchmark.public)).as_dict()
    stored = {key: run.get(key) for key in scores}
    different = differences(stored, scores)
    if different:
        item.flag(f"seed {run.get('seed')}: stored numbers differ from the re-scored ones: "
                  f"{different[:5]}{' ...' if len(different) > 5 else ''}")
        return
    item.tables.append(table)


def differences(stored: Any, recomputed: Any, where: str = "") -> list[str]:
    """Paths at which two JSON values differ (numbers within a relative 1e-9)."""
    if isinstance(recomputed, dict):
        if not isinstance(stored, dict):
            return [where or "."]
        keys = sorted(set(stored) | set(recomputed))
        return [d for k in keys for d in differences(stored.get(k), recomputed.get(k),
                                                     f"{where}.{k}" if where else str(k))]
    if isinstance(recomputed, list):
        if not isinstance(stored, list) or len(stored) != len(recomputed):
            return [where]
        return [d for i, (s, r) in enumerate(zip(stored, recomputed, strict=True))
                for d in differences(s, r, f"{where}[{i}]")]
    if isinstance(recomputed, bool) or isinstance(stored, bool):
        return [] if stored is recomputed else [where]
    if isinstance(recomputed, int | float) and isinstance(stored, int | float):
        return [] if math.isclose(stored, recomputed, rel_tol=REL_TOL, abs_tol=ABS_TOL) \
            else [where]
    return [] if stored == recomputed else [where]
