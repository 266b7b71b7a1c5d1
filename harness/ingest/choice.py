"""Which series becomes a view when several pass the checks: one documented, deterministic rule.

Among the candidates for one view (a long-axis view, or one SAX slice location or number):

1. the cine holding the most complete cardiac cycle wins
   (:func:`cmrbench.ingest.content.cycle_completeness`, compared in tenths so that repeats of
   one protocol, whose heart rates differ a little, tie);
2. among those, the most recent acquisition: highest SeriesNumber, then first InstanceNumber
   (an operator repeats a series because the first attempt failed; ukbb_cardiac and the
   Kaggle DSB FAQ keep the last);
3. SeriesInstanceUID and file name settle the rest, so the order of files on disk never
   matters.

Every other candidate is reported, and the ingest report's ``kept`` names the winner and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol, TypeVar

from cmrbench.ingest.content import cycle_completeness

if TYPE_CHECKING:
    from cmrbench.ingest.dicom import Frame


class Candidate(Protocol):
    """A plane of one series: its frames, ordered first by acquisition."""

    @property
    def frames(self) -> tuple[Frame, ...]: ...

    @property
    def first(self) -> Frame: ...


C = TypeVar("C", bound=Candidate)


def completeness(candidate: Candidate) -> float:
    """The cycle completeness the rule compares, in tenths."""
    return round(cycle_completeness(candidate.frames), 1)


def preference(candidate: Candidate) -> tuple[float, int, int, str, str]:
    """Sort key: the candidate that compares greatest is kept."""
    first = candidate.first
    return (completeness(candidate), first.series_number, first.instance, first.series_uid,
            first.file)


def choose(candidates: Sequence[C]) -> tuple[C, list[C]]:
    """The kept candidate and the others, in their given order."""
    best = max(candidates, key=preference)
    return best, [c for c in candidates if c is not best]


def why_kept(best: Candidate, others: Sequence[Candidate]) -> str:
    """The rule that decided, in words, for the report's ``kept``."""
    if not others:
        return "the only series that passed the checks"
    runner_up = max(others, key=preference)
    count = len(others) + 1
    if completeness(best) > completeness(runner_up):
        return (f"the most complete cardiac cycle ({completeness(best):.1f} against at most "
                f"{completeness(runner_up):.1f}) of {count} candidates")
    return (f"the most recent of {count} candidates with equally complete cycles "
            f"({completeness(best):.1f})")


def why_not(loser: Candidate, best: Candidate) -> str:
    """The detail reported for a candidate that was not kept."""
    kept = f"series {best.first.series_number} kept"
    if completeness(best) > completeness(loser):
        return (f"{kept}: a more complete cardiac cycle ({completeness(best):.1f} against "
                f"{completeness(loser):.1f})")
    return f"{kept}: a later acquisition with an equally complete cycle"
