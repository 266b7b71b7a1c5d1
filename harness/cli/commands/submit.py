"""Submit runs to a suite's board: validated, re-scored with the store's labels, recorded.

    cmrbench submit RUN_DIR [RUN_DIR ...] --suite phantom-v1 --benchmark lvef-linear \\
                    --name my-encoder [--store STORE] [--board DIR]

Each RUN_DIR (or predictions.csv) is one seed. The predictions must hold exactly the
benchmark's test studies in STORE (default: the store the run used), each once, with finite
values and probabilities in [0, 1], made with the benchmark's task, protocol and split rule.
Every problem is listed; nothing is written unless all runs pass. Public benchmarks keep the
re-scored predictions on the board; restricted ones keep aggregates and the sha256 only.

    cmrbench submit SWEEP/results.csv --suite phantom-v1 --name "{encoder}-{initialisation}"

takes a sweep's results whole: each row's run goes to the benchmark with its protocol (or
only to --benchmark), the runs of one benchmark and name are the seeds of one entry, and
--name may name results.csv columns in braces.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cmrbench.cli.errors import CommandError

HELP = "submit runs (one per seed) to a benchmark of a suite's leaderboard"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR|PREDICTIONS|RESULTS",
                        help="run directories or predictions files, one per seed; or a "
                        "sweep's results.csv")
    parser.add_argument("--suite", required=True, help="suite name (e.g. phantom-v1) or path")
    parser.add_argument("--benchmark", help="benchmark of the suite (required unless a "
                        "results.csv is given)")
    parser.add_argument("--name", required=True, help="the entry's name on the board; for a "
                        "results.csv it may hold {column} fields, e.g. {encoder}-{weights}")
    parser.add_argument("--store", type=Path,
                        help="study store with the test studies' labels (default: the run's)")
    parser.add_argument("--board", type=Path,
                        help="board folder (default: the suite's own entries/ folder)")


def run(args: argparse.Namespace) -> int:
    from cmrbench.leaderboard.errors import LeaderboardError
    from cmrbench.leaderboard.sources import SourceError
    from cmrbench.suites import SuiteError, load_suite
    from cmrbench.sweeps.results import ResultsError

    try:
        suite = load_suite(args.suite)
        accepted, skipped = _submit(args, suite)
    except (SuiteError, LeaderboardError, SourceError, ResultsError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    for item in accepted:
        _print_entry(item, suite)
    if skipped:
        print(f"{len(skipped)} row(s) belong to no benchmark of {suite.name} and were not "
              f"submitted: {', '.join(skipped)}")
    return 0


def _submit(args: argparse.Namespace, suite: Any) -> tuple[list[Any], list[str]]:
    """The accepted entries and the results.csv rows that belong to no benchmark."""
    from cmrbench.leaderboard.submit import submit
    from cmrbench.leaderboard.sweep_results import is_results_table, submit_results

    if len(args.runs) == 1 and is_results_table(args.runs[0]):
        return submit_results(args.runs[0], suite, args.name, benchmark=args.benchmark,
                              store=args.store, board=args.board)
    if args.benchmark is None:
        raise CommandError("--benchmark is required for run directories and predictions files "
                           "(only a sweep's results.csv finds its benchmarks itself)")
    return [submit(args.runs, suite, args.benchmark, args.name, store=args.store,
                   board=args.board)], []


def _print_entry(accepted: Any, suite: Any) -> None:
    from cmrbench.leaderboard.rerun import rerun_command

    entry = accepted.entry
    benchmark = entry["benchmark"]["name"]
    primary = suite.benchmark(benchmark).primary_metric
    print(f"accepted {entry['name']!r} on {suite.name}/{benchmark} "
          f"({len(entry['runs'])} run(s), publishes {entry['publication']})")
    for run_ in entry["runs"]:
        metric = run_["metrics"].get(primary) or {}
        same = {True: "equal the run's result.json", False: "DIFFER from the run's result.json",
                None: "(no result.json to compare)"}[run_["matches_result_json"]]
        print(f"  seed {run_['seed']}: {primary} {metric.get('value')} "
              f"[{metric.get('lower')}, {metric.get('upper')}]; recomputed metrics {same}")
        command = rerun_command(run_.get("config"))
        if command:
            print(f"  rerun: {command}")
    print(f"entry: {accepted.path}")
