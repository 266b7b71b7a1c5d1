"""Write a tiny cohort in the example layout, for the plugin's tests and README.

Each study's left ventricle is a stack of discs (the blood pool, bright on dark) whose radius
beats between end-diastole and end-systole; every slice scales both radii alike, so EDV, ESV
and LVEF follow exactly from the radii. Same arguments, same files; nothing is downloaded.

    python tests/make_cohort.py COHORT_DIR --studies 16
"""

import argparse
import csv
import math
from pathlib import Path

import nibabel as nib
import numpy as np

MATRIX, SLICES, FRAMES = 32, 4, 10
SPACING_MM, THICKNESS_MM, FRAME_S = 2.0, 8.0, 0.04
SLICE_SCALE = (1.0, 0.95, 0.85, 0.7)  # base to apex
# An oblique short-axis plane: rows, columns and slice steps in mm (RAS), origin in mm.
AFFINE = np.array([[SPACING_MM, 0.0, 0.0, -30.0],
                   [0.0, SPACING_MM * 0.8, -THICKNESS_MM * 0.6, -20.0],
                   [0.0, SPACING_MM * 0.6, THICKNESS_MM * 0.8, 10.0],
                   [0.0, 0.0, 0.0, 1.0]])


def beating_discs(ed_radius_mm: float, es_radius_mm: float, rng: np.random.Generator
                  ) -> np.ndarray:
    """uint16 (X, Y, Z, T): blood pool 400 on 60, noise sd 5; ED at frame 0, ES mid-cycle."""
    centre = (MATRIX - 1) / 2
    x, y = np.meshgrid(np.arange(MATRIX), np.arange(MATRIX), indexing="ij")
    distance_mm = np.hypot(x - centre, y - centre) * SPACING_MM
    phase = (1 + np.cos(2 * np.pi * np.arange(FRAMES) / FRAMES)) / 2  # 1 at ED, 0 at ES
    radius = es_radius_mm + (ed_radius_mm - es_radius_mm) * phase
    inside = distance_mm[:, :, None, None] <= (np.array(SLICE_SCALE)[:, None] * radius)
    image = np.where(inside, 400.0, 60.0) + rng.normal(0, 5, inside.shape)
    return np.clip(np.rint(image), 0, None).astype(np.uint16)


def stack_volume_ml(radius_mm: float) -> float:
    """The stack's exact volume: one cylinder of height THICKNESS_MM per slice."""
    return sum(math.pi * (radius_mm * s) ** 2 * THICKNESS_MM for s in SLICE_SCALE) / 1000


def write_cine(path: Path, cine: np.ndarray, affine: np.ndarray = AFFINE,
               units: tuple[str, str] = ("mm", "sec"), frame: float = FRAME_S) -> None:
    """One (X, Y, Z, T) cine as NIfTI-1, spacing and frame interval in the header's units."""
    image = nib.Nifti1Image(cine, affine)
    image.header.set_xyzt_units(*units)
    image.header.set_zooms((*np.linalg.norm(affine[:3, :3], axis=0), frame))
    path.parent.mkdir(parents=True, exist_ok=True)
    nib.save(image, path)


def write_cohort(root: Path, studies: int = 16, seed: int = 0) -> list[dict[str, object]]:
    """``studies`` study folders and labels.csv under ``root``; returns the label rows.

    The last study is a repeat visit of the first patient."""
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(studies):
        ed_radius, lvef = rng.uniform(18, 26), rng.uniform(25, 70)
        es_radius = ed_radius * math.sqrt(1 - lvef / 100)
        edv, esv = stack_volume_ml(ed_radius), stack_volume_ml(es_radius)
        study = f"S{index:04d}"
        write_cine(root / study / "cine_sax.nii.gz", beating_discs(ed_radius, es_radius, rng))
        rows.append({"study_id": study, "patient_id": f"P{index % max(studies - 1, 1):04d}",
                     "lvef": round(100 * (edv - esv) / edv, 2), "edv_ml": round(edv, 2),
                     "esv_ml": round(esv, 2)})
    with open(root / "labels.csv", "w", newline="") as table:
        writer = csv.DictWriter(table, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the cohort folder to write")
    parser.add_argument("--studies", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    write_cohort(args.out, args.studies, args.seed)
    print(f"{args.studies} studies in {args.out}")
