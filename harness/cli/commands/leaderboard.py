"""Build or verify a suite's leaderboard, or print the command that reruns an entry.

    cmrbench leaderboard build SUITE --out DIR [--board DIR] [--store DATASET=STORE ...]
    cmrbench leaderboard verify SUITE [--board DIR] [--store DATASET=STORE ...] [--private DIR]
    cmrbench leaderboard rerun SUITE --benchmark B --name NAME [--board DIR]

build writes index.html (one self-contained page: sortable tables, confidence intervals,
paired p-values against the baseline, ROC, Bland-Altman, subgroup and label-efficiency
figures), leaderboard.md, leaderboard.csv and metrics.csv. Every entry is re-scored first; an
entry whose numbers or files disagree is flagged, not ranked. verify does only that check and
exits with status 1 when an entry is flagged. --store checks the board's truth against a store;
with --private (a folder of a restricted benchmark's predictions, found by sha256) a data
holder re-scores restricted entries too.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from cmrbench.cli.errors import CommandError

if TYPE_CHECKING:
    from cmrbench.suites import Suite

HELP = "build or verify a suite's leaderboard (every number recomputed)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="write the board as HTML, Markdown and CSV")
    verify = actions.add_parser("verify", help="re-score every entry; exit 1 if one is flagged")
    rerun = actions.add_parser("rerun", help="print the command that reruns an entry")
    for sub in (build, verify, rerun):
        sub.add_argument("suite", help="suite name (e.g. phantom-v1) or path")
        sub.add_argument("--board", type=Path, help="board folder (default: the suite's own)")
    for sub in (build, verify):
        sub.add_argument("--store", action="append", default=[], metavar="DATASET=STORE",
                         help="check against this dataset's store (repeatable)")
        sub.add_argument("--private", type=Path,
                         help="restricted benchmarks' predictions files, to re-score them")
    build.add_argument("--out", type=Path, required=True, help="folder to write the board to")
    build.add_argument("--resamples", type=int, default=1000,
                       help="paired bootstrap resamples (default 1000)")
    rerun.add_argument("--benchmark", required=True)
    rerun.add_argument("--name", required=True)


def _stores(pairs: list[str]) -> dict[str, Path]:
    stores = {}
    for pair in pairs:
        dataset, sep, store = pair.partition("=")
        if not sep or not dataset or not store:
            raise CommandError(f"--store {pair!r}: expected DATASET=STORE, e.g. phantom=store/")
        stores[dataset] = Path(store)
    return stores


def run(args: argparse.Namespace) -> int:
    from cmrbench.leaderboard.errors import LeaderboardError
    from cmrbench.suites import SuiteError, load_suite

    try:
        suite = load_suite(args.suite)
        return {"build": _build, "verify": _verify, "rerun": _rerun}[args.action](suite, args)
    except (SuiteError, LeaderboardError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None


def _build(suite: Suite, args: argparse.Namespace) -> int:
    from cmrbench.leaderboard.build import assemble
    from cmrbench.leaderboard.render import write_board

    assembled = assemble(suite, args.board, stores=_stores(args.store), private=args.private,
                         n_resamples=args.resamples)
    for path in write_board(assembled, args.out):
        print(f"wrote {path}")
    for item in assembled.flagged:
        print(f"flagged: {item.name}: {'; '.join(item.reasons)}")
    return 0


def _verify(suite: Suite, args: argparse.Namespace) -> int:
    from cmrbench.leaderboard.verify import FLAGGED, verify_board

    checked = verify_board(suite, args.board, stores=_stores(args.store), private=args.private)
    for item in checked:
        why = f": {'; '.join(item.reasons)}" if item.reasons else ""
        print(f"{item.status:9} {item.benchmark or '?'} / {item.name}{why}")
    flagged = sum(item.status == FLAGGED for item in checked)
    print(f"{len(checked)} entries, {flagged} flagged")
    return 1 if flagged else 0


def _rerun(suite: Suite, args: argparse.Namespace) -> int:
    from cmrbench.leaderboard.entries import Board, read_entry
    from cmrbench.leaderboard.rerun import rerun_command

    board = Board(args.board if args.board is not None else suite.board)
    path = board.entry_path(args.benchmark, args.name)
    if not path.is_file():
        raise CommandError(f"no entry {args.name!r} on benchmark {args.benchmark!r} in "
                           f"{board.root}")
    for run_ in read_entry(path)["runs"]:
        command = rerun_command(run_.get("config"))
        print(command or f"# seed {run_.get('seed')}: submitted without a run config")
    return 0
