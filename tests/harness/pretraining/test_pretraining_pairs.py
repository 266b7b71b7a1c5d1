"""Which studies pretraining uses (the card's pretrain roles, only those with a report) and how
their videos pair with report sentences (conftest's store: a = train with a report, b = train
without one, c = test with a one-sentence report)."""

from __future__ import annotations

import pytest
import torch
from cmrbench.cards import card_path, load_card
from cmrbench.data import split_sentences
from cmrbench.data.views import select_videos
from cmrbench.pretraining.pairs import (
    PretrainingDataError,
    RandomVideoPairs,
    pair_dataset,
    pretraining_studies,
)
from cmrbench.specs import VideoInput
from cmrbench.splits import SplitError, SplitRoles
from cmrbench.store import StudyStore

CONTRACT = VideoInput(frames=4, height=32, width=32)
ROLES = SplitRoles(pretrain="train", pretrain_val="test")


def test_pretraining_studies_are_the_role_s_studies_with_a_report(store_path):
    index = StudyStore(store_path).index
    assert pretraining_studies(index, ROLES, "pretrain") == ["a"]  # b has no report
    assert pretraining_studies(index, ROLES, "pretrain_val") == ["c"]


def test_a_role_without_reported_studies_names_the_card_s_split_and_the_store_s(store_path):
    index = StudyStore(store_path).index
    with pytest.raises(PretrainingDataError, match=r"sends split 'val' to it .* splits are "
                                                   r"\['test', 'train'\].*roles.pretrain_val"):
        pretraining_studies(index, SplitRoles(), "pretrain_val")


def test_the_cards_name_the_pretraining_roles():
    """Phantom: its train and val splits (the default); clinical: the patients set apart for
    pretraining, never a downstream role."""
    phantom = load_card(card_path("phantom")).roles
    assert (phantom.pretrain, phantom.pretrain_val) == ("train", "val")
    for name in ("clinical", "clinical-h5"):
        roles = load_card(card_path(name)).roles
        assert (roles.pretrain, roles.pretrain_val) == ("pretrain/train", "pretrain/val")
        assert roles.role("pretrain/train", "p1") is None
        assert roles.pretrain_role("pretrain/val") == "pretrain_val"


def test_pretraining_cannot_validate_on_the_studies_it_trains_on():
    with pytest.raises(SplitError, match="pretrain and pretrain_val both name split 'train'"):
        SplitRoles.from_mapping({"pretrain": "train", "pretrain_val": "train"})


def test_random_video_pairs_draw_one_of_the_policy_s_videos_per_study_and_epoch(store_path):
    store = StudyStore(store_path)
    pairs = RandomVideoPairs(store, CONTRACT, views="reference", train=True, seed=3,
                             sentences=2, studies=["a", "c"])
    assert len(pairs) == 2
    allowed = select_videos({v: s[0] for v, s in store.shapes("a").items()}, "reference")
    drawn = {(pairs[epoch, 0]["view"], pairs[epoch, 0]["slice"]) for epoch in range(12)}
    assert drawn <= set(allowed) and len(drawn) >= 3  # a new draw each epoch
    first, again = pairs[5, 0], pairs[5, 0]
    assert torch.equal(first["frames"], again["frames"]) and first["report"] == again["report"]
    sentences = split_sentences(first["report"])
    assert len(sentences) == 2 and set(sentences) <= set(split_sentences(store.report("a")))


@pytest.mark.parametrize(("pairing", "length", "keys"), [
    ("random-video", 2, {"frames", "params", "report"}),
    ("every-video", 5 + 3, {"frames", "params", "report"}),   # a: 5 videos, c: 3
    ("study-mean", 2, {"frames", "params", "report", "mask"}),
])
def test_each_pairing_gives_its_items_and_batches(store_path, pairing, length, keys):
    dataset = pair_dataset(pairing, StudyStore(store_path), CONTRACT, ["a", "c"],
                           views="reference", sentences=5, train=False, augment=False, seed=0)
    assert len(dataset) == length
    batch = dataset.collate([dataset[i] for i in range(len(dataset))])
    assert keys <= set(batch)
    inputs = dataset.batch_transform()(batch["frames"], batch["params"])
    assert inputs.shape[-4:] == (3, 4, 32, 32)


def test_an_unknown_pairing_names_the_known_ones(store_path):
    with pytest.raises(ValueError, match="random-video"):
        pair_dataset("one-per-view", StudyStore(store_path), CONTRACT, ["a"],
                     views="reference", sentences=5, train=False, augment=False, seed=0)
