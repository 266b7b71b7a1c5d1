"""What the data pipeline does to pixels before an encoder sees them, as a hashable record.

It is part of every result's provenance and of the feature cache's key: a change to the
pipeline's settings must never meet features or numbers computed under the old ones.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from cmrbench.data import transforms
from cmrbench.specs import VideoInput

PIPELINE_VERSION = 1


def preprocessing(contract: VideoInput) -> dict[str, Any]:
    """The evaluation-time pixel pipeline for ``contract`` (what cached features went through)."""
    return {"pipeline_version": PIPELINE_VERSION, "contract": asdict(contract),
            "intensity_percentiles": list(transforms.PERCENTILES),
            "zoom": list(transforms.ZOOM), "temporal": "uniform"}
