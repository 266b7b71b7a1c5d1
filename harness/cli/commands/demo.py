"""From nothing to a leaderboard with one command, through the real commands, on the phantom.

    cmrbench demo [--out DIR] [--quick]

Writes phantom cohorts (the clinical layout with reports, and the ACDC layout) and ingests
them; pretrains a tiny 3D ResNet against the reports (contrastive); benchmarks the phantom-v1
suite (LVEF, findings, ACDC-style diagnosis, zero-shot EF, retrieval; the default adds the
label-efficiency fractions and Kaggle-style volumes) with that encoder from its random and
from its contrastive initialisation and a tiny MViT; submits every run to a board of its
own and builds the leaderboard page. Each step prints the command it runs. Nothing touches the
network. A second demo in the same --out reuses the cohorts, stores, pretraining, feature cache,
finished runs and board entries. --quick (smaller images, five benchmarks, fewer steps) takes
94 s on an idle 2-core machine; the default about 5 minutes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError

HELP = "run the whole workflow on the phantom: cohorts to leaderboard (--quick: ~2 min)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=Path("cmrbench-demo"),
                        help="where everything goes (default ./cmrbench-demo)")
    parser.add_argument("--quick", action="store_true",
                        help="smaller images, five benchmarks, fewer steps (~2 min on 2 cores)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def run(args: argparse.Namespace) -> int:
    from cmrbench.demo import demo_plan, run_demo
    from cmrbench.demo.steps import DemoError

    try:
        run_demo(demo_plan(args.quick), args.out, progress=not args.no_progress)
    except DemoError as exc:
        raise CommandError(str(exc)) from None
    return 0
