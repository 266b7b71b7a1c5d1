"""Pretrain a video encoder against the paired reports (SPEC §1), and export both encoders.

    cmrbench pretrain --video-encoder mvit-b-16x4 --video-weights kinetics400 \\
                      --text-encoder bert --text-option model_path=PubMedBERT/ \\
                      --store STORE --out runs/pretrain

Loss: the asymmetric bidirectional InfoNCE of SPEC §1, λ·l(video→report) + (1−λ)·l(report→
video) at temperature τ over the global batch (all processes' pairs are negatives), flooded
at b. The reference publishes neither λ nor τ: the defaults are ConVIRT's, λ = 0.75 and
τ = 0.1; b = 0.05. Optimiser: AdamW lr 4.8e-5, weight decay 1e-6, eps 1e-8, the learning rate
× 0.1 half-way through the budget (default 600 epochs); batch 32 per process; 5 random report
sentences per study per step; the text encoder's first layers frozen (bert: 6 of 12);
clip-consistent AugMix; a checkpoint every 10 epochs and the last.

Studies: the card's pretrain role (the phantom's train split; the clinical cards'
pretrain/train) for training and its pretrain_val role (val; pretrain/val) for validation, those
with a report. The run leaves RUN_DIR/encoders/video.safetensors and text.safetensors
(initialisation 'contrastive'), for `cmrbench run --weights` and `cmrbench embed --weights`.
The resolved configuration is saved as RUN_DIR/config.yaml; ``--config FILE`` reads the same
fields (flags given on the command line win).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cmrbench.cli.errors import CommandError
from cmrbench.cli.flags import add_fields, add_training_flags, field_values, key_values, require

HELP = "pretrain a video encoder against the paired reports; export both encoders"

# flag -> (type, help); the PretrainConfig field is the flag with '-' as '_'
FIELDS: dict[str, tuple[Any, str]] = {
    "video-encoder": (str, "video encoder name, e.g. mvit-b-16x4"),
    "video-weights": (str, "its initial weights: a file or a tag such as kinetics400 "
                           "(default: its seeded random initialisation)"),
    "video-initialisation": (str, "name the initial video weights in results"),
    "text-encoder": (str, "text encoder name: bert (with --text-option model_path=DIR) or "
                          "bert-minilm-l6"),
    "text-weights": (str, "initial text encoder weights (a file), e.g. a previous export"),
    "freeze-text-layers": (int, "freeze the text encoder's embeddings and first N layers "
                                "(default: the encoder's own, bert 6 as the reference)"),
    "text-features": (str, "joint (the sampled sentences encoded as one text, default) or "
                           "cached-sentences (each sentence encoded once by the fully frozen "
                           "backbone and cached; a sample is the mean of its sentences')"),
    "store": (Path, "the study store written by `cmrbench ingest`"),
    "dataset": (str, "the dataset whose card gives the roles (default: the store's)"),
    "card": (Path, "a dataset card to use instead of the dataset's own"),
    "out": (Path, "the run directory to write"),
    "pairs": (str, "how a study's videos pair with its report: random-video (one random "
                   "video per study per step, default) or every-video (each video a pair)"),
    "views": (str, "the videos a study offers: reference (default), random-half-sax or all"),
    "sentences": (int, "report sentences sampled per pair and step (default 5)"),
    "loss-lambda": (float, "λ, the weight of the video→report direction (default 0.75, "
                           "ConVIRT's)"),
    "temperature": (float, "τ (default 0.1, ConVIRT's)"),
    "flood": (float, "flood level b (default 0.05; 0 for none)"),
    "lr": (float, "AdamW learning rate (default 4.8e-5)"),
    "weight-decay": (float, "AdamW weight decay (default 1e-6)"),
    "eps": (float, "AdamW eps (default 1e-8)"),
    "lr-drop-at": (float, "fraction of the budget after which the learning rate drops "
                          "(default 0.5)"),
    "lr-drop-factor": (float, "what the learning rate is multiplied by then (default 0.1)"),
    "batch-size": (int, "pairs per step and process (default 32)"),
    "max-steps": (int, "training steps"),
    "max-epochs": (int, "training epochs (default 600 when no budget is given)"),
    "checkpoint-every": (int, "keep a checkpoint every N epochs (default 10; last.ckpt always)"),
    "val-every": (int, "validate every N epochs (default 1)"),
    "seed": (int, "seed of initialisation, sampling and augmentation (default 0)"),
    "num-workers": (int, "DataLoader worker processes"),
    "accelerator": (str, "Lightning accelerator: auto, cpu, gpu, ..."),
    "devices": (str, "Lightning devices: auto, 1, 4, ..."),
    "num-nodes": (int, "Lightning nodes"),
    "precision": (str, "Lightning precision: 32-true, bf16-mixed, ..."),
    "strategy": (str, "Lightning strategy: auto, ddp, ..."),
}
REQUIRED = ("video_encoder", "text_encoder", "store", "out")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_fields(parser, FIELDS)
    parser.add_argument("--video-exclude", action="append", metavar="PREFIX",
                        help="video weight key prefix not to load, e.g. fc (repeatable)")
    parser.add_argument("--text-option", action="append", default=[], metavar="KEY=VALUE",
                        help="a text encoder option, e.g. model_path=DIR for bert (value "
                             "parsed as YAML); repeatable")
    add_training_flags(parser)


def config_from_args(args: argparse.Namespace) -> Any:
    """The PretrainConfig the flags (over --config) describe."""
    from cmrbench.pretraining.config import ConfigError, PretrainConfig

    values = field_values(args, FIELDS)
    if args.video_exclude:
        values["video_exclude"] = args.video_exclude
    options = {**(values.get("text_options") or {}),
               **key_values(args.text_option, "--text-option")}
    if options:
        values["text_options"] = options
    if args.no_augment:
        values["augment"] = False
    require(values, REQUIRED)
    try:
        return PretrainConfig.from_mapping(values)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from cmrbench.pretraining.encoders import EncoderChoiceError
    from cmrbench.pretraining.pairs import PretrainingDataError
    from cmrbench.pretraining.runner import run_pretraining
    from cmrbench.registry import UnknownNameError
    from cmrbench.training.rundir import RunDirectoryError
    from cmrbench.weights import WeightsError

    config = config_from_args(args)
    if not Path(config.store).is_dir():
        raise CommandError(f"store {config.store} is not a directory; create it with "
                           "`cmrbench ingest DATASET SRC --out STORE`")
    try:
        result = run_pretraining(config, resume=args.resume, progress=not args.no_progress)
    except (PretrainingDataError, EncoderChoiceError, RunDirectoryError, UnknownNameError,
            WeightsError, FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    if result:
        print(summary(result))
    return 0


def summary(result: dict[str, Any]) -> str:
    """What ran, the last validation retrieval against chance, and the exported files."""
    config = result["config"]
    studies = result["studies"]
    lines = [f"pretrained {result['video_encoder']} against {result['text_encoder']} on "
             f"{result['dataset']}: {result['training']['steps']} steps, "
             f"{studies['pretrain']['studies']} training and "
             f"{studies['pretrain_val']['studies']} validation studies"]
    epochs = result["validation"]["by_epoch"]
    if epochs:
        last = epochs[max(epochs, key=int)]
        lines.append(f"  validation: loss {last['loss']:.4g}, video->report recall@5 "
                     f"{last['video_to_report_recall_at_5']:.3g} (chance {last['chance']:.3g})")
    for kind, export in result["exports"].items():
        lines.append(f"  {kind} encoder: {export['path']} (initialisation contrastive)")
    lines.append(f"use it: cmrbench run --encoder {config['video_encoder']} --weights "
                 f"{result['exports']['video']['path']} ...")
    return "\n".join(lines)
