"""The phantom cohort, written in the clinical layout, with exact labels from truth.csv."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cmrbench import DatasetSpec, hookimpl
from cmrbench.cards import card_path
from cmrbench.ingest import SourceStudy
from cmrbench.plugins.datasets._tables import read_keyed_csv
from cmrbench.plugins.datasets.clinical import discover_clinical

NAME = "phantom"


def discover(root: Path) -> Iterator[SourceStudy]:
    """Clinical-layout studies whose labels come from the generator's truth table."""
    truth_file = Path(root) / "truth.csv"
    if not truth_file.exists():
        raise FileNotFoundError(f"{truth_file} is missing: make the cohort with "
                                "`cmrbench phantom --layout clinical --out DIR`")
    # the truth table's raw patient ID stands in for PHI, and its quirks describe the files:
    # neither becomes a label
    truth = {study: {k: v for k, v in row.items() if k not in ("patient_id", "quirks")}
             for study, row in read_keyed_csv(truth_file, "study_id").items()}
    yield from discover_clinical(root, extra_labels=truth)


@hookimpl
def cmrbench_datasets() -> list[DatasetSpec]:
    return [DatasetSpec(name=NAME, description="Procedural phantom cohort with exact ground truth",
                        discover=discover, views=("4CH", "3CH", "2CH", "SAX"),
                        labels={"group": "categorical", "lvef": "continuous",
                                "edv_ml": "continuous", "esv_ml": "continuous"},
                        card=card_path(NAME))]
