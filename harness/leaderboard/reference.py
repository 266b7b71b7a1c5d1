"""The benchmark's side of a submission: its test studies and their truth, read from a store.

The test studies are those the card's roles send to ``test`` that have the task's targets
(:func:`cmrbench.training.studies.role_studies`, exactly as a run chooses them), and their truth
is what a run writes: the task's targets, as float32 values widened to float64.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from cmrbench.files import sha256_file
from cmrbench.leaderboard.errors import LeaderboardError
from cmrbench.leaderboard.resolved import Resolved
from cmrbench.predictions import TRUTH
from cmrbench.store.index import INDEX_FILE, read_index
from cmrbench.task import TaskError

LABEL_PREFIX = "label:"


@dataclass(frozen=True)
class Reference:
    """The test studies of a benchmark in one store.

    ``table``: study_id, patient_id, split and ``truth:<target>`` columns, sorted by study;
    ``subgroups``: study_id and one column per subgroup label the store holds.
    """

    table: pd.DataFrame
    subgroups: pd.DataFrame
    store_index_sha256: str

    @property
    def study_ids(self) -> list[str]:
        return list(self.table["study_id"])

    @property
    def studies_sha256(self) -> str:
        return studies_sha256(self.study_ids)


def studies_sha256(study_ids: Iterable[str]) -> str:
    """sha256 of the sorted study IDs, one per line: pins a benchmark's test set."""
    return hashlib.sha256("\n".join(sorted(study_ids)).encode()).hexdigest()


def read_reference(resolved: Resolved, store: Path) -> Reference:
    """The benchmark's test studies and truth in ``store``."""
    from cmrbench.training.studies import role_studies  # loads Lightning: only when scoring

    index = read_index(Path(store))
    try:
        test = role_studies(index, resolved.card.roles, resolved.task, "test")
    except TaskError as exc:
        raise LeaderboardError(f"store {store}: {exc}") from None
    columns = {"study_id": test.study_ids, "patient_id": test.patient_ids, "split": test.splits}
    targets = np.asarray(test.targets, dtype=np.float64)
    columns.update({TRUTH + name: targets[:, i]
                    for i, name in enumerate(resolved.task.target_names)})
    table = pd.DataFrame(columns).sort_values("study_id", kind="stable").reset_index(drop=True)
    present = [s for s in resolved.benchmark.subgroups if LABEL_PREFIX + s in index.columns]
    rows = index.set_index("study_id").loc[table["study_id"], [LABEL_PREFIX + s for s in present]]
    subgroups = rows.rename(columns=lambda c: c[len(LABEL_PREFIX):]).astype(str).reset_index()
    return Reference(table=table, subgroups=subgroups,
                     store_index_sha256=sha256_file(Path(store) / INDEX_FILE))
