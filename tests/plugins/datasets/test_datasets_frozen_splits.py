"""Frozen splits: each card's split rule is pinned by its hash and a golden assignment.

A changed ratio, salt, range or hashing scheme moves studies between train and test, which
makes every published score incomparable. Such a change must be a deliberate, visible version
bump: new golden values here, a new salt or card version, and a **(scores)** CHANGELOG entry.
The IDs below are invented (no ID of a restricted cohort is ever published); for hashed rules
they are chosen so that every split occurs.
"""

from __future__ import annotations

import json
import shutil

import pytest
from cmrbench.cards import card_path, load_card
from cmrbench.cli import main
from cmrbench.splits import salted_id
from cmrbench.store import StudyStore

HASHED_IDS = ("1000001", "1234567", "2500000", "3141592", "4000004", "5555555", "6000000",
              "SITE_A_MRN00012345", "SITE_B_MRN00099871", "P00001", "P00002", "P00003",
              "P00004", "P00005", "P00006", "P00007", "P00008", "P00009", "P00010", "P00011",
              "P00012")
T, V, S = "train", "val", "test"
PT, PV, DT, DV, DS = ("pretrain/train", "pretrain/val", "downstream/train", "downstream/val",
                      "downstream/test")
GOLDEN = {
    "acdc": ("9f3e386f987da5489c9ff790d3fe60e08f6b7ffdc0a160319bb980528ae5ce98",
             {"patient001": T, "patient100": T, "patient101": S, "patient150": S}),
    "kaggle-dsb": ("687a02193c173ac6382e41eb958ca13b8e6e5fd2c6481a245c0fba5e903de24c",
                   {"1": T, "500": T, "501": V, "700": V, "701": S, "1140": S}),
    "ukbb": ("bb8983a68dbf2a97f74350fab5e2c4b97155de75609cfa6f6b1d412b157cc880",
             dict(zip(HASHED_IDS, (T, V, T, T, T, T, T, T, T, T, T, V, T, S, T, S, T, S, T, T,
                                   T), strict=True))),
    "clinical": ("b9159d16696b80305be23c42b611281773e05ac9a503ee1241ef42d40cf629f3",
                 dict(zip(HASHED_IDS, (DT, PT, DV, PT, PT, DV, DT, PV, DS, PT, PT, PV, PV, PT,
                                       PT, DS, PT, PT, PT, PT, PV), strict=True))),
    "phantom": ("19e5103608b8285b2a495adef1d0eb6e50c181e7264f083842df0243c7bd08ce",
                dict(zip(HASHED_IDS, (S, S, V, T, S, T, S, T, T, T, T, V, T, S, V, T, T, V, V,
                                      T, T), strict=True))),
}
BUMP = ("a split rule changed: if deliberate, give it a new salt, update GOLDEN in this file "
        "and add a **(scores)** CHANGELOG entry")


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_each_card_split_rule_is_frozen(name):
    rule = load_card(card_path(name)).split
    expected_hash, assignment = GOLDEN[name]
    assert rule.sha256 == expected_hash, f"{name}: {BUMP}"
    assert {key: rule.assign(key, key) for key in assignment} == assignment, f"{name}: {BUMP}"


def test_the_hashed_golden_ids_reach_every_split():
    for name in ("ukbb", "clinical", "phantom"):
        rule = load_card(card_path(name)).split
        names = [f"{a}/{b}" for a in rule.ratios for b in rule.then.get(a, {})] or list(
            rule.ratios)
        assert set(GOLDEN[name][1].values()) == set(names), name


def test_ingest_card_is_honoured(clinical, tmp_path):
    """`cmrbench ingest --card` replaces the built-in card: its split rule, ID salt and view
    map decide what is written."""
    text = card_path("clinical").read_text()
    text = text.replace("id_salt: cmrbench-clinical-v1", "id_salt: site-local-v7")
    start, end = text.index("split:"), text.index("id_salt:")
    text = text[:start] + "split:\n  method: hash\n  salt: local\n  ratios: {holdout: 1}\n" + (
        text[end:])
    text = text.replace('view: 3CH}', 'view: 2CH}')  # the 3CH rule now files 3CH as 2CH
    edited = tmp_path / "card.yaml"
    edited.write_text(text)
    study_dir = sorted((clinical.source / "dicom").glob("*/*"))[0]
    source = tmp_path / "src"
    shutil.copytree(study_dir, source / study_dir.relative_to(clinical.source))
    store = tmp_path / "store"
    assert main(["ingest", "clinical", str(source), "--out", str(store),
                 "--card", str(edited), "--workers", "1", "--no-progress"]) == 0
    written = StudyStore(store)
    assert written.study_ids == [salted_id("site-local-v7", f"study:{study_dir.name}")]
    assert set(written.index["split"]) == {"holdout"}
    report = json.loads((store / "ingest_report.json").read_text())
    assert report["split_sha256"] == load_card(edited).split.sha256
    for study in written.study_ids:
        assert "3CH" not in written.views(study)
