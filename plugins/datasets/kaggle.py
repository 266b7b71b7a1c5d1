"""Kaggle Data Science Bowl 2015: DICOM series per slice folder, volumes in CSV files."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

from cmrbench import DatasetSpec, hookimpl
from cmrbench.cards import DatasetCard, card_path
from cmrbench.ingest import Decoded, FileRef, Rejection, SourceStudy, assemble_views, read_frames
from cmrbench.plugins.datasets._tables import ejection_fraction, read_keyed_csv

NAME = "kaggle-dsb"
SPLITS = ("train", "validate", "test")
SOLUTION = "solution.csv"
FILE_NAME = re.compile(r"^IM-(\d+)-(\d+)(?:-(\d+))?\.dcm$", re.IGNORECASE)


def _split_root(root: Path, split: str) -> Path:
    """The folder holding study IDs; the Kaggle archive nests train/train/."""
    base = root / split
    return base / split if (base / split).is_dir() else base


def _labels(root: Path) -> dict[str, dict[str, float]]:
    """Volumes by study ID: train.csv and validate.csv ("Id,Systole,Diastole", ml) and the
    test split's solution.csv, released in long format ("Id,Volume" with Id "<id>_Systole" or
    "<id>_Diastole"), as the competition published them."""
    volumes: dict[str, dict[str, float]] = {}
    for csv in ("train.csv", "validate.csv"):
        if (root / csv).exists():
            for study, row in read_keyed_csv(root / csv, "Id").items():
                if "Systole" in row and "Diastole" in row:
                    volumes[study] = {"Systole": float(row["Systole"]),
                                      "Diastole": float(row["Diastole"])}
    if (root / SOLUTION).exists():
        for key, row in read_keyed_csv(root / SOLUTION, "Id").items():
            study, _, phase = key.rpartition("_")
            if phase in ("Systole", "Diastole") and "Volume" in row:
                volumes.setdefault(study, {})[phase] = float(row["Volume"])
    return {study: {"systole_ml": v["Systole"], "diastole_ml": v["Diastole"],
                    "lvef": ejection_fraction(v["Diastole"], v["Systole"])}
            for study, v in volumes.items() if "Systole" in v and "Diastole" in v}


def discover(root: Path) -> Iterator[SourceStudy]:
    """Every <id>/study folder of train, validate and test, with its volumes when known."""
    root = Path(root)
    labels = _labels(root)
    for split in SPLITS:
        base = _split_root(root, split)
        if not base.is_dir():
            continue
        folders = [p for p in base.iterdir() if p.name.isdigit() and (p / "study").is_dir()]
        for folder in sorted(folders, key=lambda p: int(p.name)):
            study_dir = folder / "study"
            files = tuple(FileRef(p, display=p.relative_to(study_dir).as_posix())
                          for p in sorted(study_dir.glob("*/*.dcm")))
            yield SourceStudy(key=folder.name, patient=folder.name, files=files,
                              labels=labels.get(folder.name, {}), meta={"kaggle_split": split})


def latest_repeats(files: tuple[FileRef, ...]) -> tuple[list[FileRef], list[Rejection]]:
    """Keep, per slice folder and frame, the file with the highest repeat number.

    IM-SSSS-FFFF.dcm is acquisition 0; IM-SSSS-FFFF-RRRR.dcm are repeats of frame FFFF.
    """
    best: dict[tuple[str, int], tuple[int, FileRef]] = {}
    rejected = []
    for ref in files:
        folder, _, name = ref.name.rpartition("/")
        match = FILE_NAME.match(name)
        if match is None:
            best[(ref.name, -1)] = (0, ref)
            continue
        key, candidate = (folder, int(match.group(2))), (int(match.group(3) or 0), ref)
        current = best.get(key)
        if current is not None and candidate[0] < current[0]:
            current, candidate = candidate, current  # the file already kept is the later repeat
        if current is not None:
            rejected.append(Rejection(current[1].name, "repeated series",
                                      "superseded by a later repeat of the same frame"))
        best[key] = candidate
    return [ref for _, ref in best.values()], rejected


def decode(study: SourceStudy, card: DatasetCard) -> Decoded:
    """Folder names (sax_N, 2ch_N, 4ch_N) name the views; each folder is one series."""
    kept, rejected = latest_repeats(study.files)
    frames, unreadable = read_frames(kept)
    frames = [dataclasses.replace(f, description=f.file.split("/")[0],
                                  series_uid=f.file.split("/")[0]) for f in frames]
    decoded = assemble_views(frames, card.views_for, card.views, card.slice_numbering)
    return Decoded(decoded.views, rejected + unreadable + decoded.rejected, kept=decoded.kept)


@hookimpl
def cmrbench_datasets() -> list[DatasetSpec]:
    return [DatasetSpec(name=NAME, description="Kaggle DSB 2015: DICOM cines, LV volumes (ml)",
                        discover=discover, decode=decode, views=("SAX", "2CH", "4CH"),
                        labels={"systole_ml": "continuous", "diastole_ml": "continuous",
                                "lvef": "continuous"},
                        card=card_path(NAME))]
