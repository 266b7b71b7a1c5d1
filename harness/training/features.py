"""The feature cache: a frozen encoder runs once per video, and every run on the store reuses it.

In ``linear`` and ``finetune`` modes the backbone does not train, so its output for a video is
a constant: it is computed once, for every video of every study (the view policy then picks
from the cached rows), and stored under a key that covers everything the numbers depend on:
the encoder and the version of the plugin that provides it, the weights file's sha256 (or the
random initialisation's seed), the input contract, the preprocessing, the store's index hash
and what is cached. A changed model or store gives a new key, never stale features.

An entry is a folder ``<cache>/<key>/`` with ``features.npy`` [videos, dim] (float32),
``videos.csv`` (study_id, view, slice) and ``key.json`` (the key's parts). It is written in a
temporary folder and renamed into place, so a reader sees a complete entry or none, and two
runs computing the same entry at once both succeed (the second rename finds the first's).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from cmrbench.embedding import embed_store
from cmrbench.specs import EncoderSpec

FORMAT_VERSION = 1
FEATURES, VIDEOS, KEY = "features.npy", "videos.csv", "key.json"


def feature_key(parts: Mapping[str, Any]) -> str:
    """The cache key: sha256 of the key's parts as canonical JSON."""
    payload = json.dumps({"format": FORMAT_VERSION, **parts}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class CachedFeatures:
    """Per-video features of a whole store, and where each study's videos are."""

    vectors: np.ndarray
    videos: pd.DataFrame
    key: str

    def rows_of(self) -> dict[str, dict[tuple[str, int], int]]:
        """study_id -> {(view, slice): row of ``vectors``}."""
        table: dict[str, dict[tuple[str, int], int]] = {}
        for row, (study, view, slice_index) in enumerate(
                zip(self.videos["study_id"], self.videos["view"], self.videos["slice"],
                    strict=True)):
            table.setdefault(study, {})[(view, int(slice_index))] = row
        return table


def cached_features(cache_dir: Path, parts: Mapping[str, Any], spec: EncoderSpec,
                    encoder: torch.nn.Module, store: Path, *, batch_size: int = 8,
                    device: str = "cpu", workers: int | None = None, features: bool = True,
                    progress: bool = True) -> CachedFeatures:
    """The cache entry for ``parts``, computing and storing it first if it is missing:
    the encoder's ``features(video)`` with ``features``, else its output embeddings."""
    key = feature_key(parts)
    entry = Path(cache_dir) / key
    if not (entry / KEY).exists():
        embeddings = embed_store(spec, encoder.eval(), store, split=None, views="all",
                                 batch_size=batch_size, device=device, workers=workers,
                                 progress=progress, features=features)
        _publish(entry, embeddings.vectors.astype(np.float32),
                 pd.DataFrame({"study_id": embeddings.study_id, "view": embeddings.view,
                               "slice": embeddings.slice}), {**parts, "key": key})
    return CachedFeatures(vectors=np.load(entry / FEATURES, mmap_mode="r"),
                          videos=pd.read_csv(entry / VIDEOS, dtype={"study_id": str}), key=key)


def _publish(entry: Path, vectors: np.ndarray, videos: pd.DataFrame,
             key: Mapping[str, Any]) -> None:
    entry.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{entry.name}.", dir=entry.parent))
    try:
        np.save(staging / FEATURES, vectors)
        videos.to_csv(staging / VIDEOS, index=False)
        (staging / KEY).write_text(json.dumps(key, indent=2, sort_keys=True, default=str))
        try:
            os.rename(staging, entry)
        except OSError:
            if not (entry / KEY).exists():  # not another run's complete entry: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
