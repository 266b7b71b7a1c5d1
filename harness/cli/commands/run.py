"""Benchmark an encoder on a task: train (per the mode), select on validation, test once.

    cmrbench run --encoder r3d-18 --weights r3d_18-kinetics.pth --exclude fc \\
                 --dataset ukbb --store STORE --task lvef --mode linear --out runs/lvef-r3d

Modes: linear (only the head trains), finetune (the encoder's projection and the head train),
transfer (everything trains), zeroshot (nothing trains: a task that declares the zeroshot
protocol, such as retrieval or zeroshot, compares the test studies' video embeddings with a
text encoder's, e.g. the two encoders `cmrbench pretrain` exported). Unset hyper-parameters
take the task's reference defaults; the resolved configuration is saved as
RUN_DIR/config.yaml, and ``--config FILE`` reads the same fields from YAML (flags given on the
command line win).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cmrbench.cli.errors import CommandError
from cmrbench.cli.flags import add_fields, add_training_flags, field_values, key_values, require

HELP = "benchmark an encoder on a task (train, select on validation, test once)"

# flag -> (type, help); the RunConfig field is the flag with '-' as '_'
FIELDS: dict[str, tuple[Any, str]] = {
    "encoder": (str, "video encoder name, e.g. mvit-b-16x4"),
    "weights": (str, "weights file (any supported format) or pretrained tag such as "
                     "kinetics400; default: the encoder's seeded random initialisation"),
    "initialisation": (str, "name the weights in results (default: from the file)"),
    "dataset": (str, "dataset name, e.g. ukbb (its card gives the splits and labels)"),
    "store": (Path, "the study store written by `cmrbench ingest`"),
    "task": (str, "task name, e.g. lvef, diseases, acdc-diagnosis, kaggle-volumes"),
    "mode": (str, "linear, finetune, transfer or zeroshot"),
    "out": (Path, "the run directory to write"),
    "fraction": (float, "train on this fraction of the training patients (label efficiency)"),
    "fraction-seed": (int, "seed of the --fraction subsample (default 0)"),
    "seed": (int, "seed of initialisation, sampling and augmentation (default 0)"),
    "max-steps": (int, "training steps (default: the task's)"),
    "max-epochs": (int, "training epochs (default: the task's)"),
    "batch-size": (int, "studies per step and process"),
    "val-every": (int, "validate (and select checkpoints) every N epochs (default 1)"),
    "lr": (float, "AdamW learning rate"),
    "weight-decay": (float, "AdamW weight decay"),
    "views": (str, "training view policy: reference, random-half-sax or all"),
    "eval-views": (str, "evaluation view policy"),
    "cache-dir": (Path, "feature cache directory (default: STORE/feature-cache)"),
    "num-workers": (int, "DataLoader worker processes (pixel modes)"),
    "accelerator": (str, "Lightning accelerator: auto, cpu, gpu, ..."),
    "devices": (str, "Lightning devices: auto, 1, 4, ..."),
    "num-nodes": (int, "Lightning nodes"),
    "precision": (str, "Lightning precision: 32-true, bf16-mixed, ..."),
    "strategy": (str, "Lightning strategy: auto, ddp, ..."),
    "card": (Path, "a dataset card to use instead of the dataset's own"),
    "text-encoder": (str, "zeroshot mode: the text encoder, e.g. bert-minilm-l6 or bert"),
    "text-weights": (str, "zeroshot mode: the text encoder's weights, e.g. the "
                          "RUN_DIR/encoders/text.safetensors of `cmrbench pretrain`"),
}
REQUIRED = ("encoder", "dataset", "store", "task", "mode", "out")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_fields(parser, FIELDS)
    parser.add_argument("--exclude", action="append", metavar="PREFIX",
                        help="weight key prefix not to load, e.g. fc (repeatable)")
    parser.add_argument("--labels", help="task option: comma-separated labels (diseases)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="any task option (value parsed as YAML); repeatable")
    parser.add_argument("--text-option", action="append", default=[], metavar="KEY=VALUE",
                        help="zeroshot mode: a text encoder option, e.g. model_path=DIR for "
                             "bert (value parsed as YAML); repeatable")
    parser.add_argument("--no-feature-cache", action="store_true",
                        help="linear/finetune: run the frozen encoder on augmented pixels "
                             "every step instead of caching its features once")
    add_training_flags(parser)


def config_from_args(args: argparse.Namespace) -> Any:
    """The RunConfig the flags (over --config) describe."""
    from cmrbench.training.config import ConfigError, RunConfig

    values = field_values(args, FIELDS)
    if args.exclude:
        values["exclude"] = args.exclude
    options = dict(values.get("task_options") or {})
    if args.labels:
        options["labels"] = args.labels
    options.update(key_values(args.option, "--option"))
    if options:
        values["task_options"] = options
    text_options = {**(values.get("text_options") or {}),
                    **key_values(args.text_option, "--text-option")}
    if text_options:
        values["text_options"] = text_options
    if args.no_feature_cache:
        values["feature_cache"] = False
    if args.no_augment:
        values["augment"] = False
    require(values, REQUIRED)
    try:
        return RunConfig.from_mapping(values)
    except ConfigError as exc:
        raise CommandError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    from cmrbench.registry import UnknownNameError
    from cmrbench.task import TaskError
    from cmrbench.training.rundir import RunDirectoryError
    from cmrbench.training.runner import RunError, check_runnable, run_benchmark
    from cmrbench.weights import WeightsError

    config = config_from_args(args)
    try:
        check_runnable(config)
        result = run_benchmark(config, resume=args.resume, progress=not args.no_progress)
    except (RunError, TaskError, RunDirectoryError, UnknownNameError, WeightsError,
            FileNotFoundError) as exc:
        raise CommandError(str(exc)) from None
    if result:
        print(summary(result, config.out))
    return 0


def summary(result: dict[str, Any], out: Path) -> str:
    """A few lines: the primary metric with its interval, the other metrics (each beside its
    chance level where the task states one in ``details["chance"]``), where files are."""
    primary = result["primary_metric"]["name"]
    chance = (result.get("details") or {}).get("chance") or {}
    lines = [f"{result['task']} on {result['dataset']} with {result['encoder']} "
             f"({result['provenance'].get('initialisation')}, {result['mode']}): "
             f"{result['studies']['test']['studies']} test studies"]
    for name, metric in result["metrics"].items():
        if ":" in name:
            continue
        interval = (f" [{metric['lower']:.4g}, {metric['upper']:.4g}]"
                    if metric["lower"] is not None else "")
        value = "undefined" if metric["value"] is None else f"{metric['value']:.4g}"
        level = f" (chance {chance[name]:.4g})" if name in chance else ""
        lines.append(f"  {'*' if name == primary else ' '} {name}: {value}{interval}{level}")
    lines.append(f"run directory: {out} (predictions.csv, result.json)")
    return "\n".join(lines)
