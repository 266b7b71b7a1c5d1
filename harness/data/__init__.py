"""The data pipeline: study store -> clips and study bags in an encoder's input contract.

Uniform temporal subsampling (`uniform_frame_indices`), the reference's view selection
(`select_videos`), intensity scaling, crops and clip-consistent AugMix (`ClipTransform`), and
report sentence sampling (`sample_sentences`), assembled into `ClipDataset` (one item per
video) and `StudyBagDataset` (one item per study) with their collate functions.
"""

from cmrbench.data.bags import StudyBagDataset, collate_bags
from cmrbench.data.clips import ClipDataset, collate_clips
from cmrbench.data.reports import sample_sentences, split_sentences
from cmrbench.data.seeding import Stream, derive_rng
from cmrbench.data.temporal import uniform_frame_indices
from cmrbench.data.transforms import ClipTransform, scale_intensity
from cmrbench.data.views import VIEW_POLICIES, ViewPolicy, select_videos

__all__ = [
    "VIEW_POLICIES",
    "ClipDataset",
    "ClipTransform",
    "Stream",
    "StudyBagDataset",
    "ViewPolicy",
    "collate_bags",
    "collate_clips",
    "derive_rng",
    "sample_sentences",
    "scale_intensity",
    "select_videos",
    "split_sentences",
    "uniform_frame_indices",
]
