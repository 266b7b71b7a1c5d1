"""The phantom's clinical export plants what real exports hold beside the cines (localizers,
late enhancement, a TI scout, a black-blood stack, repeated acquisitions); ingest keeps
exactly the rendered cines, refuses each confuser with its reason, and says per view which
series it kept and why.

The confusers' headers carry the standard attributes (DICOM PS3.3 C.8.3.1, Table C.8-4:
ScanningSequence IR/SE, InversionTime, CardiacNumberOfImages; ImageType LOCALIZER, C.8.16.1.3);
which series is which is read back from the files' own SeriesDescription with pydicom, not
from the loader. Pixels are compared with the phantom's rendering: the independent truth.
"""

from __future__ import annotations

import dataclasses
import re
from collections import defaultdict

import numpy as np
import pydicom
import pytest
from cmrbench.cards import ViewRule
from cmrbench.ingest import ingest, reasons
from cmrbench.phantom.writers import _confusers as kinds
from cmrbench.phantom.writers.clinical import FAILED_FIRST, INCOMPLETE_REPEAT
from cmrbench.registry import get_registry
from cmrbench.store import StudyStore

# the clinical card's rules before issue 21, plus the vendors' localizer names: names let
# every confuser through, so only the content checks stand between them and the store
BEFORE = [("loc|survey|sax|short.?axis|_sa$", "SAX"),
          ("4.?ch|4.?chamber|four.?chamber", "4CH"),
          ("3.?ch|3.?chamber|three.?chamber|lvot", "3CH"),
          ("2.?ch|2.?chamber|two.?chamber|vla", "2CH")]
BY_CONTENT = {kinds.NAMED_LOCALIZER: reasons.NOT_CINE, kinds.BLACK_BLOOD: reasons.SPIN_ECHO,
              kinds.TI_SCOUT: reasons.INVERSION_RECOVERY,
              kinds.LATE_ENHANCEMENT: reasons.INVERSION_RECOVERY}


@pytest.fixture(scope="module")
def by_names_alone(clinical, tmp_path_factory):
    """The clinical phantom ingested with the pre-census view map: (report, store)."""
    rules = tuple(ViewRule(re.compile(p, re.IGNORECASE), (v,)) for p, v in BEFORE)
    card = dataclasses.replace(clinical.card, view_map=rules)
    out = tmp_path_factory.mktemp("by-names") / "store"
    spec = get_registry().dataset("clinical")
    report = ingest(spec.discover(clinical.source), card, out, progress=False)
    return report, StudyStore(out)


def planted_names(study) -> tuple[str, ...]:
    """The patient's name as the phantom appends it to descriptions (issue 19's free-text PHI):
    as DICOM writes it and typed out."""
    family, given = study.identity.patient_name.split("^")[:2]
    return (f" {study.identity.patient_name}", f" {given.title()} {family.title()}")


def unnamed(study, description: str) -> str:
    """A SeriesDescription without the patient's name a technologist appended to it."""
    for name in planted_names(study):
        description = description.removesuffix(name)
    return description


def shown(study, description: str) -> str:
    """How ingest shows a planted description: its name cleaned to [NAME]."""
    header = {unnamed(study, d): d for d in NAMED_IN_HEADERS[study.study_id]}.get(description)
    return f"{description} [NAME]" if header is not None else description


NAMED_IN_HEADERS: dict[str, set[str]] = {}


@pytest.fixture(scope="module")
def files(clinical) -> dict[str, dict[str, set[str]]]:
    """Study -> SeriesDescription (without a planted name) -> its files, as the report names
    them."""
    found: dict[str, dict[str, set[str]]] = {}
    for study in clinical.studies:
        root = clinical.source / "dicom" / study.patient_id / study.study_id
        found[study.study_id] = defaultdict(set)
        NAMED_IN_HEADERS[study.study_id] = set()
        for path in root.glob("series_*/*.dcm"):
            description = pydicom.dcmread(path, stop_before_pixels=True).SeriesDescription
            if unnamed(study, description) != description:
                NAMED_IN_HEADERS[study.study_id].add(description)
            found[study.study_id][unnamed(study, description)].add(
                path.relative_to(root).as_posix())
    return found


