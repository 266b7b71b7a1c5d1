"""Which studies a run uses: roles from the card, targets from the task, label fractions."""

from __future__ import annotations

import pandas as pd
import pytest
from cmrbench.cards import card_path, load_card
from cmrbench.registry import get_registry
from cmrbench.splits import SplitRoles
from cmrbench.task import TaskError
from cmrbench.training.studies import fraction_patients, role_studies

PHANTOM = load_card(card_path("phantom"))
LVEF = get_registry().task("lvef").build(PHANTOM)


def index(n: int = 200) -> pd.DataFrame:
    splits = ["train"] * (n // 2) + ["val"] * (n // 4) + ["test"] * (n - n // 2 - n // 4)
    return pd.DataFrame({"study_id": [f"s{i}" for i in range(n)],
                         "patient_id": [f"p{i // 2}" for i in range(n)],  # two studies each
                         "split": splits,
                         "label:lvef": [float(i % 70) if i % 10 else "" for i in range(n)]})


def test_roles_follow_the_card_and_studies_without_targets_are_counted_not_used():
    test = role_studies(index(), SplitRoles(), LVEF, "test")
    assert set(test.splits) == {"test"}
    assert test.without_targets == 5 and len(test) == 45
    assert test.targets[:, 0].tolist() == [float(int(s[1:]) % 70) for s in test.study_ids]


def test_a_held_out_validation_role_is_carved_from_train_by_patient():
    acdc_roles = load_card(card_path("acdc")).roles
    table = index().assign(split=lambda t: ["train" if s != "test" else "test"
                                            for s in t["split"]])
    train = role_studies(table, acdc_roles, LVEF, "train")
    val = role_studies(table, acdc_roles, LVEF, "val")
    assert not set(train.patient_ids) & set(val.patient_ids)
    assert 0.1 < len(val) / (len(val) + len(train)) < 0.3
    assert set(train.study_ids) | set(val.study_ids) == set(
        table[(table["split"] == "train") & (table["label:lvef"] != "")]["study_id"])


def test_label_fractions_keep_whole_patients_and_are_nested():
    patients = [f"p{i}" for i in range(1000)]
    small, large = (fraction_patients(patients, f, seed=3) for f in (0.01, 0.1))
    assert small < large
    assert 50 <= len(large) <= 150 and 1 <= len(small) <= 25
    assert fraction_patients(patients, 0.1, seed=4) != large
    train = role_studies(index(), SplitRoles(), LVEF, "train", fraction=0.2, fraction_seed=1)
    counts = pd.Series(train.patient_ids).value_counts()
    assert len(counts) < 50 and set(counts) <= {1, 2}


def test_a_tiny_fraction_still_trains_on_one_patient():
    assert len(fraction_patients(["a", "b"], 1e-9, seed=0)) == 1


def test_a_role_the_store_lacks_is_named_with_the_card_mapping():
    with pytest.raises(TaskError, match="no study of the store plays the 'val' role"):
        role_studies(index().assign(split="train"), SplitRoles(), LVEF, "val")
