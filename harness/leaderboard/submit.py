"""Accept runs onto a board: validate, re-score with the store's labels, write one entry.

One submission is one name on one benchmark, with one or more runs (seeds). Every problem of
every run is listed before anything is written; an accepted entry is written last, atomically,
after the scored predictions it names (public benchmarks) so that a board never points at a
missing file. Restricted benchmarks keep only aggregates and the predictions' sha256.
"""

from __future__ import annotations

import datetime
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from cmrbench import __version__
from cmrbench.leaderboard.entries import ENTRY_FORMAT, ENTRY_VERSION, Board
from cmrbench.leaderboard.errors import LeaderboardError, SubmissionRejected
from cmrbench.leaderboard.reference import Reference, read_reference
from cmrbench.leaderboard.rescore import Scores, min_cell, score, scored_table
from cmrbench.leaderboard.resolved import Resolved, resolve
from cmrbench.leaderboard.run_figures import carry
from cmrbench.leaderboard.sources import Source, read_source
from cmrbench.leaderboard.validate import submission_problems
from cmrbench.predictions import read_predictions, write_predictions
from cmrbench.registry import Registry
from cmrbench.suites import Suite

SUBGROUP = "subgroup:"


@dataclass(frozen=True)
class Accepted:
    """An accepted entry: where it was written and what it states."""

    path: Path
    entry: dict[str, Any]


@dataclass(frozen=True)
class Prepared:
    """A submission that passed validation: what :func:`accept` writes."""

    suite: Suite
    name: str
    resolved: Resolved
    board: Board
    entry_path: Path
    checked: list[tuple[Source, Reference, list[str]]]


def submit(paths: Sequence[Path | str], suite: Suite, benchmark: str, name: str, *,
           store: Path | None = None, board: Path | None = None,
           registry: Registry | None = None) -> Accepted:
    """Validate the runs at ``paths`` (run directories or predictions files, one per seed) for
    ``benchmark`` and write them to the board as the entry ``name``."""
    return accept(prepare(paths, suite, benchmark, name, store=store, board=board,
                          registry=registry))


def prepare(paths: Sequence[Path | str], suite: Suite, benchmark: str, name: str, *,
            store: Path | None = None, board: Path | None = None,
            registry: Registry | None = None) -> Prepared:
    """Every check of :func:`submit`, writing nothing; raises SubmissionRejected listing every
    problem (LeaderboardError for a name already taken or a benchmark that takes no entry)."""
    if not name.strip():
        raise LeaderboardError("--name: an entry needs a non-empty name")
    resolved = resolve(suite, benchmark, registry)
    target = Board(Path(board) if board is not None else suite.board)
    entry_path = target.entry_path(benchmark, name)
    if entry_path.exists():
        raise LeaderboardError(f"an entry named {name!r} is already on benchmark {benchmark!r} "
                               f"({entry_path}); choose another name, or remove that entry to "
                               "replace it")
    checked = [_check(path, resolved, store) for path in paths]
    problems = [f"{source.path}: {p}" for source, _, found in checked for p in found]
    problems += _seed_problems([source for source, _, _ in checked])
    if resolved.benchmark.public and not problems:
        problems += _board_problems(target, resolved, checked[0][1])
    if problems:
        raise SubmissionRejected(f"submission {name!r} to {suite.name}/{benchmark}", problems)
    return Prepared(suite, name, resolved, target, entry_path, checked)


def accept(prepared: Prepared) -> Accepted:
    """Write a validated submission: its scored predictions (public benchmarks), then the
    entry."""
    resolved, target, name = prepared.resolved, prepared.board, prepared.name
    benchmark = resolved.benchmark.name
    runs = [_run(target, resolved, name, source, reference)
            for source, reference, _ in prepared.checked]
    if resolved.benchmark.public:
        target.write_studies(benchmark, _studies_table(prepared.checked[0][1]))
    entry = {"format": ENTRY_FORMAT, "version": ENTRY_VERSION, "name": name,
             "publication": resolved.benchmark.publication,
             "suite": prepared.suite.identity(),
             "benchmark": {"name": benchmark, "sha256": resolved.benchmark.sha256},
             "accepted": {"harness_version": __version__,
                          "date": datetime.datetime.now(datetime.UTC).isoformat(
                              timespec="seconds")},
             "runs": runs}
    target.write_entry(prepared.entry_path, entry)
    return Accepted(prepared.entry_path, entry)


