"""Pretrained tags: ``<encoder>.<tag>`` names for the published checkpoints encoders declare.

A tag is an encoder's :class:`~cmrbench.specs.PretrainedWeights` under its full name, like
timm's ``resnet50.a1_in1k``: ``mvit-b-16x4.kinetics400``. Where the encoder is already known
(``cmrbench embed mvit-b-16x4 ... --weights kinetics400``) the short name is enough. This module
only names and finds tags; it imports no torch, so ``cmrbench ls`` stays fast.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cmrbench.specs import EncoderSpec, PretrainedWeights

if TYPE_CHECKING:
    from cmrbench.registry import Registry


class UnknownTagError(LookupError):
    """A tag that no installed encoder declares, or a short one several encoders declare."""


@dataclass(frozen=True)
class Tag:
    """One encoder's published checkpoint, under its full name ``<encoder>.<name>``."""

    encoder: str
    weights: PretrainedWeights

    @property
    def name(self) -> str:
        return f"{self.encoder}.{self.weights.name}"


def tags_of(spec: EncoderSpec) -> list[Tag]:
    """The tags ``spec`` declares, in its order."""
    return [Tag(spec.name, weights) for weights in spec.pretrained]


def all_tags(registry: Registry) -> list[Tag]:
    """Every tag the installed encoders declare, by encoder name."""
    return [tag for entry in registry.entries("encoder") for tag in tags_of(entry.spec)]


def tag_for(spec: EncoderSpec, value: str) -> Tag | None:
    """The tag of ``spec`` that ``value`` names, in full or by its short name; else None."""
    for tag in tags_of(spec):
        if value in (tag.name, tag.weights.name):
            return tag
    return None


def find_tag(registry: Registry, value: str) -> Tag:
    """The tag named ``value`` in full, or by a short name that only one encoder declares."""
    tags = all_tags(registry)
    full = [tag for tag in tags if tag.name == value]
    short = [tag for tag in tags if tag.weights.name == value]
    found = full or short
    if len(found) == 1:
        return found[0]
    names = sorted(tag.name for tag in tags)
    if found:
        raise UnknownTagError(f"{value!r} is a tag of several encoders; name one in full: "
                              f"{', '.join(sorted(t.name for t in found))}")
    close = difflib.get_close_matches(value, names, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    raise UnknownTagError(f"no installed encoder declares the tag {value!r}.{hint} Known tags: "
                          f"{', '.join(names) or 'none'} (`cmrbench ls encoders` lists them)")


def summary(weights: PretrainedWeights) -> list[str]:
    """Two lines for listings: accuracy, size and hash as published; then source and licence."""
    accuracy = ", ".join(f"{metric} {value:g}" for metric, value in weights.accuracy.items())
    size = f"{weights.size_mb:.1f} MB" if weights.size_mb else "size not published"
    checked = f"sha256 {weights.sha256}" if weights.sha256 else "no published hash"
    return [f"{accuracy or 'no published accuracy'} · {size} · {checked}",
            f"{weights.source or weights.url} · licence: {weights.licence}"]