def rejections(report, store_id: str) -> dict[str, tuple[str, str]]:
    return {item["file"]: (item["reason"], item["detail"]) for item in report.rejected_files
            if item["study"] == store_id}


def expected_reason(kind: str, vendor: str) -> str:
    if kind == kinds.LOCALIZER:  # GE marks its localizer; the others hold one phase
        return reasons.LOCALIZER if vendor == "GE MEDICAL SYSTEMS" else reasons.NOT_CINE
    return BY_CONTENT[kind]


def test_every_study_plants_every_confuser(clinical, files):
    for study in clinical.studies:
        planted = clinical.truth_row(study.study_id)["quirks"].split(";")
        assert set(kinds.BEFORE_CINES + kinds.AFTER_CINES) <= set(planted)
        names = kinds.NAMES[study.vendor]
        assert {names[kind][0] for kind in names} <= set(files[study.study_id])


def test_each_confuser_is_refused_by_content_when_its_name_passes(clinical, by_names_alone,
                                                                  files):
    report, _ = by_names_alone
    vendors = set()
    for study in clinical.studies:
        refused = rejections(report, clinical.store_id(study.study_id))
        for kind, (description, _) in kinds.NAMES[study.vendor].items():
            expected = expected_reason(kind, study.vendor)
            found = files[study.study_id][description]
            assert {refused[f][0] for f in found} == {expected}, (kind, study.vendor)
            assert all(f"({shown(study, description)!r})" in refused[f][1] for f in found)
        vendors.add(study.vendor)
    assert len(vendors) >= 2


@pytest.mark.parametrize("ingested", ["by_names_alone", "default_card"])
def test_only_the_rendered_cines_are_stored(clinical, by_names_alone, ingested):
    """With names that let every confuser through, or with the default card."""
    store = by_names_alone[1] if ingested == "by_names_alone" else clinical.store
    for study in clinical.studies:
        store_id = clinical.store_id(study.study_id)
        assert set(store.views(store_id)) == set(study.views)
        for name, truth in study.views.items():
            order = np.argsort(np.asarray(truth.positions) @ truth.normal, kind="stable")
            stored = np.stack([store.read_cine(store_id, name, k)
                               for k in range(truth.n_slices)])
            assert np.array_equal(stored, truth.cine[order]), (study.study_id, name)


def test_the_default_card_skips_the_confusers_by_name(clinical, files):
    for study in clinical.studies:
        refused = rejections(clinical.report, clinical.store_id(study.study_id))
        for description, _ in kinds.NAMES[study.vendor].values():
            for file in files[study.study_id][description]:
                reason, detail = refused[file]
                assert reason == reasons.UNMAPPED and "leaves it out as" in detail


@pytest.mark.parametrize(("repeat", "view", "kept_index", "rule"), [
    (INCOMPLETE_REPEAT, "4CH", 0, "the most complete cardiac cycle (1.0 against at most 0.6)"),
    (FAILED_FIRST, "2CH", 1, "the most recent of 2 candidates with equally complete cycles"),
])
def test_the_report_says_which_repeat_was_kept_and_why(clinical, files, repeat, view,
                                                       kept_index, rule):
    """The first study's 4CH repeat was cut short: the complete first series is kept. The
    second study's first 2CH attempt was motion-corrupted: the repeat is kept."""
    (study,) = [s for s in clinical.studies
                if repeat in clinical.truth_row(s.study_id)["quirks"]]
    store_id = clinical.store_id(study.study_id)
    found = files[study.study_id][study.scanner.descriptions[view]]
    numbers = sorted({int(f.split("/")[0].removeprefix("series_")) for f in found})
    kept = clinical.report.kept[store_id]
    assert set(kept) == {"SAX", "4CH", "3CH", "2CH"}
    assert kept[view]["series"] == [{
        "number": numbers[kept_index],
        "description": shown(study, study.scanner.descriptions[view])}]
    assert kept[view]["reason"].startswith(rule)
    loser = numbers[1 - kept_index]
    refused = rejections(clinical.report, store_id)
    assert {refused[f][0] for f in found if f.startswith(f"series_{loser:03d}/")} == {
        reasons.NOT_CHOSEN}
