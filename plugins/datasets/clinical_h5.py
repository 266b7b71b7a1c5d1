"""The clinical cohort as the reference pipeline's toolkit stores it: one HDF5 file per scan.

``ROOT/<institution>_<MRN>/<AccessionNumber>.h5`` (rohanshad/cmr_toolkit
``utils/preprocess_mri.py``), one dataset per series keyed by its cleaned SeriesDescription,
or by 4CH/3CH/2CH/SAX after the toolkit's build step; ``reports.csv`` and ``labels.csv`` keyed
by accession, as for the ``clinical`` dataset. Series map to views with the card's view map
(or the toolkit's own CSV: ``cmrbench ingest --series-map``); when several series map to one
view, the one whose rule comes first wins, then the first key in natural order. Pixel
spacing, slice positions and frame times were not stored, so they are NaN in the store.

Folder and file names are the MRN and the accession: they only ever form the raw study and
patient keys, which ingest hashes. Reports name files ``study.h5/<series key>``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
from cmrbench import DatasetSpec, hookimpl
from cmrbench.cards import DatasetCard, card_path
from cmrbench.ingest import Decoded, FileRef, Rejection, SourceStudy
from cmrbench.plugins.datasets._tables import read_keyed_csv
from cmrbench.plugins.datasets._toolkit_h5 import SeriesProblem, read_series
from cmrbench.store import ViewVolume, as_storage_dtype

NAME = "clinical-h5"
KEY = "accession"
STUDY_FILE = "study.h5"  # how reports name the scan's file, whose real name is the accession
UNKNOWN = float("nan")


def discover(root: Path) -> Iterator[SourceStudy]:
    """Every ``<institution>_<MRN>/<accession>.h5`` under ``root``, with report and labels."""
    root = Path(root)
    reports = _table(root / "reports.csv")
    labels = _table(root / "labels.csv")
    paths = sorted(root.glob("*/*.h5"))
    _refuse_ambiguous_accessions(paths, set(reports) | set(labels))
    for path in paths:
        folder, accession = path.parent.name, path.stem
        institution, underscore, _ = folder.partition("_")
        yield SourceStudy(key=f"{folder}/{accession}", patient=folder,
                          files=(FileRef(path, display=STUDY_FILE),),
                          labels=dict(labels.get(accession, {})),
                          report=reports.get(accession, {}).get("report"),
                          meta={"institution": institution} if underscore else {})


def _table(path: Path) -> dict[str, dict[str, Any]]:
    return read_keyed_csv(path, KEY) if path.exists() else {}


def _refuse_ambiguous_accessions(paths: list[Path], keyed: set[str]) -> None:
    """An accession filed under two patients cannot take its row of an accession-keyed CSV."""
    repeated = [a for a, n in Counter(p.stem for p in paths).items() if n > 1 and a in keyed]
    if repeated:  # the accessions themselves are identifiers: count them, never print them
        raise ValueError(f"{len(repeated)} accession number(s) of reports.csv/labels.csv name "
                         "an .h5 file in more than one patient folder, so their rows cannot "
                         "be matched to a scan; make accessions unique across institutions")


def decode(study: SourceStudy, card: DatasetCard) -> Decoded:
    """Each view from its chosen series, split into slices; every other series is reported."""
    ref = study.files[0]
    try:
        with h5py.File(ref.path, "r") as h5:
            return _decode_file(h5, card, ref.name)
    except (OSError, RuntimeError) as exc:  # what h5py raises for a broken file
        return Decoded({}, [Rejection(ref.name, "corrupt: not a readable HDF5 file",
                                      scrubbed(exc, ref.path))])


def scrubbed(exc: Exception, path: Path) -> str:
    """The error's text without the file's path or name: they are the MRN and accession."""
    text = f"{type(exc).__name__}: {exc}"
    for secret in (str(path), path.name, path.parent.name, path.stem):
        text = text.replace(secret, "<scan>")
    return text


def _decode_file(h5: h5py.File, card: DatasetCard, file: str) -> Decoded:
    candidates: dict[str, list[tuple[int, list[Any], str]]] = defaultdict(list)
    rejected = []
    for key in h5:
        rule = _rule_for(card, key)
        name = f"{file}/{key}"
        if rule is None:
            rejected.append(Rejection(name, "unmapped series description",
                                      f"{key!r}: {card.why_unmapped(key)} (or name it in "
                                      "the --series-map CSV)"))
        elif rule[1] not in card.views:
            rejected.append(Rejection(name, "view not in this dataset",
                                      f"{key!r} maps to {rule[1]}; the card lists "
                                      f"{sorted(card.views)}"))
        elif not isinstance(h5[key], h5py.Dataset):
            rejected.append(Rejection(name, "not a series", f"{key!r} is an HDF5 group"))
        else:
            candidates[rule[1]].append((rule[0], _natural(key), key))
    views = {}
    for view, ranked in candidates.items():
        volume, problems = _first_usable(h5, view, [key for *_, key in sorted(ranked)], file)
        rejected += problems
        if volume is not None:
            views[view] = volume
    return Decoded(views, rejected)


def _rule_for(card: DatasetCard, key: str) -> tuple[int, str] | None:
    """(rank, view) of the first view-map rule matching ``key`` (one series is one plane, so a
    multi-plane rule does not apply)."""
    for rank, rule in enumerate(card.view_map):
        if rule.pattern.search(key):
            return (rank, rule.views[0]) if len(rule.views) == 1 else None
    return None


def _natural(key: str) -> list[Any]:
    """Sort key that puts SAX_2 before SAX_10."""
    return [(0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", key)]


def _first_usable(h5: h5py.File, view: str, keys: list[str], file: str
                  ) -> tuple[ViewVolume | None, list[Rejection]]:
    """The view from the first usable series of ``keys``; the rest are reported as repeats."""
    rejected = []
    for position, key in enumerate(keys):
        try:
            series = read_series(f"{file}/{key}", h5[key])
        except SeriesProblem as problem:
            rejected.append(Rejection(f"{file}/{key}", problem.reason, problem.detail))
            continue
        except OSError as exc:  # a damaged chunk: the other series may still be whole
            rejected.append(Rejection(f"{file}/{key}", "corrupt series data",
                                      scrubbed(exc, Path(h5.filename))))
            continue
        rejected += series.dropped
        rejected += [Rejection(f"{file}/{other}", "repeated series",
                               f"{view} is taken from {key!r}, ranked first by the view map")
                     for other in keys[position + 1:]]
        return _volume(series.cine, key), rejected
    return None, rejected


def _volume(cine: np.ndarray, key: str) -> ViewVolume:
    slices, frames = cine.shape[:2]
    return ViewVolume(cine=as_storage_dtype(cine), pixel_spacing=(UNKNOWN, UNKNOWN),
                      slice_thickness=UNKNOWN, frame_times_ms=np.full(frames, UNKNOWN),
                      slice_positions_mm=np.full(slices, UNKNOWN), series_description=key)


@hookimpl
def cmrbench_datasets() -> list[DatasetSpec]:
    return [DatasetSpec(name=NAME, description="Clinical CMR as cmr_toolkit HDF5: one file per "
                                               "accession, reports, labels",
                        discover=discover, decode=decode, views=("4CH", "3CH", "2CH", "SAX"),
                        labels={"group": "categorical"}, card=card_path(NAME))]
