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


ROLES = ("train", "val", "test")
PRETRAIN_ROLES = ("pretrain", "pretrain_val")


@dataclass(frozen=True)
class Holdout:
    """Patients of ``split`` set aside by a salted hash: a ``fraction`` of them, for a role the
    dataset has no split of its own for (ACDC's official split has no validation set)."""

    split: str
    fraction: float
    salt: str

    def holds(self, patient_id: str) -> bool:
        return unit_hash(self.salt, patient_id) < self.fraction


@dataclass(frozen=True)
class SplitRoles:
    """Which store split plays each benchmark role (train, val, test), from the card.

    A role names a split, or a :class:`Holdout` carved out of one by patient; the split it is
    carved from then loses those patients in every other role.

    Contrastive pretraining has roles of its own, ``pretrain`` and ``pretrain_val`` (the
    studies whose reports it trains and validates on), each naming one split. By default they
    are the ``train`` and ``val`` splits, as on the phantom; the clinical cards send them to
    ``pretrain/train`` and ``pretrain/val``, the patients kept apart from every downstream
    role.
    """

    train: str = "train"
    val: str | Holdout = "val"
    test: str = "test"
    pretrain: str = "train"
    pretrain_val: str = "val"

    def __post_init__(self) -> None:
        if self.pretrain == self.pretrain_val:
            raise SplitError(f"roles: pretrain and pretrain_val both name split "
                             f"{self.pretrain!r}; pretraining must validate on other studies "
                             "than it trains on")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> SplitRoles:
        known = ROLES + PRETRAIN_ROLES
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise SplitError(f"roles: unknown role(s) {unknown}; known: {list(known)}")
        values: dict[str, Any] = {}
        for role, value in data.items():
            if isinstance(value, str) and value:
                values[role] = value
            elif role == "val" and isinstance(value, Mapping):
                if set(value) != {"from", "holdout", "salt"}:
                    raise SplitError("roles.val: a held-out validation set is "
                                     "{from: SPLIT, holdout: FRACTION, salt: SALT}")
                if not 0 < float(value["holdout"]) < 1 or not value["salt"]:
                    raise SplitError("roles.val: holdout must lie in (0, 1) and salt be set")
                values[role] = Holdout(str(value["from"]), float(value["holdout"]),
                                       str(value["salt"]))
            else:
                raise SplitError(f"roles.{role}: must name a split, got {value!r}")
        return cls(**values)

    def role(self, split: str, patient_id: str) -> str | None:
        """The role of a study of ``split`` and ``patient_id``; None when it plays none."""
        if isinstance(self.val, Holdout) and split == self.val.split \
                and self.val.holds(patient_id):
            return "val"
        for role in ROLES:
            if getattr(self, role) == split:
                return role
        return None

    def pretrain_role(self, split: str) -> str | None:
        """The pretraining role (``pretrain`` or ``pretrain_val``) of a study of ``split``."""
        for role in PRETRAIN_ROLES:
            if getattr(self, role) == split:
                return role
        return None

    def as_dict(self) -> dict[str, Any]:
        val = self.val if isinstance(self.val, str) else {
            "from": self.val.split, "holdout": self.val.fraction, "salt": self.val.salt}
        return {"train": self.train, "val": val, "test": self.test,
                "pretrain": self.pretrain, "pretrain_val": self.pretrain_val}
