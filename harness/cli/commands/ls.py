"""List the encoders, datasets, tasks and text cleaners the installed plugins provide, and any
plugin problems.

Each encoder's pretrained tags are listed under it, with their published accuracy, size,
source and licence (`cmrbench weights ls` says which are cached).

Plugin problems go to stderr and do not change the exit code unless --strict is given, so a
broken third-party plugin never hides the working ones.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

from cmrbench.cli.errors import CommandError, lookup
from cmrbench.registry import KINDS, Entry, Registry, get_registry
from cmrbench.tags import summary

HELP = "list encoders, datasets, tasks and text cleaners with their providing package"
PLURALS = {f"{kind}s": kind for kind in KINDS}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("what", nargs="?", choices=sorted(PLURALS), help="only this kind")
    parser.add_argument("--name", help="show one entry in full (needs a kind)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 if any plugin failed to load or returned a bad spec")


def run(args: argparse.Namespace) -> int:
    registry = get_registry(disabled=args.disable)
    kinds = [PLURALS[args.what]] if args.what else list(KINDS)
    if args.name is not None:
        if not args.what:
            raise CommandError(f"--name needs a kind, e.g. `cmrbench ls encoders --name "
                               f"{args.name}`")
        entries = {kinds[0]: [lookup(kinds[0], args.name, args.disable)]}
    else:
        entries = {kind: registry.entries(kind) for kind in kinds}
    problems = registry.problems
    if args.json:
        print(json.dumps(_as_json(entries, registry), indent=2))
    else:
        _print_table(entries)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    return 1 if args.strict and problems else 0


def describe(entry: Entry) -> dict[str, Any]:
    """A JSON-ready description of one entry: its spec's data fields and its provider."""
    fields = {}
    for f in dataclasses.fields(entry.spec):
        value = getattr(entry.spec, f.name)
        if callable(value):
            continue
        fields[f.name] = _jsonable(value)
    provider = dataclasses.asdict(entry.provider)
    return {**fields, "provider": provider}


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {f.name: _jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict) or hasattr(value, "items"):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def _as_json(entries: dict[str, list[Entry]], registry: Registry) -> dict[str, Any]:
    out: dict[str, Any] = {f"{kind}s": [describe(e) for e in found]
                           for kind, found in entries.items()}
    out["problems"] = [dataclasses.asdict(p) for p in registry.problems]
    return out


def _print_table(entries: dict[str, list[Entry]]) -> None:
    for kind, found in entries.items():
        print(f"{kind}s ({len(found)})")
        if not found:
            print("  (none)")
        width = max((len(e.name) for e in found), default=0)
        for e in found:
            print(f"  {e.name:<{width}}  {e.spec.description}  [{e.provider}]")
            for weights in getattr(e.spec, "pretrained", ()):
                published, origin = summary(weights)
                print(f"  {'':<{width}}    tag {e.name}.{weights.name}  {published}\n"
                      f"  {'':<{width}}      {origin}")
