"""The data pipeline: study store -> clips and study bags in an encoder's input contract.

The path splits at the device boundary. On the CPU (DataLoader workers) `ClipDataset` (one
item per video) and `StudyBagDataset` (one item per study) read each clip's uniformly
subsampled frames (`uniform_frame_indices`) of the videos a view policy selects
(`select_videos`) and hand them over as uint8 grey frames with their `ClipParams`
(`Handover`: intensity limits, geometry, AugMix draws). On the device `BatchTransform` turns
a collated batch into the encoder's input (resize, crop, clip-consistent AugMix,
normalisation). `make_loader` and `to_device` connect the two; `sample_sentences` samples
report sentences. `ReferenceClipTransform` is the one-clip CPU reference both halves are
tested against.
"""

from __future__ import annotations

import importlib
from typing import Any

# Each public name and the module that defines it. They load on first use (PEP 562), so that
# what needs only reports or view policies (task listing, `cmrbench ingest`) does not import
# torch with the clip pipeline.
_SOURCES = {
    "BatchTransform": "device",
    "ClipDataset": "clips",
    "ClipParams": "handover",
    "EpochSampler": "loader",
    "Handover": "handover",
    "ReferenceClipTransform": "reference",
    "ShardSampler": "loader",
    "Stream": "seeding",
    "StudyBagDataset": "bags",
    "VIEW_POLICIES": "views",
    "ViewPolicy": "views",
    "collate_bags": "bags",
    "collate_clips": "clips",
    "derive_rng": "seeding",
    "intensity_limits": "intensity",
    "make_loader": "loader",
    "sample_sentences": "reports",
    "scale_intensity": "reference",
    "select_videos": "views",
    "split_sentences": "reports",
    "to_device": "device",
    "uniform_frame_indices": "temporal",
}


def __getattr__(name: str) -> Any:
    if name not in _SOURCES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_SOURCES[name]}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_SOURCES})


__all__ = sorted(_SOURCES)
