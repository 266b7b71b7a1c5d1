"""Dataset conformance: discovery yields studies, and they decode into declared views/labels."""

from __future__ import annotations

import numbers
from pathlib import Path
from typing import Any

from cmrbench.cards import load_card
from cmrbench.ingest import Decoded, SourceStudy, decode_dicom
from cmrbench.registry import Entry
from cmrbench.specs import DatasetSpec
from cmrbench.testing._subject import Subject, resolve

LABEL_TYPES = {
    "continuous": lambda v: isinstance(v, numbers.Real) and not isinstance(v, bool),
    "binary": lambda v: v in (0, 1, True, False),
    "categorical": lambda v: isinstance(v, str) and bool(v),
    "text": lambda v: isinstance(v, str),
}


def check_dataset(dataset: str | Entry | DatasetSpec, source: Path, *, limit: int = 2
                  ) -> list[Decoded]:
    """Discover studies in ``source`` and decode the first ``limit`` of them.

    ``dataset`` is a name (looked up among the installed plugins), a registry entry or a
    ``DatasetSpec``. Checks that discovery finds at least one study of :class:`SourceStudy`
    with files, that the card loads, and that each decoded study has views among
    ``spec.views`` and labels of the kinds ``spec.labels`` declares. A failure raises
    :class:`ConformanceError` naming the dataset and its plugin. Returns the decoded studies.
    """
    subject = resolve("dataset", dataset)
    spec: DatasetSpec = subject.spec  # type: ignore[assignment]
    if spec.card is None:
        subject.fail("DatasetSpec.card is None", "every dataset needs a card: ship "
                     "datasets/<name>/card.yaml and set card=Path(...) in the spec")
    card = load_card(spec.card)
    studies = list(spec.discover(Path(source)))
    if not studies:
        subject.fail(f"discover({source}) found no study",
                     "point source at a folder in the dataset's layout, or fix discover")
    decoded = []
    for study in studies[:limit]:
        if not isinstance(study, SourceStudy) or not study.files:
            subject.fail(f"discover yielded a {type(study).__name__} without files",
                         "yield cmrbench.ingest.SourceStudy records with their files")
        result = (spec.decode or decode_dicom)(study, card)
        _check_views(subject, result)
        _check_labels(subject, {**study.labels, **result.labels})
        decoded.append(result)
    return decoded


def _check_views(subject: Subject, result: Decoded) -> None:
    spec: DatasetSpec = subject.spec  # type: ignore[assignment]
    if not result.views:
        reasons = sorted({r.reason for r in result.rejected})
        subject.fail(f"a study decoded to no view (rejections: {reasons})",
                     "map its series descriptions to views in the card's view_map")
    undeclared = sorted(set(result.views) - set(spec.views))
    if undeclared:
        subject.fail(f"decoded views {undeclared} are not declared in DatasetSpec.views "
                     f"{list(spec.views)}", "declare them in DatasetSpec.views")


def _check_labels(subject: Subject, labels: dict[str, Any]) -> None:
    for name, kind in subject.spec.labels.items():  # type: ignore[union-attr]
        if name in labels and not LABEL_TYPES[kind](labels[name]):
            subject.fail(f"label {name!r} is declared {kind} but a study has {labels[name]!r}",
                         "convert the value, or declare the label's kind in DatasetSpec.labels")
