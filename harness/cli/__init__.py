"""The ``cmrbench`` command line.

Each subcommand is one module in :mod:`cmrbench.cli.commands`; its module name is the command
name (``_`` becomes ``-``). A command module defines ``HELP`` (one line),
``add_arguments(parser)`` and ``run(args) -> int``, and imports anything heavy inside ``run`` so
that ``cmrbench --help`` stays fast. A user error is raised as
:class:`cmrbench.cli.errors.CommandError` (exit status 2); a plugin's code failing at run time
raises :class:`cmrbench.registry.PluginFailure` (exit status 1, the message names the plugin).
Adding a command is adding one module.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
from collections.abc import Sequence

from cmrbench import __version__
from cmrbench.cli import commands
from cmrbench.cli.errors import CommandError
from cmrbench.registry import PluginFailure


def _command_modules() -> dict[str, object]:
    found = {}
    for info in pkgutil.iter_modules(commands.__path__):
        if not info.name.startswith("_"):
            module = importlib.import_module(f"{commands.__name__}.{info.name}")
            found[info.name.replace("_", "-")] = module
    return dict(sorted(found.items()))


def build_parser() -> argparse.ArgumentParser:
    """The full parser: global options plus one sub-parser per command module."""
    parser = argparse.ArgumentParser(
        prog="cmrbench",
        description="Benchmark cardiac MRI video models: every encoder scored the same way.")
    parser.add_argument("--version", action="version", version=f"cmrbench {__version__}")
    parser.add_argument("--disable", action="append", default=[], metavar="PLUGIN",
                        help="do not load this plugin (entry-point name); repeatable; "
                             "also read from CMRBENCH_DISABLE")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module in _command_modules().items():
        command = sub.add_parser(name, help=module.HELP, description=module.__doc__)
        module.add_arguments(command)
        command.set_defaults(_run=module.run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except CommandError as exc:
        print(f"cmrbench {args.command}: {exc}", file=sys.stderr)
        return 2
    except PluginFailure as exc:
        print(f"cmrbench {args.command}: {exc}", file=sys.stderr)
        return 1


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
