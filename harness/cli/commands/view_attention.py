"""The view-attention map of a run: mean relative attention per label and view plane.

    cmrbench view-attention RUN [--out DIR]

Reads RUN/predictions.csv (or a predictions file) and writes view_attention.png, .csv (label x
4CH/3CH/2CH/SAX, rows sum to 1) and view_attention_studies.csv (per study). Default --out:
RUN/figures, recorded in RUN/figures.json for the leaderboard.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError

HELP = "which view planes a run's multi-view head relied on, per label (PNG + CSV)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", type=Path, help="a run directory or a predictions.csv")
    parser.add_argument("--out", type=Path, help="output folder (default RUN/figures)")


def run(args: argparse.Namespace) -> int:
    from cmrbench.explain.manifest import record_figures
    from cmrbench.explain.view_attention import write_view_attention
    from cmrbench.predictions import FILE_NAME, PredictionsError

    predictions = args.run / FILE_NAME if args.run.is_dir() else args.run
    if not predictions.is_file():
        raise CommandError(f"{args.run}: no predictions file; pass a finished run directory "
                           "or its predictions.csv")
    out = args.out or (args.run / "figures" if args.run.is_dir() else Path("."))
    try:
        files = write_view_attention(predictions, out)
    except (PredictionsError, ValueError) as exc:
        raise CommandError(str(exc)) from None
    if args.run.is_dir():
        record_figures(args.run, files)
    print(f"view attention -> {', '.join(str(p) for p in files)}")
    return 0
