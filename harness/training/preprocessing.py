"""What the data pipeline does to pixels before an encoder sees them, as a hashable record.

It is part of every result's provenance and of the feature cache's key: a change to the
pipeline's settings must never meet features or numbers computed under the old ones. Bump
``PIPELINE_VERSION`` whenever the pipeline's arithmetic changes (and say so in CHANGELOG.md).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from cmrbench.data import geometry, intensity
from cmrbench.specs import VideoInput

# 2: the split path (uint8 hand-over windows, resize/crop/AugMix on the device)
PIPELINE_VERSION = 2


def preprocessing(contract: VideoInput) -> dict[str, Any]:
    """The evaluation-time pixel pipeline for ``contract`` (what cached features went through)."""
    return {"pipeline_version": PIPELINE_VERSION, "contract": asdict(contract),
            "handover": f"uint8, {intensity.GREY_LEVELS} grey levels",
            "intensity_percentiles": list(intensity.PERCENTILES),
            "zoom": list(geometry.ZOOM), "temporal": "uniform"}
