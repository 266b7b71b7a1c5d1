"""Clip and study-bag datasets over a store: the right videos, frames, labels and batches.

Items hand over uint8 frames [T, S, S] and their ClipParams; the dataset's batch transform
turns a collated batch into the encoder's input."""

import numpy as np
import pytest
import torch
from cmrbench.data import (
    ClipDataset,
    StudyBagDataset,
    collate_bags,
    collate_clips,
    split_sentences,
    uniform_frame_indices,
)
from cmrbench.specs import VideoInput
from cmrbench.store import StudyStore
from torch.utils.data import DataLoader

CONTRACT = VideoInput(frames=16, height=32, width=32)
# conftest's studies: a = 3 long axes + 6 SAX, b = 4CH + 9 SAX, c = 2CH + 4 SAX
REFERENCE = {"a": [("4CH", 0), ("2CH", 0), ("3CH", 0), ("SAX", 1), ("SAX", 3)],
             "b": [("4CH", 0), ("SAX", 1), ("SAX", 3), ("SAX", 5), ("SAX", 7)],
             "c": [("2CH", 0), ("SAX", 0), ("SAX", 2)]}
LABELS = {"a": {"lvef": 57.5, "group": "NOR"}, "b": {"lvef": 31.0, "group": "DCM"},
          "c": {"lvef": 62.0}}


def test_clip_dataset_has_one_item_per_selected_video_with_its_study_labels(store_path):
    dataset = ClipDataset(store_path, CONTRACT)
    items = [dataset[i] for i in range(len(dataset))]
    assert [(i["study_id"], i["view"], i["slice"]) for i in items] == [
        (study, view, index) for study, videos in REFERENCE.items() for view, index in videos]
    size = dataset.handover.size
    for item in items:
        assert item["frames"].shape == (16, size, size) and item["frames"].dtype == torch.uint8
        assert item["labels"] == LABELS[item["study_id"]]
    batch = collate_clips(items)
    video = dataset.batch_transform()(batch["frames"], batch["params"])
    assert video.shape == (len(items), 3, 16, 32, 32) and video.dtype == torch.float32


def test_a_clip_holds_the_uniformly_subsampled_frames_of_its_slice(store_path):
    # conftest frames are constant images rising 10 per frame, so after intensity scaling a
    # clip's frame values are its frame indices over the last index
    dataset = ClipDataset(store_path, CONTRACT)
    item = next(dataset[i] for i in range(len(dataset)) if dataset.items[i][0].study_id == "b"
                and dataset.items[i][1] == "SAX")
    expected = uniform_frame_indices(12, 16) / 11
    assert item["frames"][:, 5, 5].tolist() == np.rint(255 * expected).tolist()
    batch = collate_clips([item])
    video = dataset.batch_transform()(batch["frames"], batch["params"])[0]
    torch.testing.assert_close(video[0, :, 5, 5] * 0.225 + 0.45,
                               torch.tensor(expected, dtype=torch.float32), atol=0.5 / 255,
                               rtol=0)


def test_split_selects_studies_and_an_empty_split_is_an_error(store_path):
    assert {item[0].study_id for item in ClipDataset(store_path, CONTRACT, split="test").items} \
        == {"c"}
    with pytest.raises(ValueError, match=r"splits present: \['test', 'train'\]"):
        ClipDataset(store_path, CONTRACT, split="validation")


def test_random_half_sax_redraws_per_epoch_with_a_constant_length(store_path):
    dataset = ClipDataset(StudyStore(store_path), CONTRACT, views="random-half-sax", seed=3)
    draws = []
    for epoch in range(6):
        dataset.set_epoch(epoch)
        draws.append([(entry.study_id, view, index) for entry, view, index in dataset.items])
    assert {len(draw) for draw in draws} == {(3 + 3) + (1 + 5) + (1 + 2)}
    assert len({tuple(draw) for draw in draws}) > 1
    dataset.set_epoch(2)
    assert [(e.study_id, v, i) for e, v, i in dataset.items] == draws[2]


def same_item(first, second) -> bool:
    return torch.equal(first["frames"], second["frames"]) and all(
        torch.equal(a, b) for a, b in zip(first["params"], second["params"], strict=True))


def test_training_items_are_reproducible_from_seed_epoch_and_index(store_path):
    first = ClipDataset(store_path, CONTRACT, train=True, seed=1)
    again = ClipDataset(store_path, CONTRACT, train=True, seed=1)
    other = ClipDataset(store_path, CONTRACT, train=True, seed=2)
    assert same_item(first[4], again[4])
    assert not same_item(first[4], other[4])
    before = first[4]
    first.set_epoch(1)
    assert not same_item(first[4], before)
    assert same_item(first[4], again[(1, 4)]) and same_item(before, again[(0, 4)])


