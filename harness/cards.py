"""Dataset cards: YAML that documents a dataset and configures how it is ingested and split.

A card is data, validated here at the edge: a wrong or missing field is reported with its
name and the card's path, before any file is read.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cmrbench.files import read_yaml_mapping
from cmrbench.resources import resource_dir
from cmrbench.specs import LABEL_KINDS
from cmrbench.splits import SplitError, SplitRoles, SplitRule
from cmrbench.store.record import VIEWS

REQUIRED = ("name", "title", "description", "source", "licence", "citation", "how_to_obtain",
            "layout", "views", "labels", "split", "id_salt")
OPTIONAL = ("view_map", "slice_numbering", "tasks", "notes", "roles")
SLICE_ENDS = ("base", "apex")


class CardError(ValueError):
    """A dataset card field is missing or malformed; the message names the card and field."""


@dataclass(frozen=True)
class ViewRule:
    """Series descriptions matching ``pattern`` (case-insensitive regex) are ``views``.

    One view labels a single-plane series (or, for SAX, a stack); several views label the
    planes of a multi-plane series in acquisition order (UK Biobank's single-series
    ``CINE_segmented_LAX``: 3CH, 4CH, 2CH). A ``skip`` rule names no view: the series it
    matches are left out, and ``skip`` says why in the ingest report (e.g. "a localizer").
    """

    pattern: re.Pattern[str]
    views: tuple[str, ...]
    skip: str = ""


@dataclass(frozen=True)
class SliceNumbering:
    """Where SAX slices are numbered: group 1 of ``pattern`` in the series description.

    ``first`` says which end slice 1 is (UK Biobank's ``CINE_segmented_SAX_b1`` is the base).
    Numbered slices are stored base to apex and keep one series per number.
    """

    pattern: re.Pattern[str]
    first: str = "base"

    def number(self, series_description: str) -> int | None:
        match = self.pattern.search(series_description)
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class DatasetCard:
    name: str
    title: str
    description: str
    source: str
    licence: str
    citation: str
    how_to_obtain: str
    layout: str
    views: tuple[str, ...]
    labels: Mapping[str, str]
    split: SplitRule
    id_salt: str
    view_map: tuple[ViewRule, ...] = ()
    slice_numbering: SliceNumbering | None = None
    tasks: tuple[str, ...] = ()
    roles: SplitRoles = SplitRoles()
    path: Path | None = None

    def rule_for(self, series_description: str) -> ViewRule | None:
        """The first view-map rule matching ``series_description``, or None."""
        return next((rule for rule in self.view_map
                     if rule.pattern.search(series_description)), None)

    def views_for(self, series_description: str) -> tuple[str, ...]:
        """The view(s) of the first matching rule, one per plane; () when none matches or
        the first match is a ``skip`` rule."""
        rule = self.rule_for(series_description)
        return () if rule is None else rule.views

    def why_unmapped(self, series_description: str) -> str:
        """Why a description maps to no view: its ``skip`` rule's reason, or that no rule
        matches it."""
        rule = self.rule_for(series_description)
        if rule is not None and rule.skip:
            return f"the card's view map leaves it out as {rule.skip}"
        return "no view_map rule matches it; add one to the card if it is a cine view"

    def view_for(self, series_description: str) -> str | None:
        """The one view a series description maps to, or None (also for multi-plane rules)."""
        views = self.views_for(series_description)
        return views[0] if len(views) == 1 else None


def card_path(name: str) -> Path:
    """Where the built-in card of dataset ``name`` lives: ``datasets/<name>/card.yaml``.

    Found through ``importlib.resources`` (``cmrbench.resources``), so it is the installed
    card, wherever the program runs from.
    """
    return resource_dir("datasets") / name / "card.yaml"


def load_card(path: Path | str) -> DatasetCard:
    """Read and validate one card."""
    path = Path(path)
    return _parse(path, read_yaml_mapping(path, what="card", error=CardError))


def _parse(path: Path, data: Mapping[str, Any]) -> DatasetCard:
    def fail(field: str, problem: str) -> CardError:
        return CardError(f"{path}: field {field!r}: {problem}")

    missing = [f for f in REQUIRED if f not in data]
    if missing:
        raise CardError(f"{path}: missing field(s) {missing}")
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise CardError(f"{path}: unknown field(s) {unknown}; known: "
                        f"{sorted(REQUIRED + OPTIONAL)}")
    for field in ("name", "title", "description", "source", "licence", "citation",
                  "how_to_obtain", "layout", "id_salt"):
        if not isinstance(data[field], str) or not data[field].strip():
            raise fail(field, "must be a non-empty string")
    views = tuple(data["views"] or ())
    if not views or any(v not in VIEWS for v in views):
        raise fail("views", f"must list views from {list(VIEWS)}, got {data['views']!r}")
    labels = data["labels"]
    if not isinstance(labels, Mapping) or any(k not in LABEL_KINDS for k in labels.values()):
        raise fail("labels", f"must map label name -> one of {list(LABEL_KINDS)}, "
                             f"got {labels!r}")
    try:
        split = SplitRule.from_mapping(data["split"])
    except (SplitError, TypeError) as exc:
        raise fail("split", str(exc)) from exc
    try:
        roles = SplitRoles.from_mapping(data.get("roles") or {})
    except (SplitError, TypeError, ValueError) as exc:
        raise fail("roles", str(exc)) from exc
    return DatasetCard(
        name=data["name"], title=data["title"], description=data["description"],
        source=data["source"], licence=data["licence"], citation=data["citation"],
        how_to_obtain=data["how_to_obtain"], layout=data["layout"], views=views,
        labels=dict(labels), split=split, id_salt=data["id_salt"],
        view_map=_view_map(fail, data.get("view_map") or []),
        slice_numbering=_slice_numbering(fail, data.get("slice_numbering")),
        tasks=tuple(data.get("tasks") or ()), roles=roles, path=path)


def _view_map(fail: Any, rules: list[Any]) -> tuple[ViewRule, ...]:
    return tuple(_view_rule(fail, f"view_map[{index}]", rule)
                 for index, rule in enumerate(rules))


def _view_rule(fail: Any, where: str, rule: Any) -> ViewRule:
    if not isinstance(rule, Mapping) or set(rule) not in ({"pattern", "view"},
                                                          {"pattern", "views"},
                                                          {"pattern", "skip"}):
        raise fail(where, f"must be {{pattern: REGEX, view: VIEW}}, "
                          f"{{pattern: REGEX, views: [VIEW, ...]}} or "
                          f"{{pattern: REGEX, skip: WHY}}, got {rule!r}")
    pattern = _regex(fail, f"{where}.pattern", rule["pattern"])
    if "skip" in rule:
        if not isinstance(rule["skip"], str) or not rule["skip"].strip():
            raise fail(f"{where}.skip", "must say why the series are left out, e.g. "
                                        "'a localizer'")
        return ViewRule(pattern, (), rule["skip"].strip())
    views = (rule["view"],) if "view" in rule else tuple(rule["views"] or ())
    unknown = [v for v in views if v not in VIEWS]
    if not views or unknown:
        raise fail(f"{where}.{'view' if 'view' in rule else 'views'}",
                   f"{unknown or views!r} is not one of {list(VIEWS)}")
    if len(views) > 1 and ("SAX" in views or len(set(views)) != len(views)):
        raise fail(f"{where}.views", f"{list(views)}: a multi-plane rule names distinct "
                                     "long-axis views; a SAX stack is `view: SAX`")
    return ViewRule(pattern, views)


def _slice_numbering(fail: Any, data: Any) -> SliceNumbering | None:
    if data is None:
        return None
    if not isinstance(data, Mapping) or not {"pattern"} <= set(data) <= {"pattern", "first"}:
        raise fail("slice_numbering", f"must be {{pattern: REGEX, first: base|apex}}, "
                                      f"got {data!r}")
    pattern = _regex(fail, "slice_numbering.pattern", data["pattern"])
    if pattern.groups != 1:
        raise fail("slice_numbering.pattern", "needs exactly one group capturing the number")
    first = data.get("first", "base")
    if first not in SLICE_ENDS:
        raise fail("slice_numbering.first", f"{first!r} is not one of {list(SLICE_ENDS)}")
    return SliceNumbering(pattern, first)


def _regex(fail: Any, where: str, text: Any) -> re.Pattern[str]:
    try:
        return re.compile(str(text), re.IGNORECASE)
    except re.error as exc:
        raise fail(where, f"not a valid regex: {exc}") from exc
