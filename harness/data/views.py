"""Which videos of a study enter the pipeline: the view-selection policies of the reference.

A study's views map a name to its number of slices (long-axis views have one, the SAX stack
one per position, base to apex). A policy turns that into an ordered list of
(view, slice_index): long-axis views first in the order 4CH, 2CH, 3CH, then SAX slices in
stack order, so the same study always gives the same bag order.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

ViewPolicy = Literal["reference", "random-half-sax", "all"]
VIEW_POLICIES: tuple[str, ...] = ("reference", "random-half-sax", "all")
LONG_AXIS = ("4CH", "2CH", "3CH")


def reference_sax_slices(n_slices: int) -> list[int]:
    """The reference's SAX slices: drop the first and last when more than 5, then every second.

    The end slices of a stack often cut through the atria or below the apex; every second
    slice halves the compute with little loss (~7–8 videos per study with the long axes).
    """
    kept = list(range(n_slices))
    if n_slices > 5:
        kept = kept[1:-1]
    return kept[::2]


def random_half_sax_slices(n_slices: int, rng: np.random.Generator) -> list[int]:
    """A random half of the SAX slices (rounded up, so at least one), in stack order."""
    if n_slices < 1:
        return []
    chosen = rng.choice(n_slices, size=(n_slices + 1) // 2, replace=False)
    return sorted(int(i) for i in chosen)


def select_videos(views: dict[str, int], policy: ViewPolicy = "reference",
                  rng: np.random.Generator | None = None) -> list[tuple[str, int]]:
    """The (view, slice_index) pairs ``policy`` picks from a study's ``views``.

    - "reference": one video each of 4CH, 2CH, 3CH (those present) and
      `reference_sax_slices`: the multi-instance protocol of the reference code.
    - "random-half-sax": every long-axis slice and a random half of the SAX slices drawn
      from ``rng`` (the LVEF protocol); ``rng`` is required.
    - "all": every slice of every view.
    """
    if policy not in VIEW_POLICIES:
        raise ValueError(f"unknown view policy {policy!r}; choose one of {list(VIEW_POLICIES)}")
    if policy == "random-half-sax" and rng is None:
        raise ValueError("view policy 'random-half-sax' draws slices at random: pass "
                         "rng=np.random.default_rng(seed)")
    selected: list[tuple[str, int]] = []
    for view in LONG_AXIS:
        count = views.get(view, 0)
        slices = range(min(count, 1)) if policy == "reference" else range(count)
        selected.extend((view, i) for i in slices)
    n_sax = views.get("SAX", 0)
    if policy == "reference":
        sax = reference_sax_slices(n_sax)
    elif policy == "random-half-sax":
        sax = random_half_sax_slices(n_sax, rng)
    else:
        sax = list(range(n_sax))
    selected.extend(("SAX", i) for i in sax)
    return selected
