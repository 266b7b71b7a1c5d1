"""What a check is looking at: a spec and the plugin that provides it, named in every failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from cmrbench.hookspecs import SPEC_BY_KIND
from cmrbench.registry import Entry, Provider, UnknownNameError, credit, find_provider, get_registry
from cmrbench.specs import Spec
from cmrbench.testing._errors import ConformanceError


@dataclass(frozen=True)
class Subject:
    """A spec under check and its provider (None: no installed distribution ships it)."""

    kind: str
    spec: Spec
    provider: Provider | None

    def __str__(self) -> str:
        return f"{self.kind} {self.spec.name!r} ({credit(self.provider)})"

    def fail(self, problem: str, fix: str) -> NoReturn:
        raise ConformanceError(str(self), problem, fix)


def resolve(kind: str, target: str | Entry | Spec) -> Subject:
    """The subject for a name (looked up among the installed plugins, as cmrbench does), a
    registry entry, or a bare spec (its provider found by :func:`find_provider`)."""
    if isinstance(target, Entry):
        return Subject(kind, target.spec, target.provider)
    if isinstance(target, str):
        try:
            return resolve(kind, get_registry().entry(kind, target))
        except UnknownNameError as exc:
            raise ConformanceError(f"{kind} {target!r}", f"no installed plugin provides it: {exc}",
                                   "install your distribution (`pip install -e .`) and check "
                                   "its [project.entry-points.cmrbench] table") from None
    spec_type = SPEC_BY_KIND[kind]
    if not isinstance(target, spec_type):
        raise TypeError(f"expected a {kind} name, registry Entry or {spec_type.__name__}, "
                        f"got {type(target).__name__}")
    return Subject(kind, target, find_provider(target))
