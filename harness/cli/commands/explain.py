"""Explain studies of a finished run: attention and saliency overlays of each of their videos.

    cmrbench explain RUN --study ID [--study ID ...] [--out DIR]

For a torchvision MViT encoder (mvit-b-16x4, mvit-v2-s and their tiny twins, or any plugin
whose encoder contains one) the class token's self-attention of every layer and head is
interpolated back to the clip's frames and pixels; for any encoder, gradient x input saliency
of one task output (--method saliency, or both). Per video of the study's evaluation bag:
attention.mp4 / .png / .npz and saliency.mp4 / .png / .npz, plus summary.json per study.
Default --out: RUN/figures/studies, recorded in RUN/figures.json for the leaderboard.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError

HELP = "attention / saliency overlay videos of a run's studies (cmrbench explain RUN --study ID)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run", type=Path, help="a run directory (cmrbench run --out)")
    parser.add_argument("--study", action="append", required=True, metavar="ID",
                        help="study ID to explain (repeatable), e.g. from predictions.csv")
    parser.add_argument("--out", type=Path, help="output folder (default RUN/figures/studies)")
    parser.add_argument("--method", default="auto", choices=("auto", "attention", "saliency",
                                                              "both"),
                        help="auto: attention where the encoder has a torchvision MViT, else "
                             "saliency")
    parser.add_argument("--output", help="task output the saliency explains (name or index; "
                                         "default the first)")
    parser.add_argument("--video", action="append", metavar="VIEW/SLICE",
                        help="only this video of the bag, e.g. 4CH/0 (repeatable)")
    parser.add_argument("--checkpoint", default="best", help="best (default) or last")
    parser.add_argument("--store", type=Path, help="the run's store, if it moved")
    parser.add_argument("--device", default="cpu", help="cpu, cuda, ...")
    parser.add_argument("--fps", type=float, default=4.0, help="video frame rate (default 4)")


def run(args: argparse.Namespace) -> int:
    from cmrbench.explain.manifest import record_figures
    from cmrbench.explain.study import ExplainError, explain_study
    from cmrbench.training.reload import load_run
    from cmrbench.training.runner import RunError
    from cmrbench.weights import WeightsError

    out = args.out or args.run / "figures" / "studies"
    try:
        finished = load_run(args.run, checkpoint=args.checkpoint, store=args.store)
        for study in args.study:
            done = explain_study(finished, study, out, method=args.method, output=args.output,
                                 videos=args.video, fps=args.fps, device=args.device)
            record_figures(args.run, done.files)
            print(f"{study} ({done.role}): {' + '.join(done.methods)} for "
                  f"{len(done.files) // 2} video(s) -> {out / study}")
    except (RunError, ExplainError, WeightsError, ValueError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    return 0
