"""Phantom cohorts written in each real layout, and ingested through the public path."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from cmrbench.cards import load_card
from cmrbench.ingest import IngestReport, ingest
from cmrbench.phantom import PhantomStudy, generate_cohort, write_layout
from cmrbench.registry import get_registry
from cmrbench.splits import salted_id
from cmrbench.store import StudyStore

MATRIX = 48  # small images keep the suite fast; geometry and timing stay realistic


class Ingested:
    """A phantom source, its studies and truth table, and the store and report its ingest
    produced."""

    def __init__(self, source: Path, store: Path, dataset: str, report: IngestReport,
                 studies: list[PhantomStudy]) -> None:
        self.source, self.dataset, self.report, self.studies = source, dataset, report, studies
        self.truth = pd.read_csv(source / "truth.csv", dtype={"study_id": str, "quirks": str})
        self.truth["quirks"] = self.truth["quirks"].fillna("")
        self.store = StudyStore(store)
        self.card = load_card(get_registry().dataset(dataset).card)

    def store_id(self, raw_study_id: str) -> str:
        return salted_id(self.card.id_salt, f"study:{raw_study_id}")

    def truth_row(self, raw_study_id: str) -> pd.Series:
        return self.truth.set_index("study_id").loc[raw_study_id]


def write_and_ingest(root: Path, layout: str, dataset: str, n: int, seed: int = 3,
                     workers: int = 1, matrix: int | None = MATRIX) -> Ingested:
    source = root / f"{layout}-src"
    studies = generate_cohort(n, seed, layout, matrix=matrix)
    write_layout(layout, studies, source)
    spec = get_registry().dataset(dataset)
    store = root / f"{dataset}-store"
    report = ingest(spec.discover(source), load_card(spec.card), store, decode=spec.decode,
                    workers=workers, progress=False, source=source)
    return Ingested(source, store, dataset, report, studies)


@pytest.fixture(scope="session")
def acdc(tmp_path_factory) -> Ingested:
    # the layout's own resolution: voxel-counted volumes are only exact to 5 % at it
    return write_and_ingest(tmp_path_factory.mktemp("acdc"), "acdc", "acdc", n=5, matrix=None)


@pytest.fixture(scope="session")
def kaggle(tmp_path_factory) -> Ingested:
    return write_and_ingest(tmp_path_factory.mktemp("kaggle"), "kaggle", "kaggle-dsb", n=4)


@pytest.fixture(scope="session")
def ukbb(tmp_path_factory) -> Ingested:
    return write_and_ingest(tmp_path_factory.mktemp("ukbb"), "ukbb", "ukbb", n=3, workers=2)


@pytest.fixture(scope="session")
def clinical(tmp_path_factory) -> Ingested:
    return write_and_ingest(tmp_path_factory.mktemp("clinical"), "clinical", "clinical", n=4)


@pytest.fixture(scope="session")
def clinical_h5(tmp_path_factory) -> Ingested:
    # seed 0 draws all four sites: rgb and grey arrays, raw and built keys
    return write_and_ingest(tmp_path_factory.mktemp("clinical-h5"), "clinical-h5",
                            "clinical-h5", n=4, seed=0)


@pytest.fixture(scope="session")
def phantom(clinical, tmp_path_factory) -> Ingested:
    spec = get_registry().dataset("phantom")
    store = tmp_path_factory.mktemp("phantom") / "store"
    report = ingest(spec.discover(clinical.source), load_card(spec.card), store,
                    progress=False)
    return Ingested(clinical.source, store, "phantom", report, clinical.studies)
