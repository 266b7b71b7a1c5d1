"""Write a procedural phantom cohort in a real dataset's on-disk layout, with its exact truth.

Layouts: acdc (NIfTI cines, ED/ES label maps, Info.cfg), kaggle (Data Science Bowl DICOM
folders, train.csv and the download's quirks), ukbb (UK Biobank zips with manifests and a
phenotype table), clinical (a PACS-style DICOM export with fake PHI, reports.csv, labels.csv),
clinical-h5 (that cohort as the reference pipeline's cmr_toolkit stores it: one HDF5 file per
scan, in rgb or grey arrays, plus series_map.csv).
Beside the layout, DIR/truth.csv lists every study's identifiers, group, exact volumes, LVEF,
findings and site. The same seed writes the same bytes.

Example: cmrbench phantom --layout acdc --n 20 --seed 0 --out data/phantom-acdc
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

from cmrbench.cli.errors import CommandError

HELP = "write a phantom cohort with exact truth in a real dataset's layout"
# Kept literal so that `cmrbench --help` does not import the renderer; a test checks it
# against cmrbench.phantom.LAYOUTS.
LAYOUT_CHOICES = ("acdc", "kaggle", "ukbb", "clinical", "clinical-h5")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--layout", required=True, choices=LAYOUT_CHOICES,
                        help="which real dataset's layout to write")
    parser.add_argument("--n", type=int, default=20, help="number of studies (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="cohort seed (default 0)")
    parser.add_argument("--out", type=Path, required=True, help="output directory")
    parser.add_argument("--matrix", type=int, default=None,
                        help="image rows (default: each site's own matrix)")
    parser.add_argument("--fov-mm", type=float, default=None,
                        help="field of view along the rows in mm (default: per site)")
    parser.add_argument("--frames", type=int, default=None,
                        help="frames per cycle (default: the layout's, e.g. 50 for ukbb)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace a phantom cohort already in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    problem = _check(args)
    if problem:
        raise CommandError(problem)
    from cmrbench.phantom import TRUTH_FILE, iter_cohort, write_layout
    from tqdm import tqdm

    if args.overwrite and args.out.exists():
        shutil.rmtree(args.out)
    start = time.perf_counter()
    studies = iter_cohort(args.n, args.seed, args.layout, frames=args.frames,
                          matrix=args.matrix, fov_mm=args.fov_mm)
    progress = tqdm(studies, total=args.n, desc=f"phantom {args.layout}", unit="study",
                    file=sys.stderr, disable=True if args.quiet else None)
    truth = write_layout(args.layout, progress, args.out)
    seconds = time.perf_counter() - start
    print(f"wrote {len(truth)} {args.layout} studies to {args.out} in {seconds:.1f} s "
          f"(truth: {args.out / TRUTH_FILE})")
    return 0


def _check(args: argparse.Namespace) -> str | None:
    """The first problem with the arguments, phrased with its fix, or None."""
    if args.n < 1:
        return f"--n {args.n}: a cohort needs at least one study; pass --n 1 or more"
    if args.matrix is not None and args.matrix < 32:
        return f"--matrix {args.matrix}: too few rows to draw a heart; pass 32 or more"
    if args.frames is not None and args.frames < 8:
        return f"--frames {args.frames}: too few to resolve systole; pass 8 or more"
    out: Path = args.out
    if out.exists() and not out.is_dir():
        return f"--out {out} is a file; pass a directory"
    if out.is_dir() and any(out.iterdir()):
        if not args.overwrite:
            return (f"--out {out} is not empty; pass --overwrite to replace a phantom cohort "
                    "written there before, or choose a new directory")
        if not (out / "truth.csv").is_file():
            return (f"--out {out} is not empty and holds no truth.csv, so it is not a phantom "
                    "cohort; --overwrite only replaces those. Choose a new directory")
    return None
