"""Export a pretraining run's encoders from one of its checkpoints as cmrbench weight files.

    cmrbench export runs/pretrain --checkpoint epoch=9-step=30.ckpt --out encoders-e10/

`cmrbench pretrain` exports its last state to RUN_DIR/encoders/ by itself; this command does
the same for any checkpoint the run kept (every --checkpoint-every epochs, and last.ckpt).
The files (video.safetensors, text.safetensors) name the initialisation 'contrastive', the run
directory, the sha256 of its config.yaml, the checkpoint and its step, and load with
`cmrbench run --weights` and `cmrbench embed --weights` (video) or `--text-weights` (text).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError

HELP = "export a pretraining run's encoders (from any checkpoint) as weight files"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_dir", type=Path, help="the directory `cmrbench pretrain` wrote")
    parser.add_argument("--checkpoint", default="last.ckpt",
                        help="a file in RUN_DIR/checkpoints (default last.ckpt)")
    parser.add_argument("--out", type=Path,
                        help="where to write video.safetensors and text.safetensors "
                             "(default RUN_DIR/encoders)")


def run(args: argparse.Namespace) -> int:
    from cmrbench.pretraining.config import ConfigError
    from cmrbench.pretraining.export import export_checkpoint
    from cmrbench.registry import UnknownNameError
    from cmrbench.weights import WeightsError

    try:
        exported = export_checkpoint(args.run_dir, args.checkpoint, args.out)
    except (ConfigError, WeightsError, UnknownNameError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    for kind, export in exported.items():
        print(f"{kind} encoder {export['encoder']}: {export['path']} (sha256 "
              f"{export['sha256'][:12]}, initialisation contrastive)")
    return 0