def _check(path: Path | str, resolved: Resolved, store: Path | None
           ) -> tuple[Source, Reference, list[str]]:
    source = read_source(path)
    store_dir = store if store is not None else _run_store(source)
    reference = read_reference(resolved, store_dir)
    return source, reference, submission_problems(source, resolved, reference)


def _run_store(source: Source) -> Path:
    stored = (source.config or {}).get("store")
    if stored is None or not Path(stored).is_dir():
        raise LeaderboardError(f"{source.path}: pass --store STORE (the study store to take the "
                               f"test studies and labels from); the run's own store "
                               f"{stored!r} is not a directory here")
    return Path(stored)


def _seed_problems(sources: list[Source]) -> list[str]:
    seeds = [s.seed for s in sources]
    repeated = sorted({s for s in seeds if seeds.count(s) > 1})
    return [f"seeds: {len(sources)} runs but seed(s) {repeated} appear more than once; an "
            "entry holds one run per seed"] if repeated else []


def _board_problems(board: Board, resolved: Resolved, reference: Reference) -> list[str]:
    """A public benchmark's board already fixes its test studies and truth: they must agree."""
    existing = board.read_studies(resolved.benchmark.name)
    if existing is None:
        return []
    ours = _studies_table(reference).astype(str)
    if list(existing.columns) != list(ours.columns) or not existing.equals(ours):
        return [f"the board's test studies or labels for {resolved.benchmark.name!r} "
                f"({board.studies_path(resolved.benchmark.name)}) differ from those of the "
                "store given: every entry of a benchmark is scored on the same studies; build "
                "the store as the suite says"]
    return []


def _studies_table(reference: Reference) -> pd.DataFrame:
    groups = reference.subgroups.rename(columns=lambda c: c if c == "study_id" else SUBGROUP + c)
    return reference.table.merge(groups, on="study_id", how="left")


def _run(board: Board, resolved: Resolved, name: str, source: Source,
         reference: Reference) -> dict[str, Any]:
    table = scored_table(source.predictions.table, reference.table)
    header = dict(source.header)
    header.pop("cmrbench-predictions", None)
    published = None
    if resolved.benchmark.public:
        file = board.predictions_name(resolved.benchmark.name, name, source.seed)
        digest = write_predictions(board.root / file, table, header)
        scores = _scores(resolved, board.root / file, reference)
        published = {"file": file, "sha256": digest}
    else:
        with tempfile.TemporaryDirectory() as scratch:
            write_predictions(Path(scratch) / "scored.csv", table, header)
            scores = _scores(resolved, Path(scratch) / "scored.csv", reference)
    result = source.result or {}
    figures = carry(source.path.parent if source.result is not None else None, board.root,
                    f"{board.stem(resolved.benchmark.name, name)}--seed{source.seed}",
                    resolved.benchmark.public)
    return {"seed": source.seed,
            "submitted": {"file": source.path.name, "sha256": source.sha256,
                          "rows": len(source.predictions.table)},
            "predictions": published, **scores.as_dict(),
            "matches_result_json": (result["metrics"] == scores.metrics
                                    if "metrics" in result else None),
            "header": header, "provenance": result.get("provenance"),
            "cost": result.get("cost"), "config": source.config, "figures": figures}


def _scores(resolved: Resolved, path: Path, reference: Reference) -> Scores:
    """Scores of the scored predictions as read back from disk, like a run's result.json."""
    table = read_predictions(path).table
    return score(resolved.task, table, resolved.benchmark.primary_metric, reference.subgroups,
                 min_cell=min_cell(resolved.benchmark.public))
