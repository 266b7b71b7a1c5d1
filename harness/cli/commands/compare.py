"""Compare two models on the same test studies, with paired tests.

    cmrbench compare RUN_A RUN_B [--csv FILE] [--resamples N]

A and B are run directories, predictions files or board entries (.json). Per binary outcome:
the paired DeLong test; per headline metric: a paired bootstrap resampling patients (several
seeds count as their mean). Holm and Benjamini-Hochberg adjust within each family.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError

HELP = "paired comparison of two runs or entries on the same test studies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("a", type=Path, metavar="A", help="run directory, predictions or entry")
    parser.add_argument("b", type=Path, metavar="B", help="run directory, predictions or entry")
    parser.add_argument("--csv", type=Path, help="also write the table as CSV here")
    parser.add_argument("--resamples", type=int, default=1000,
                        help="bootstrap resamples (default 1000)")


def run(args: argparse.Namespace) -> int:
    from cmrbench.files import atomic_write
    from cmrbench.leaderboard.compare import as_csv, as_text, compare, load_side
    from cmrbench.leaderboard.errors import LeaderboardError
    from cmrbench.leaderboard.sources import SourceError
    from cmrbench.stats import StatsInputError

    try:
        a, b = load_side(args.a), load_side(args.b)
        rows = compare(a, b, n_resamples=args.resamples)
    except (LeaderboardError, SourceError, StatsInputError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    print(as_text(a, b, rows))
    if args.csv is not None:
        with atomic_write(args.csv) as partial:
            partial.write_text(as_csv(rows))
        print(f"csv: {args.csv}")
    return 0
