"""Splits are rules, not ID lists: reproducible, proportionate, and hashed."""

import pytest
from cmrbench.splits import SplitError, SplitRule, salted_id, unit_hash


def test_hash_split_is_deterministic_and_proportionate():
    rule = SplitRule(method="hash", salt="ukbb-v1", ratios={"train": 8, "val": 1, "test": 1})
    patients = [str(1000000 + i) for i in range(5000)]
    first = [rule.assign(p) for p in patients]
    assert first == [rule.assign(p) for p in patients]
    for name, share in {"train": 0.8, "val": 0.1, "test": 0.1}.items():
        assert abs(first.count(name) / len(patients) - share) < 0.02


def test_nested_hash_split_names_both_levels():
    rule = SplitRule(method="hash", salt="clinical-v1", ratios={"pretrain": 75, "downstream": 25},
                     then={"downstream": {"train": 50, "val": 25, "test": 25}})
    names = [rule.assign(f"MRN{i}") for i in range(4000)]
    assert set(names) == {"pretrain", "downstream/train", "downstream/val", "downstream/test"}
    assert abs(names.count("pretrain") / 4000 - 0.75) < 0.03
    downstream = [n for n in names if n.startswith("downstream")]
    assert abs(downstream.count("downstream/train") / len(downstream) - 0.5) < 0.05


def test_salt_changes_the_split_and_its_hash():
    a = SplitRule(method="hash", salt="a", ratios={"train": 1, "test": 1})
    b = SplitRule(method="hash", salt="b", ratios={"train": 1, "test": 1})
    assert [a.assign(str(i)) for i in range(50)] != [b.assign(str(i)) for i in range(50)]
    assert a.sha256 != b.sha256 and len(a.sha256) == 64


def test_official_ranges_split_by_numeric_id():
    rule = SplitRule(method="ranges", ranges={"train": [[1, 500]], "val": [[501, 700]],
                                              "test": [[701, 1140]]})
    assert [rule.assign("p", k) for k in ("1", "500", "501", "1140")] == [
        "train", "train", "val", "test"]
    assert rule.assign("patient101", "patient101") == "train"
    with pytest.raises(SplitError, match="lies in no official range"):
        rule.assign("p", "2000")


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "hash", "ratios": {"a": 1}}, "split.salt"),
    ({"method": "hash", "salt": "s", "ratios": {"a": 0}}, "split.ratios"),
    ({"method": "hash", "salt": "s", "ratios": {"a": 1}, "then": {"b": {"x": 1}}}, "split.then.b"),
    ({"method": "ranges", "ranges": {"a": [[5, 1]]}}, "split.ranges.a"),
    ({"method": "random"}, "split.method"),
])
def test_bad_rules_name_the_field(kwargs, match):
    with pytest.raises(SplitError, match=match):
        SplitRule(**kwargs)


def test_hash_helpers_are_stable():
    assert 0 <= unit_hash("s", "k") < 1
    assert salted_id("s", "k") == salted_id("s", "k") != salted_id("t", "k")
    assert len(salted_id("s", "k")) == 16
