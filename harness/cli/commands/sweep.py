"""Run a grid of benchmarks (or a sharded ingest) through submitit, here or on SLURM.

    cmrbench sweep GRID.yaml [--dry-run] [--executor local|slurm] [--workers N]
                   [--partition P --gpus-per-node G --nodes N --cpus-per-task C --mem-gb M
                    --timeout-min T --account A ...]

Each run of the grid lives in OUT/runs/<hash of its resolved config>: running the same
command again skips finished runs, resumes interrupted ones from their last checkpoint and
starts the rest. The local executor waits and writes OUT/results.csv (one row per run, what
`cmrbench submit OUT/results.csv` takes); SLURM gets one job array (DDP across each task's
GPUs) and a job that writes results.csv when the array has ended. ``kind: ingest`` files
ingest a dataset as N shards, one job each. --dry-run prints the runs and, for SLURM, the
sbatch script, and submits nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cmrbench.cli.errors import CommandError

HELP = "run a grid of benchmarks (or a sharded ingest) locally or on SLURM, via submitit"

# flag -> (type, help); the ExecutorOptions field is the flag with '-' as '_'
OPTIONS = {
    "workers": (int, "local: jobs at once (default 1)"),
    "gpus": (int, "local: this machine's GPUs; worker i runs on GPU i mod N"),
    "partition": (str, "slurm: partition"),
    "account": (str, "slurm: account to charge"),
    "qos": (str, "slurm: quality of service"),
    "constraint": (str, "slurm: node features, e.g. a100"),
    "nodes": (int, "slurm: nodes per run (multi-node DDP)"),
    "gpus-per-node": (int, "slurm: GPUs per node per run, one DDP process each"),
    "cpus-per-task": (int, "slurm: CPUs per process (DataLoader workers + 1)"),
    "mem-gb": (float, "slurm: memory per node in GB"),
    "timeout-min": (int, "wall-time limit per job in minutes (default 1440)"),
    "array-parallelism": (int, "slurm: array tasks running at once"),
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("grid", type=Path, metavar="GRID.yaml", help="the sweep file")
    parser.add_argument("--executor", choices=("local", "slurm"),
                        help="where jobs run (default: the file's executor:, else local)")
    for flag, (kind, text) in OPTIONS.items():
        parser.add_argument(f"--{flag}", type=kind, help=text)
    parser.add_argument("--setup", action="append", metavar="SHELL_LINE",
                        help="slurm: a line run before the job, e.g. 'source .venv/bin/activate'"
                        " (repeatable)")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the runs (and the sbatch script) and submit nothing")
    parser.add_argument("--collect", action="store_true",
                        help="only write OUT/results.csv from the runs as they are")
    parser.add_argument("--no-progress", action="store_true")


def run(args: argparse.Namespace) -> int:
    from cmrbench.sweeps.grid import GridError, IngestGrid, load_grid
    from cmrbench.sweeps.options import OptionsError, merge_options

    try:
        grid = load_grid(args.grid)
        flags = {flag.replace("-", "_"): getattr(args, flag.replace("-", "_"))
                 for flag in OPTIONS}
        flags.update(executor=args.executor, setup=args.setup)
        options = merge_options(grid.executor, flags, str(grid.path))
    except (GridError, OptionsError) as exc:
        raise CommandError(str(exc)) from None
    if args.collect:
        return _collect(grid)
    if isinstance(grid, IngestGrid):
        from cmrbench.sweeps.launch import sweep_ingest

        return sweep_ingest(grid, options, dry_run=args.dry_run, progress=not args.no_progress)
    from cmrbench.sweeps.launch import sweep_runs

    try:
        return sweep_runs(grid, options, dry_run=args.dry_run, progress=not args.no_progress)
    except GridError as exc:
        raise CommandError(str(exc)) from None


def _collect(grid: object) -> int:
    from cmrbench.sweeps.grid import IngestGrid
    from cmrbench.sweeps.results import write_results

    if isinstance(grid, IngestGrid):
        raise CommandError("--collect writes a run grid's results.csv; an ingest sweep has "
                           "none (its store's ingest_report.json is the result)")
    try:
        print(f"results: {write_results(grid.out)}")
    except FileNotFoundError as exc:
        raise CommandError(str(exc)) from None
    return 0
