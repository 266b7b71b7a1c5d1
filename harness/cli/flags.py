"""Flags that mirror a configuration dataclass, read over an optional ``--config`` YAML file.

A command declares its fields as ``{flag: (type, help)}``; the dataclass field is the flag
with '-' as '_'. Values given on the command line win over the file's.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from cmrbench.cli.errors import CommandError
from cmrbench.files import read_yaml_mapping


def add_fields(parser: argparse.ArgumentParser, fields: Mapping[str, tuple[Any, str]]) -> None:
    """``--config FILE`` and one flag per field."""
    parser.add_argument("--config", type=Path, help="a YAML file with the same fields")
    for flag, (kind, text) in fields.items():
        parser.add_argument(f"--{flag}", type=kind, help=text)


def add_training_flags(parser: argparse.ArgumentParser) -> None:
    """The switches every training command shares (``run``, ``pretrain``)."""
    parser.add_argument("--no-augment", action="store_true",
                        help="train on the evaluation transform (no random crops or AugMix)")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run from RUN_DIR/checkpoints/last.ckpt")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")


def field_values(args: argparse.Namespace, fields: Iterable[str]) -> dict[str, Any]:
    """The ``--config`` file's mapping, overridden by the flags given."""
    values: dict[str, Any] = yaml_mapping(args.config) if args.config is not None else {}
    for flag in fields:
        value = getattr(args, flag.replace("-", "_"))
        if value is not None:
            values[flag.replace("-", "_")] = value
    return values


def yaml_mapping(path: Path) -> dict[str, Any]:
    """A YAML file's mapping with keys in field form ('-' as '_')."""
    data = read_yaml_mapping(path, what="configuration", error=CommandError,
                             label=f"--config {path}")
    return {str(k).replace("-", "_"): v for k, v in data.items()}


def key_values(items: Iterable[str], flag: str) -> dict[str, Any]:
    """``KEY=VALUE`` items as a mapping, each value parsed as YAML (``3`` is a number)."""
    import yaml

    out: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise CommandError(f"{flag} {item!r}: expected KEY=VALUE")
        out[key.strip()] = yaml.safe_load(raw)
    return out


def require(values: Mapping[str, Any], names: Iterable[str]) -> None:
    """A CommandError naming every required field that neither a flag nor the file gave."""
    missing = [f"--{name.replace('_', '-')}" for name in names if name not in values]
    if missing:
        raise CommandError(f"missing {', '.join(missing)} (as flags or in --config)")
