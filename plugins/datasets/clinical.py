"""The clinical reference layout: DICOM series per accession, reports and labels in CSVs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cmrbench import DatasetSpec, hookimpl
from cmrbench.cards import card_path
from cmrbench.ingest import FileRef, SourceStudy
from cmrbench.plugins.datasets._tables import read_keyed_csv

NAME = "clinical"
KEY = "accession"


def discover_clinical(root: Path, extra_labels: dict[str, dict[str, Any]] | None = None
                      ) -> Iterator[SourceStudy]:
    """Studies under ``root/dicom/<site>_<patient>/<accession>/``, with report and labels.

    File names in reports are ``<series folder>/<file>``: no patient or accession appears.
    """
    root = Path(root)
    reports = read_keyed_csv(root / "reports.csv", KEY) if (root / "reports.csv").exists() else {}
    labels = read_keyed_csv(root / "labels.csv", KEY) if (root / "labels.csv").exists() else {}
    for study_dir in sorted((root / "dicom").glob("*/*")):
        if not study_dir.is_dir():
            continue
        accession, patient = study_dir.name, study_dir.parent.name
        files = tuple(FileRef(p, display=p.relative_to(study_dir).as_posix())
                      for p in sorted(study_dir.glob("*/*.dcm")))
        study_labels = {**labels.get(accession, {}), **(extra_labels or {}).get(accession, {})}
        report = reports.get(accession, {}).get("report")
        yield SourceStudy(key=accession, patient=patient, files=files, labels=study_labels,
                          report=report)


def discover(root: Path) -> Iterator[SourceStudy]:
    return discover_clinical(root)


@hookimpl
def cmrbench_datasets() -> list[DatasetSpec]:
    return [DatasetSpec(name=NAME, description="Clinical CMR: DICOM per accession, reports, labels",
                        discover=discover, views=("4CH", "3CH", "2CH", "SAX"),
                        labels={"group": "categorical"}, card=card_path(NAME))]
