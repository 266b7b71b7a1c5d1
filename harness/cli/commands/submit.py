"""Submit runs to a suite's board: validated, re-scored with the store's labels, recorded.

    cmrbench submit RUN_DIR [RUN_DIR ...] --suite phantom-v1 --benchmark lvef-linear \\
                    --name my-encoder [--store STORE] [--board DIR]

Each RUN_DIR (or predictions.csv) is one seed. The predictions must hold exactly the
benchmark's test studies in STORE (default: the store the run used), each once, with finite
values and probabilities in [0, 1], made with the benchmark's task, protocol and split rule.
Every problem is listed; nothing is written unless all runs pass. Public benchmarks keep the
re-scored predictions on the board; restricted ones keep aggregates and the sha256 only.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError

HELP = "submit runs (one per seed) to a benchmark of a suite's leaderboard"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("runs", nargs="+", type=Path, metavar="RUN_DIR|PREDICTIONS",
                        help="run directories or predictions files, one per seed")
    parser.add_argument("--suite", required=True, help="suite name (e.g. phantom-v1) or path")
    parser.add_argument("--benchmark", required=True, help="benchmark of the suite")
    parser.add_argument("--name", required=True, help="the entry's name on the board")
    parser.add_argument("--store", type=Path,
                        help="study store with the test studies' labels (default: the run's)")
    parser.add_argument("--board", type=Path,
                        help="board folder (default: the suite's own entries/ folder)")


def run(args: argparse.Namespace) -> int:
    from cmrbench.leaderboard.errors import LeaderboardError
    from cmrbench.leaderboard.rerun import rerun_command
    from cmrbench.leaderboard.sources import SourceError
    from cmrbench.leaderboard.submit import submit
    from cmrbench.suites import SuiteError, load_suite

    try:
        suite = load_suite(args.suite)
        accepted = submit(args.runs, suite, args.benchmark, args.name, store=args.store,
                          board=args.board)
    except (SuiteError, LeaderboardError, SourceError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    entry = accepted.entry
    primary = suite.benchmark(args.benchmark).primary_metric
    print(f"accepted {entry['name']!r} on {suite.name}/{args.benchmark} "
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
    return 0
