"""Submit a sweep's results.csv whole: its rows become entries, one per benchmark and name.

Each row is matched to the suite's benchmark with its dataset, task, task options, mode and
label fraction (or to ``benchmark`` only, when given); rows of one benchmark and one name
(``--name`` may hold ``{field}``s: results.csv columns and the run's configuration fields,
e.g. ``{encoder}-{initialisation}``)
are the seeds of one entry. Every row's run is checked before anything is written: it
finished, its directory holds the configuration whose hash is the row's run ID, and it agrees
with the row; then each entry goes through the same validation as ``cmrbench submit RUN_DIR``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmrbench.leaderboard.errors import LeaderboardError, SubmissionRejected
from cmrbench.leaderboard.submit import Accepted, Prepared, accept, prepare
from cmrbench.registry import Registry
from cmrbench.suites import Benchmark, Suite
from cmrbench.sweeps.manifest import RUN_RESULT, config_hash
from cmrbench.sweeps.results import IDENTITY, read_results

# configuration fields that may differ between the seeds of one entry
PER_SEED = ("seed", "out")


@dataclass(frozen=True)
class Plan:
    """What a results.csv submits: entries (benchmark, name) -> run directories, and the rows
    that belong to no benchmark of the suite (reported, not submitted)."""

    entries: dict[tuple[str, str], list[Path]]
    skipped: list[str]


def is_results_table(path: Path | str) -> bool:
    """Whether ``path`` is a sweep's results.csv (a predictions file starts with '# ')."""
    path = Path(path)
    if not path.is_file():
        return False
    with path.open() as handle:
        return handle.readline().startswith("run_id,")


def submit_results(path: Path, suite: Suite, name: str, *, benchmark: str | None = None,
                   store: Path | None = None, board: Path | None = None,
                   registry: Registry | None = None) -> tuple[list[Accepted], list[str]]:
    """Validate every entry of the results table at ``path``, then write them all; returns
    the accepted entries and the rows skipped as belonging to no benchmark."""
    plan = plan_entries(path, suite, name, benchmark)
    prepared: list[Prepared] = []
    problems: list[str] = []
    for (bench, entry), runs in plan.entries.items():
        try:
            prepared.append(prepare(runs, suite, bench, entry, store=store, board=board,
                                    registry=registry))
        except SubmissionRejected as exc:
            problems += exc.problems
        except LeaderboardError as exc:
            problems.append(str(exc))
    if problems:
        raise SubmissionRejected(f"{path}", problems)
    return [accept(p) for p in prepared], plan.skipped


def plan_entries(path: Path, suite: Suite, name: str, benchmark: str | None) -> Plan:
    """The entries of ``path``: rows checked against their runs and grouped; raises
    SubmissionRejected listing every problem."""
    table = read_results(path)
    benchmarks = [suite.benchmark(benchmark)] if benchmark else list(suite.benchmarks.values())
    entries: dict[tuple[str, str], list[dict[str, Any]]] = {}
    skipped, problems = [], []
    for row in table.to_dict("records"):
        config, found = _run_config(row)
        matches = [b.name for b in benchmarks if _matches(b, row)]
        entry_name = _name(name, {**(config or {}), **row}, problems) if config else None
        problems += found
        if len(matches) > 1:
            problems.append(f"row {row['run_id']}: matches benchmarks {matches}; pass "
                            "--benchmark to choose one")
        elif not matches:
            skipped.append(f"{row['run_id']} ({_protocol(row)})")
        elif config is not None and entry_name is not None:
            entries.setdefault((matches[0], entry_name), []).append({**row, "config": config})
    problems += [p for key, rows in entries.items() for p in _seed_mates(key, rows)]
    if problems:
        raise SubmissionRejected(f"{path}", list(dict.fromkeys(problems)))
    if not entries:
        raise LeaderboardError(f"{path}: no row belongs to a benchmark of suite {suite.name!r} "
                               f"(rows: {skipped}); check the suite and --benchmark")
    return Plan({key: [Path(r["run_dir"]) for r in rows] for key, rows in entries.items()},
                skipped)


def _run_config(row: Mapping[str, Any]) -> tuple[dict[str, Any] | None, list[str]]:
    """The configuration of the row's run, or the problems that keep it out."""
    where = f"row {row['run_id']}"
    if row["status"] != "finished":
        return None, [f"{where}: status {row['status']!r}: only finished runs can be submitted "
                      "(run the sweep again to finish it, or remove the row)"]
    result = Path(row["run_dir"]) / RUN_RESULT
    try:
        config = json.loads(result.read_text())["config"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, [f"{where}: {result} is not a readable run result ({exc})"]
    if config_hash(config) != row["run_id"]:
        return None, [f"{where}: the run in {row['run_dir']} has another configuration than "
                      "the row's run ID says (its hash differs); write results.csv again "
                      "with `cmrbench sweep GRID.yaml --collect`"]
    differ = [f for f in IDENTITY if _text(config.get(f)) != row[f]]
    if differ:
        return None, [f"{where}: column(s) {differ} differ from the run's own configuration "
                      f"in {result}; write results.csv again with --collect"]
    return config, []


def _matches(benchmark: Benchmark, row: Mapping[str, Any]) -> bool:
    return (benchmark.dataset, benchmark.task, benchmark.mode) == (
        row["dataset"], row["task"], row["mode"]) and float(row["fraction"]) == float(
        benchmark.fraction) and json.loads(row["task_options"] or "{}") == dict(
        benchmark.task_options)


def _name(template: str, row: Mapping[str, Any], problems: list[str]) -> str | None:
    try:
        return template.format_map(row)
    except (KeyError, ValueError, IndexError) as exc:
        problems.append(f"--name {template!r}: {exc} is neither a column of results.csv nor a "
                        f"field of the run's configuration (those are: {', '.join(row)})")
        return None


def _seed_mates(key: tuple[str, str], rows: list[dict[str, Any]]) -> list[str]:
    """Runs of one entry may differ only in their seed."""
    first = {k: v for k, v in rows[0]["config"].items() if k not in PER_SEED}
    problems = []
    for row in rows[1:]:
        other = {k: v for k, v in row["config"].items() if k not in PER_SEED}
        differ = sorted(k for k in first.keys() | other.keys() if first.get(k) != other.get(k))
        if differ:
            problems.append(f"entry {key[1]!r} on {key[0]}: runs {rows[0]['run_id']} and "
                            f"{row['run_id']} differ in {differ}, not only in their seed; put "
                            f"{{{differ[0]}}} in --name to make them separate entries")
    return problems


def _protocol(row: Mapping[str, Any]) -> str:
    return (f"{row['dataset']}/{row['task']}/{row['mode']}/fraction {row['fraction']}"
            + (f"/{row['task_options']}" if row["task_options"] not in ("", "{}") else ""))


def _text(value: Any) -> str:
    """A config value as results.csv holds it (read back as text)."""
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    return str(value)
