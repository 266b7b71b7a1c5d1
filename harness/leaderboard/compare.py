"""Compare two models on the same test studies: ``cmrbench compare A B``.

A side is a run directory, a predictions file, or a board entry (JSON, its predictions beside
it on the board; all its seeds). Both sides must be the same task on the same dataset with the
same options and hold the same studies with the same truth. Per binary outcome: the paired
DeLong test (first seed of each side); for every headline metric of the task: the paired
bootstrap by patient (all seeds, as their mean). Holm and Benjamini-Hochberg adjust within
each of the two families.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from cmrbench.cards import load_card
from cmrbench.files import sha256_file
from cmrbench.leaderboard.entries import read_entry
from cmrbench.leaderboard.errors import LeaderboardError
from cmrbench.leaderboard.paired import (
    RESAMPLES,
    Paired,
    paired_bootstrap,
    paired_delong,
    point_metrics,
)
from cmrbench.leaderboard.sources import read_source
from cmrbench.predictions import problems, read_predictions
from cmrbench.registry import Registry, get_registry
from cmrbench.task import Task

COLUMNS = ("test", "name", "a", "b", "difference", "lower", "upper", "p_value", "p_holm",
           "p_bh", "n", "note")


@dataclass(frozen=True)
class Side:
    """One model: what it was scored as, and its predictions tables (one per seed)."""

    label: str
    task: str
    dataset: str
    options: dict[str, Any]
    tables: list[pd.DataFrame]


def load_side(path: Path | str) -> Side:
    """A run directory, a predictions file or a board entry (.json)."""
    path = Path(path)
    if path.suffix == ".json" and path.is_file():
        return _entry_side(path)
    source = read_source(path)
    found = problems(source.predictions.table)
    if found:
        raise LeaderboardError(f"{source.path}: " + "; ".join(found))
    header = source.header
    options = dict((source.config or {}).get("task_options") or {})
    return Side(str(path), str(header.get("task")), str(header.get("dataset")), options,
                [source.predictions.table])


def _entry_side(path: Path) -> Side:
    entry = read_entry(path)
    tables = []
    for run in entry["runs"]:
        published = run.get("predictions") or {}
        file = path.parent / str(published.get("file", ""))
        if not published or not file.is_file():
            raise LeaderboardError(f"{path}: entry {entry['name']!r} has no per-study "
                                   "predictions on this board (restricted benchmarks publish "
                                   "aggregates only); compare the data holder's files instead")
        if sha256_file(file) != published.get("sha256"):
            raise LeaderboardError(f"{file} changed since it was accepted; run `cmrbench "
                                   "leaderboard verify`")
        tables.append(read_predictions(file).table)
    header = entry["runs"][0].get("header") or {}
    options = dict((entry["runs"][0].get("config") or {}).get("task_options") or {})
    return Side(entry["name"], str(header.get("task")), str(header.get("dataset")), options,
                tables)


def shared_task(a: Side, b: Side, registry: Registry | None = None) -> Task:
    """The task both sides were scored as; an error naming the difference otherwise."""
    if (a.task, a.dataset, a.options) != (b.task, b.dataset, b.options):
        raise LeaderboardError(f"A is task {a.task!r} on {a.dataset!r} with options {a.options}, "
                               f"B is task {b.task!r} on {b.dataset!r} with options {b.options}: "
                               "compare two models of one benchmark")
    registry = registry or get_registry()
    card_file = registry.dataset(a.dataset).card
    card = load_card(card_file) if card_file is not None else None
    return registry.task(a.task).build(card, **a.options)


def compare(a: Side, b: Side, *, n_resamples: int = RESAMPLES,
            registry: Registry | None = None) -> list[tuple[str, Paired]]:
    """(family, result) rows: paired DeLong per outcome, then paired bootstrap per metric."""
    task = shared_task(a, b, registry)
    rows = [("delong", r) for r in paired_delong(task, a.tables[0], b.tables[0]).values()]
    headline = [name for name in point_metrics(task, a.tables[0]) if ":" not in name]
    boot = paired_bootstrap(task, a.tables, b.tables, headline, n_resamples=n_resamples)
    return rows + [("bootstrap", r) for r in boot.values()]


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def as_text(a: Side, b: Side, rows: list[tuple[str, Paired]]) -> str:
    """A terminal table."""
    header = ("test", "name", "A", "B", "A - B", "95% CI", "p", "p Holm", "p BH", "note")
    body = [(family, r.name, _number(r.a), _number(r.b), _number(r.difference),
             f"[{_number(r.lower)}, {_number(r.upper)}]", _number(r.p_value),
             _number(r.p_holm), _number(r.p_bh), r.note) for family, r in rows]
    widths = [max(len(str(x)) for x in column) for column in zip(header, *body, strict=True)]
    lines = [f"A: {a.label} ({len(a.tables)} run(s))", f"B: {b.label} ({len(b.tables)} run(s))",
             "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines += ["  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)).rstrip()
              for row in body]
    return "\n".join(lines)


def as_csv(rows: list[tuple[str, Paired]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for family, result in rows:
        values = {k: v for k, v in asdict(result).items() if k in COLUMNS}
        writer.writerow({"test": family, **values})
    return buffer.getvalue()