def test_dataloader_workers_build_the_same_items_as_the_main_process(store_path):
    dataset = ClipDataset(store_path, CONTRACT, train=True, seed=5)
    serial = next(iter(DataLoader(dataset, batch_size=len(dataset), collate_fn=collate_clips)))
    parallel = list(DataLoader(dataset, batch_size=4, num_workers=2, collate_fn=collate_clips))
    torch.testing.assert_close(torch.cat([batch["frames"] for batch in parallel]),
                               serial["frames"])
    for field, whole in zip(serial["params"]._fields, serial["params"], strict=True):
        parts = [getattr(batch["params"], field) for batch in parallel]
        torch.testing.assert_close(torch.cat(parts), whole)
    assert serial["frames"].shape[:2] == (len(dataset), 16)
    assert serial["labels"][0] == LABELS["a"] and serial["view"][:2] == ["4CH", "2CH"]


def test_report_sentences_come_only_from_studies_with_a_report(store_path):
    dataset = ClipDataset(store_path, CONTRACT, sentences=5)
    assert dataset.without_report == ["b"]
    assert {entry.study_id for entry, _, _ in dataset.items} == {"a", "c"}
    store = StudyStore(store_path)
    for item in (dataset[i] for i in range(len(dataset))):
        report = split_sentences(store.report(item["study_id"]))
        chosen = split_sentences(item["report"])
        assert len(chosen) == min(5, len(report)) and set(chosen) <= set(report)


def test_bag_dataset_has_one_bag_per_study_in_reference_order(store_path):
    dataset = StudyBagDataset(store_path, CONTRACT)
    assert len(dataset) == 3
    for index, (study_id, videos) in enumerate(REFERENCE.items()):
        item = dataset[index]
        assert item["study_id"] == study_id and item["labels"] == LABELS[study_id]
        assert list(zip(item["views"], item["slices"], strict=True)) == videos
        size = dataset.handover.size
        assert item["frames"].shape == (len(videos), 16, size, size)
        assert item["params"].geometry.shape == (len(videos), 2, 4)


def test_bag_of_random_half_sax_keeps_every_long_axis(store_path):
    item = StudyBagDataset(store_path, CONTRACT, views="random-half-sax", seed=4)[0]
    assert item["views"] == ["4CH", "2CH", "3CH", "SAX", "SAX", "SAX"]


def test_collate_pads_bags_of_different_sizes_and_masks_the_padding(store_path):
    dataset = StudyBagDataset(store_path, CONTRACT, sentences=2)
    items = [dataset[0], dataset[1]]  # a and c (b has no report): 5 and 3 videos
    batch = collate_bags(items)
    size = dataset.handover.size
    assert batch["frames"].shape == (2, 5, 16, size, size)
    assert batch["mask"].tolist() == [[True] * 5, [True] * 3 + [False] * 2]
    torch.testing.assert_close(batch["frames"][1, :3], items[1]["frames"])
    assert not batch["frames"][1, 3:].any()
    assert batch["params"].geometry.shape == (2, 5, 2, 4)
    video = dataset.batch_transform()(batch["frames"], batch["params"])
    assert video.shape == (2, 5, 3, 16, 32, 32)
    torch.testing.assert_close(video[1, 3:], torch.full_like(video[1, 3:], -0.45 / 0.225))
    assert batch["views"][1] == ["2CH", "SAX", "SAX"] and batch["study_id"] == ["a", "c"]
    assert batch["report"][1] == "One sentence only."


def test_collate_of_an_empty_batch_is_an_error():
    with pytest.raises(ValueError, match="empty batch"):
        collate_bags([])
    with pytest.raises(ValueError, match="empty batch"):
        collate_clips([])


def test_bad_dataset_options_are_errors_that_name_the_fix(store_path):
    with pytest.raises(ValueError, match="choose one of"):
        StudyBagDataset(store_path, CONTRACT, views="sax-only")
    with pytest.raises(ValueError, match="sentences must be at least 1"):
        ClipDataset(store_path, CONTRACT, sentences=0)
    with pytest.raises(FileNotFoundError, match="cmrbench ingest"):
        ClipDataset(store_path / "missing", CONTRACT)


def test_items_carry_copies_of_the_labels(store_path):
    dataset = ClipDataset(store_path, CONTRACT)
    dataset[0]["labels"]["lvef"] = -1.0
    assert dataset[0]["labels"] == LABELS["a"]
    assert np.isclose(dataset[1]["labels"]["lvef"], 57.5)
