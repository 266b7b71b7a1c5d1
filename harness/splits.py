"""Frozen, hashed splits: official ID ranges, or patient-level salted-hash assignment.

A salted-hash split needs no ID list, so the split of a restricted cohort (UK Biobank, a
hospital's clinical set) is published as a rule (salt + ratios) that anyone holding the data
reproduces exactly, without the IDs ever leaving the site.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class SplitError(ValueError):
    """A split definition that cannot be used; the message names the field."""


def unit_hash(salt: str, key: str) -> float:
    """A uniform number in [0, 1) from sha256(salt:key): stable across machines and versions."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def salted_id(salt: str, key: str, length: int = 16) -> str:
    """A pseudonymous identifier for ``key`` (a patient or study ID): hex of sha256(salt:key)."""
    return hashlib.sha256(f"{salt}:{key}".encode()).hexdigest()[:length]


def _bucket(value: float, ratios: Mapping[str, float]) -> str:
    total, edge = sum(ratios.values()), 0.0
    for name, ratio in ratios.items():
        edge += ratio / total
        if value < edge:
            return name
    return list(ratios)[-1]


@dataclass(frozen=True)
class SplitRule:
    """How a dataset's studies are split, as data (from the dataset card).

    ``method`` is 'hash' (patient-level: ``ratios`` over a salted hash of the patient ID, then
    optionally ``then[name]`` ratios within a first-level split, named 'first/second') or
    'ranges' (official ID ranges: ``ranges[name] = [[low, high], ...]`` over integer IDs).
    """

    method: str
    salt: str = ""
    ratios: Mapping[str, float] = field(default_factory=dict)
    then: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    ranges: Mapping[str, list[list[int]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.method == "hash":
            if not self.salt:
                raise SplitError("split.salt: a hash split needs a non-empty salt")
            _check_ratios("split.ratios", self.ratios)
            for name, sub in self.then.items():
                if name not in self.ratios:
                    raise SplitError(f"split.then.{name}: not one of split.ratios "
                                     f"{list(self.ratios)}")
                _check_ratios(f"split.then.{name}", sub)
        elif self.method == "ranges":
            if not self.ranges:
                raise SplitError("split.ranges: a ranges split needs at least one named range")
            for name, spans in self.ranges.items():
                if not all(len(s) == 2 and s[0] <= s[1] for s in spans):
                    raise SplitError(f"split.ranges.{name}: each range must be [low, high] "
                                     f"with low <= high, got {spans}")
        else:
            raise SplitError(f"split.method: {self.method!r} is not 'hash' or 'ranges'")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SplitRule:
        known = {"method", "salt", "ratios", "then", "ranges"}
        unknown = sorted(set(data) - known)
        if unknown:
            raise SplitError(f"split: unknown field(s) {unknown}; known: {sorted(known)}")
        return cls(**data)

    def assign(self, patient_id: str, study_key: str | None = None) -> str:
        """The split of one patient (hash) or one study ID (ranges)."""
        if self.method == "ranges":
            return self._by_range(study_key if study_key is not None else patient_id)
        first = _bucket(unit_hash(self.salt, patient_id), self.ratios)
        if first not in self.then:
            return first
        second = _bucket(unit_hash(f"{self.salt}/{first}", patient_id), self.then[first])
        return f"{first}/{second}"

    def _by_range(self, key: str) -> str:
        digits = "".join(ch for ch in str(key) if ch.isdigit())
        if not digits:
            raise SplitError(f"study {key!r} has no numeric ID for an official range split")
        number = int(digits)
        for name, spans in self.ranges.items():
            if any(low <= number <= high for low, high in spans):
                return name
        raise SplitError(f"study ID {number} lies in no official range {dict(self.ranges)}")

    @property
    def sha256(self) -> str:
        """Hash of the rule itself: goes into every result's provenance."""
        payload = json.dumps({"method": self.method, "salt": self.salt,
                              "ratios": dict(self.ratios),
                              "then": {k: dict(v) for k, v in self.then.items()},
                              "ranges": {k: list(v) for k, v in self.ranges.items()}},
                             sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()


def _check_ratios(where: str, ratios: Mapping[str, float]) -> None:
    if not ratios or any(not isinstance(r, (int, float)) or r <= 0 for r in ratios.values()):
        raise SplitError(f"{where}: must map split names to positive numbers, got {ratios!r}")
