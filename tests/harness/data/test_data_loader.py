"""make_loader: the DataLoader defaults in one place, epochs that reach persistent workers,
and batches that leave the workers in shared memory."""

import pytest
import torch
from cmrbench.data import ClipDataset, EpochSampler, StudyBagDataset, make_loader
from cmrbench.data.bags import collate_bags
from cmrbench.data.clips import collate_clips
from cmrbench.specs import VideoInput
from torch.utils.data import DataLoader

CONTRACT = VideoInput(frames=4, height=16, width=16)


def test_defaults_pin_for_cuda_keep_workers_and_prefetch(store_path):
    dataset = StudyBagDataset(store_path, CONTRACT)
    loader = make_loader(dataset, 2, workers=1, device="cuda:0")
    assert loader.pin_memory and loader.persistent_workers and loader.num_workers == 1
    assert loader.prefetch_factor == 4 and loader.collate_fn is collate_bags
    assert isinstance(loader.sampler, EpochSampler)
    serial = make_loader(ClipDataset(store_path, CONTRACT), 2, workers=0, device="cpu")
    assert not serial.pin_memory and not serial.persistent_workers
    assert serial.collate_fn is collate_clips
    with pytest.raises(ValueError, match="batch_size must be at least 1"):
        make_loader(dataset, 0)


def test_epoch_sampler_shuffles_reproducibly_and_tags_each_index_with_its_epoch():
    sampler = EpochSampler(50, shuffle=True, seed=7)
    orders = {}
    for epoch in (0, 1, 0):
        sampler.set_epoch(epoch)
        pairs = list(sampler)
        assert {e for e, _ in pairs} == {epoch} and sorted(i for _, i in pairs) == list(range(50))
        assert orders.setdefault(epoch, pairs) == pairs
    assert [i for _, i in orders[0]] != [i for _, i in orders[1]]
    assert [i for _, i in EpochSampler(5)] == list(range(5))


def test_ranks_share_each_epoch_between_them_padded_by_wrapping_round():
    """torch's DistributedSampler convention (drop_last=False): every index at least once,
    ranks of equal length, the order padded from its start."""
    whole = EpochSampler(10, shuffle=True, seed=4)
    whole.set_epoch(2)
    order = [index for _, index in whole]
    shards = []
    for rank in range(4):
        sampler = EpochSampler(10, shuffle=True, seed=4, rank=rank, world_size=4)
        sampler.set_epoch(2)
        shards.append(list(sampler))
        assert len(shards[-1]) == len(sampler) == 3 and {e for e, _ in shards[-1]} == {2}
    interleaved = [shard[k][1] for k in range(3) for shard in shards]
    assert interleaved == order + order[:2]
    with pytest.raises(ValueError, match="outside a world of 2"):
        EpochSampler(10, rank=2, world_size=2)


def flatten(batches, key):
    return [value for batch in batches for value in batch[key]]


def test_persistent_workers_follow_the_epoch(store_path):
    """Workers keep their copy of the dataset, so dataset.set_epoch cannot reach them; the
    epoch travels with each index instead. Truth: the items this process builds after
    set_epoch, by plain index."""
    def dataset():
        return ClipDataset(store_path, CONTRACT, views="random-half-sax", train=True, seed=3)

    loader, truth = make_loader(dataset(), 4, shuffle=True, workers=2), dataset()
    for epoch in (0, 1):
        loader.sampler.set_epoch(epoch)
        truth.set_epoch(epoch)
        batches = list(loader)
        expected = [truth[index] for _, index in loader.sampler]
        assert flatten(batches, "slice") == [item["slice"] for item in expected]
        torch.testing.assert_close(torch.cat([b["frames"] for b in batches]),
                                   torch.stack([item["frames"] for item in expected]))
        torch.testing.assert_close(torch.cat([b["params"].geometry for b in batches]),
                                   torch.stack([item["params"].geometry for item in expected]))


@pytest.mark.parametrize("dataset_type", [ClipDataset, StudyBagDataset])
def test_worker_batches_are_born_in_shared_memory(store_path, dataset_type):
    """Born there, not moved there: a tensor in ordinary memory would be copied into shared
    memory when the worker queues it."""
    def collate_and_tell(items):
        batch = dataset_type.collate(items)
        batch["born shared"] = batch["frames"].is_shared()
        return batch

    loader = DataLoader(dataset_type(store_path, CONTRACT), batch_size=2, num_workers=1,
                        collate_fn=collate_and_tell)
    batch = next(iter(loader))
    assert batch["born shared"] and batch["frames"].dtype == torch.uint8
    assert not dataset_type.collate([dataset_type(store_path, CONTRACT)[0]])["frames"].is_shared()


@pytest.mark.parametrize(("length", "world"), [(7, 2), (5, 3), (2, 4), (0, 2), (10, 1)])
def test_exact_shards_hold_every_index_once_in_order(length, world):
    from cmrbench.data import ShardSampler
    shards = [list(ShardSampler(length, rank, world)) for rank in range(world)]
    assert [i for shard in shards for i in shard] == list(range(length))
    assert max(map(len, shards)) - min(map(len, shards)) <= 1
