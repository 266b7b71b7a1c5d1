"""The feature cache: keyed on everything its numbers depend on, computed once, never stale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch
from cmrbench.registry import get_registry
from cmrbench.training import features
from cmrbench.training.features import cached_features, feature_key

PARTS = {"encoder": "r3d-18-tiny", "plugin": {"distribution": "cmrbench", "version": "0.1.0"},
         "weights": {"weights_sha256": "ab" * 32}, "exclude": [], "what": "features",
         "preprocessing": {"pipeline_version": 2}, "store_index_sha256": "cd" * 32}


@pytest.mark.parametrize("part", sorted(PARTS))
def test_every_part_of_the_key_changes_the_key(part):
    changed = {**PARTS, part: {"changed": True}}
    assert feature_key(changed) != feature_key(PARTS)
    assert feature_key(dict(reversed(PARTS.items()))) == feature_key(PARTS)


class Counting(torch.nn.Module):
    """An encoder whose features are each clip's mean grey level (content, not position)."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0
        self.projection = torch.nn.Linear(1, 512)

    def features(self, video: torch.Tensor) -> torch.Tensor:
        self.calls += 1
        return video.mean(dim=(1, 2, 3, 4)).unsqueeze(1)

    def forward(self, video: torch.Tensor) -> torch.Tensor:
        return self.projection(self.features(video))


def test_an_entry_is_computed_once_and_rows_follow_their_videos(store_path, tmp_path):
    spec = get_registry().encoder("r3d-18-tiny")
    encoder = Counting()
    first = cached_features(tmp_path, PARTS, spec, encoder, store_path, batch_size=4,
                            workers=0, progress=False)
    calls = encoder.calls
    again = cached_features(tmp_path, PARTS, spec, encoder, store_path, workers=0,
                            progress=False)
    assert encoder.calls == calls > 0  # the second run read the cache
    assert np.array_equal(np.asarray(first.vectors), np.asarray(again.vectors))
    # every video of every study, each once
    videos = first.videos
    assert not videos.duplicated().any()
    assert len(videos) == 3 + 6 + 1 + 9 + 1 + 4  # the synthetic store's slices (conftest)
    rows = first.rows_of()
    assert rows["a"][("SAX", 5)] == int(np.flatnonzero(
        (videos["study_id"] == "a") & (videos["view"] == "SAX") & (videos["slice"] == 5))[0])


def test_a_reader_never_sees_a_half_written_entry_and_a_lost_race_is_not_an_error(tmp_path):
    entry = tmp_path / feature_key(PARTS)
    videos = pd.DataFrame({"study_id": ["a"], "view": ["4CH"], "slice": [0]})
    features._publish(entry, np.ones((1, 2), np.float32), videos, PARTS)
    features._publish(entry, np.zeros((1, 2), np.float32), videos, PARTS)  # the loser
    assert np.load(entry / "features.npy").tolist() == [[1.0, 1.0]]
    assert sorted(p.name for p in tmp_path.iterdir()) == [entry.name]  # no staging left
