"""Sharded ingest: N jobs write one store together, each a fixed subset of the studies.

A study belongs to shard ``int(study_id, 16) % N``: its pseudonymous ID is a hash of its key,
so the subset depends on the study alone, never on the order the source lists it in, and a
re-run puts every study in the same shard. Shards write their studies into the shared store
and a shard report into ``STORE/ingest_shards/``; the index and ``ingest_report.json`` are
written once, from all N shard reports, in the order a single process would have written
them, so a sharded store is byte-identical to a single-process one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHARDS_DIR = "ingest_shards"
SHARD_PATTERN = re.compile(r"^(\d+)/(\d+)$")
# report fields that are lists of per-study items, merged in source order
PER_STUDY = ("written", "skipped", "rejected_studies", "rejected_files")
# report fields that map a study ID to its items, merged in source order
BY_STUDY = ("kept",)
# report fields every shard must agree on
SHARED = ("dataset", "split_sha256", "provenance")


class ShardError(ValueError):
    """A shard specification or a set of shard reports that cannot be used."""


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (0-based, so a SLURM array task ID is an index)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if self.count < 1 or not 0 <= self.index < self.count:
            raise ShardError(f"--shard {self.index}/{self.count}: the index must lie in "
                             f"0..{self.count - 1} and the count be at least 1 (e.g. 0/3, "
                             "1/3, 2/3 for three jobs)")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"I/N"`` -> Shard(I, N)."""
        match = SHARD_PATTERN.match(text.strip())
        if match is None:
            raise ShardError(f"--shard {text!r}: expected INDEX/COUNT, e.g. 0/3 (indices "
                             "start at 0, like SLURM array task IDs)")
        return cls(int(match.group(1)), int(match.group(2)))

    def holds(self, study_id: str) -> bool:
        """Whether the study with this pseudonymous (hex) ID belongs to this shard."""
        return int(study_id, 16) % self.count == self.index

    def report_path(self, store: Path) -> Path:
        return Path(store) / SHARDS_DIR / f"shard-{self.index}-of-{self.count}.json"


def shard_reports(store: Path, count: int) -> list[Path]:
    """The N shard report paths of a store (present or not), in shard order."""
    return [Shard(i, count).report_path(store) for i in range(count)]


def missing_shards(store: Path, count: int) -> list[int]:
    return [i for i, path in enumerate(shard_reports(store, count)) if not path.is_file()]


def merge_reports(store: Path, count: int, order: Sequence[str]) -> dict[str, Any]:
    """One ingest report from the N shard reports, its per-study items in ``order`` (the
    study IDs in source order), exactly as one process ingesting everything reports them."""
    missing = missing_shards(store, count)
    if missing:
        raise ShardError(f"cannot merge {count} shards of {store}: shard(s) {missing} have not "
                         f"finished (no report in {Path(store) / SHARDS_DIR}); run "
                         f"`cmrbench ingest ... --shard I/{count}` for each, then merge again")
    reports = [json.loads(path.read_text()) for path in shard_reports(store, count)]
    _check_agreement(reports, shard_reports(store, count))
    position = {study_id: i for i, study_id in enumerate(order)}
    merged = {name: reports[0][name] for name in SHARED}
    merged["source_studies"] = sum(int(r["source_studies"]) for r in reports)
    for name in PER_STUDY:
        items = [item for report in reports for item in report[name]]
        merged[name] = sorted(items, key=lambda item: _position(item, position))
    for name in BY_STUDY:
        studies = {study: value for report in reports for study, value in report[name].items()}
        merged[name] = {study: studies[study] for study in sorted(studies, key=lambda study:
                                                                   _position(study, position))}
    return merged


def _position(item: str | Mapping[str, Any], position: Mapping[str, int]) -> int:
    study = item if isinstance(item, str) else item["study"]
    if study not in position:
        raise ShardError(f"a shard report names study {study}, which the source no longer "
                         "lists; re-run every shard on the same source")
    return position[study]


def _check_agreement(reports: list[dict[str, Any]], paths: list[Path]) -> None:
    for name in SHARED:
        values = {json.dumps(r.get(name), sort_keys=True) for r in reports}
        if len(values) > 1:
            raise ShardError(f"the shard reports {[p.name for p in paths]} disagree on {name!r}:"
                             " every shard must ingest the same dataset with the same card and "
                             "harness; re-run the shards that differ")
