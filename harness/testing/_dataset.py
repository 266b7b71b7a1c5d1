"""Dataset conformance: discovery yields studies, and they decode into declared views/labels."""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any

from cmrbench.cards import load_card
from cmrbench.ingest import Decoded, SourceStudy, decode_dicom
from cmrbench.specs import DatasetSpec
from cmrbench.testing._errors import ConformanceError

LABEL_TYPES = {
    "continuous": lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool),
    "binary": lambda v: v in (0, 1, True, False),
    "categorical": lambda v: isinstance(v, str) and bool(v),
    "text": lambda v: isinstance(v, str),
}


def check_dataset(spec: DatasetSpec, source: Path, *, limit: int = 2) -> list[Decoded]:
    """Discover studies in ``source`` and decode the first ``limit`` of them.

    Checks that discovery finds at least one study of :class:`SourceStudy` with files, that the
    card loads, and that each decoded study has views among ``spec.views`` and labels of the
    kinds ``spec.labels`` declares. Returns the decoded studies.
    """
    if spec.card is None:
        raise ConformanceError(f"{spec.name}: DatasetSpec.card is None; every dataset needs a "
                               "card (datasets/<name>/card.yaml)")
    card = load_card(spec.card)
    studies = list(spec.discover(Path(source)))
    if not studies:
        raise ConformanceError(f"{spec.name}: discover({source}) found no study")
    decoded = []
    for study in studies[:limit]:
        if not isinstance(study, SourceStudy) or not study.files:
            raise ConformanceError(f"{spec.name}: discover yielded {type(study).__name__} "
                                   "without files; yield cmrbench.ingest.SourceStudy")
        result = (spec.decode or decode_dicom)(study, card)
        _check_views(spec, result)
        _check_labels(spec, {**study.labels, **result.labels})
        decoded.append(result)
    return decoded


def _check_views(spec: DatasetSpec, result: Decoded) -> None:
    if not result.views:
        reasons = sorted({r.reason for r in result.rejected})
        raise ConformanceError(f"{spec.name}: a study decoded to no view (rejections: {reasons})")
    undeclared = sorted(set(result.views) - set(spec.views))
    if undeclared:
        raise ConformanceError(f"{spec.name}: decoded views {undeclared} are not declared in "
                               f"DatasetSpec.views {list(spec.views)}")


def _check_labels(spec: DatasetSpec, labels: dict[str, Any]) -> None:
    for name, kind in spec.labels.items():
        if name in labels and not LABEL_TYPES[kind](labels[name]):
            raise ConformanceError(f"{spec.name}: label {name!r} is declared {kind} but a study "
                                   f"has {labels[name]!r}")
