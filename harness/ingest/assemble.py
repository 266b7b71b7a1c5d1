"""Frames -> views: series are labelled by the card, split into planes, stacked and ordered.

The rules, each following a published convention:

- A series (SeriesNumber + SeriesInstanceUID) is labelled by its SeriesDescription through the
  card's view map, then split into planes by orientation and position. A labelled series must
  then pass the content checks of :mod:`cmrbench.ingest.content` (its acquisition by header,
  each plane a cine over one cardiac cycle, a long-axis plane not parallel to the SAX stack).
  A SAX series may hold many slices (GE and Philips stacks; UK Biobank's single
  ``CINE_segmented_SAX`` export). A long-axis series whose rule names several views gets one
  view per plane in acquisition order (UK Biobank's single ``CINE_segmented_LAX`` export
  holds 3Ch, 4Ch, 2Ch in that order, as ukbb_cardiac's ``biobank_utils.py`` splits it). A
  series holding more planes than its rule names views is refused, never mislabelled.
- SAX slices whose ImageOrientationPatient differs from the stack's are left out; the largest
  consistent stack is kept (kaggle-heart and CineMA group slices by orientation).
- Several candidates for one long-axis view: :mod:`cmrbench.ingest.choice` keeps the most
  complete cardiac cycle, then the most recent; ``Decoded.kept`` records which and why.
- A slice acquired twice keeps, by the same rule, its most complete then its last
  acquisition (highest SeriesNumber): per slice number where the card numbers slices
  (ukbb_cardiac keeps one series per ``CINE_segmented_SAX_bN``), and per slice location
  otherwise (the Kaggle DSB FAQ), two slices being one location when
  they lie closer than half a slice thickness (a repeat re-planned a few mm away).
- Stored order: base to apex by slice number (or, in a single-series stack, by acquisition
  order) where the card numbers slices; ascending position along the slice normal
  (row direction x column direction of ImageOrientationPatient) otherwise.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from cmrbench.ingest import choice, content, reasons
from cmrbench.ingest.dicom import Frame
from cmrbench.ingest.source import Decoded, Rejection
from cmrbench.store.record import ViewVolume, as_storage_dtype

if TYPE_CHECKING:
    from cmrbench.cards import SliceNumbering

ORIENTATION_TOLERANCE = 0.01  # direction cosines: about 0.6 degrees
ORDER_BY_NUMBER = "base to apex (slice number in the series description)"
ORDER_BY_ACQUISITION = "base to apex (acquisition order of a single-series stack)"
ORDER_ALONG_NORMAL = "ascending position along the slice normal (row x column direction)"
ORDER_ONE_SLICE = "one slice"
ViewsOf = Callable[[str], "tuple[str, ...] | str | None"]
WhyUnmapped = Callable[[str], str]


@dataclass(frozen=True)
class Plane:
    """The frames of one series at one position and orientation: one slice of a view."""

    view: str
    frames: tuple[Frame, ...]
    position: float = np.nan  # along the stack's normal, mm
    number: int | None = None

    @property
    def first(self) -> Frame:
        return min(self.frames, key=lambda f: (f.instance, f.file))

    @property
    def series_number(self) -> int:
        return self.first.series_number

    @property
    def recency(self) -> tuple[int, int]:
        """Later acquisitions compare greater: series number, then first instance."""
        return self.first.series_number, self.first.instance

    def rejections(self, reason: str, detail: str) -> list[Rejection]:
        return [Rejection(f.file, reason, detail) for f in self.frames]


def assemble_views(frames: list[Frame], view_of: ViewsOf, wanted: Collection[str],
                   numbering: SliceNumbering | None = None, *, checks: bool = True,
                   why_unmapped: WhyUnmapped | None = None) -> Decoded:
    """Group frames into views, leave out what the rules above refuse, and stack the rest.

    ``view_of`` maps a series description to its view(s): one name, a tuple naming one view
    per plane of a multi-plane series, or None (unmapped: rejected with the description and
    ``why_unmapped(description)``, so the card's view map can be extended). ``checks=False``
    trusts the names (frames built without headers, in tests of the assembly alone).
    """
    planes, rejected = _labelled_planes(frames, view_of, wanted, checks, why_unmapped)
    chosen, refused = _candidates_chosen(planes, numbering, checks)
    rejected += refused
    views, kept = {}, {}
    for view, (candidates, order, why) in chosen.items():
        volume, stacked, problems = _stack(view, candidates, order)
        rejected += problems
        if volume is not None:
            views[view] = volume
            kept[view] = _kept(stacked, why)
    return Decoded(views, rejected, kept=kept)


def _labelled_planes(frames: list[Frame], view_of: ViewsOf, wanted: Collection[str],
                     checks: bool, why_unmapped: WhyUnmapped | None
                     ) -> tuple[dict[str, list[Plane]], list[Rejection]]:
    """Every plane that its series' name and content allow, by view, and the rest refused."""
    rejected: list[Rejection] = []
    planes: dict[str, list[Plane]] = defaultdict(list)
    for members in _series(frames):
        labelled, refused = _label(members, _as_views(view_of(members[0].description)), wanted,
                                   why_unmapped)
        if checks and labelled:
            labelled, refused = _screen(labelled)
        rejected += refused
        for plane in labelled:
            planes[plane.view].append(plane)
    return planes, rejected


def _candidates_chosen(planes: dict[str, list[Plane]], numbering: SliceNumbering | None,
                       checks: bool) -> tuple[dict[str, tuple[list[Plane], str, str]],
                                              list[Rejection]]:
    """Per view (in the order series first met it): the planes to stack, their order and
    why they were chosen; and the candidates left out."""
    rejected: list[Rejection] = []
    chosen: dict[str, tuple[list[Plane], str, str]] = {}
    stack_normal = None
    if "SAX" in planes:
        stack, order, refused = _sax_stack(planes["SAX"], numbering)
        rejected += refused
        chosen["SAX"] = stack, order, _why_stack(refused)
        stack_normal = stack[0].first.normal
    for view, found in planes.items():
        if view == "SAX":
            continue
        if checks:
            found, refused = _agree_with_stack(view, found, stack_normal)
            rejected += refused
        if found:
            best, refused, why = _choose(found)
            rejected += refused
            chosen[view] = best, ORDER_ONE_SLICE, why
    return {view: chosen[view] for view in planes if view in chosen}, rejected


def _screen(planes: list[Plane]) -> tuple[list[Plane], list[Rejection]]:
    """The planes of one labelled series that pass the content checks, and the rejections:
    the whole series when its acquisition is not a cine's, else each plane that is no cine."""
    refusal = content.acquisition_refusal([f for p in planes for f in p.frames])
    if refusal is not None:
        detail = _about(planes[0], refusal)
        return [], [r for p in planes for r in p.rejections(refusal.reason, detail)]
    return _passing(planes, lambda plane: content.cine_refusal(plane.frames))


def _agree_with_stack(view: str, planes: list[Plane], stack_normal: np.ndarray | None
                      ) -> tuple[list[Plane], list[Rejection]]:
    """The long-axis planes whose orientation can be ``view`` beside the SAX stack."""
    return _passing(planes, lambda plane: content.plane_refusal(view, plane.first.normal,
                                                               stack_normal))


def _passing(planes: list[Plane], refusal_of: Callable[[Plane], content.Refusal | None]
             ) -> tuple[list[Plane], list[Rejection]]:
    kept, rejected = [], []
    for plane in planes:
        refusal = refusal_of(plane)
        if refusal is None:
            kept.append(plane)
        else:
            rejected += plane.rejections(refusal.reason, _about(plane, refusal))
    return kept, rejected


def _about(plane: Plane, refusal: content.Refusal) -> str:
    return f"series {plane.series_number} ({plane.first.description!r}): {refusal.detail}"


def _choose(planes: list[Plane]) -> tuple[list[Plane], list[Rejection], str]:
    """A long-axis view keeps one candidate, by the rule of :mod:`cmrbench.ingest.choice`."""
    best, others = choice.choose(planes)
    rejected = [r for p in others
                for r in p.rejections(reasons.NOT_CHOSEN, choice.why_not(p, best))]
    best = dataclasses.replace(best, position=_along(best.first, best.first.normal))
    return [best], rejected, choice.why_kept(best, others)


def _why_stack(refused: list[Rejection]) -> str:
    text = "the largest stack of parallel slices, one series per slice"
    if any(r.reason == reasons.REPEATED_SERIES for r in refused):
        text += ("; of a slice acquired more than once, the most complete cardiac cycle, then "
                 "the most recent series")
    return text


def _kept(planes: list[Plane], why: str) -> dict[str, object]:
    """The report's record of a view: its series in stored order, and why."""
    series: dict[tuple[int, str], str] = {}
    for plane in planes:
        series.setdefault((plane.series_number, plane.first.series_uid),
                          plane.first.description)
    return {"series": [{"number": number, "description": description}
                       for (number, _), description in series.items()],
            "reason": why}


def _as_views(mapped: tuple[str, ...] | str | None) -> tuple[str, ...]:
    if mapped is None:
        return ()
    return (mapped,) if isinstance(mapped, str) else tuple(mapped)


def _series(frames: Iterable[Frame]) -> list[list[Frame]]:
    """Frames grouped by series, in ascending series number."""
    by_series: dict[tuple[int, str], list[Frame]] = defaultdict(list)
    for frame in frames:
        by_series[(frame.series_number, frame.series_uid)].append(frame)
    return [by_series[key] for key in sorted(by_series)]


def _planes(members: list[Frame]) -> list[tuple[Frame, ...]]:
    """A series' frames split by orientation and position, in acquisition order."""
    groups: dict[tuple, list[Frame]] = defaultdict(list)
    for frame in members:
        orientation = None if frame.orientation is None else tuple(
            round(v, 3) for v in frame.orientation)
        groups[(orientation, frame.position_mm)].append(frame)
    ordered = sorted(groups.values(), key=lambda g: min((f.instance, f.file) for f in g))
    return [tuple(group) for group in ordered]


def _label(members: list[Frame], views: tuple[str, ...], wanted: Collection[str],
           why_unmapped: WhyUnmapped | None = None) -> tuple[list[Plane], list[Rejection]]:
    """The planes of one series, each labelled with its view, or the series' rejection."""
    first = members[0]
    description = first.description
    if not views:
        why = why_unmapped(description) if why_unmapped else "add a view_map rule to the card"
        return [], [Rejection(f.file, reasons.UNMAPPED, f"{description!r}: {why}")
                    for f in members]
    outside = [v for v in views if v not in wanted]
    if outside:
        return [], [Rejection(f.file, reasons.VIEW_NOT_IN_DATASET,
                              f"{description!r} maps to {', '.join(outside)}; the card lists "
                              f"{sorted(wanted)}") for f in members]
    planes = _planes(members)
    if views == ("SAX",):  # a stack: every plane is a slice
        return [Plane(views[0], p) for p in planes], []
    if len(planes) != len(views):
        return [], [Rejection(f.file, reasons.MULTI_PLANE,
                              f"series {first.series_number} ({description!r}) holds "
                              f"{len(planes)} planes but its view_map rule names "
                              f"{list(views)}; name one view per plane, in acquisition order, "
                              "with `views: [...]`") for f in members]
    return [Plane(view, p) for view, p in zip(views, planes, strict=True)], []


def _sax_stack(planes: list[Plane], numbering: SliceNumbering | None
               ) -> tuple[list[Plane], str, list[Rejection]]:
    """One consistent stack: one orientation, one plane per slice, in the stored order."""
    kept, rejected = _one_orientation(planes)
    normal = kept[0].first.normal
    kept = [dataclasses.replace(p, position=_along(p.first, normal)) for p in kept]
    numbers, order = _numbers(kept, numbering)
    if numbers is not None:
        kept = [dataclasses.replace(p, number=n) for p, n in zip(kept, numbers, strict=True)]
        kept, repeats = _last_per_number(kept)
        rejected += repeats
    kept, repeats = _last_per_location(kept)
    rejected += repeats
    if numbers is None:
        return sorted(kept, key=lambda p: p.position), ORDER_ALONG_NORMAL, rejected
    descending = numbering is not None and numbering.first == "apex"
    return sorted(kept, key=lambda p: p.number, reverse=descending), order, rejected


def _along(frame: Frame, normal: np.ndarray | None) -> float:
    """The frame's position along the stack's normal (its own position without geometry)."""
    if normal is None or frame.origin is None:
        return frame.position_mm
    return round(float(np.dot(normal, frame.origin)), 3)


def _same_orientation(a: Frame, b: Frame) -> bool:
    if a.orientation is None or b.orientation is None:
        return a.orientation is b.orientation
    difference = np.abs(np.subtract(a.orientation, b.orientation))
    return bool(difference.max() < ORIENTATION_TOLERANCE)


def _one_orientation(planes: list[Plane]) -> tuple[list[Plane], list[Rejection]]:
    """The largest group of planes sharing one orientation (ties: the latest series)."""
    groups: list[list[Plane]] = []
    for plane in planes:
        group = next((g for g in groups if _same_orientation(g[0].first, plane.first)), None)
        if group is None:
            groups.append([plane])
        else:
            group.append(plane)
    kept = max(groups, key=lambda g: (len(g), max(p.recency for p in g)))
    stack = kept[0].first.orientation
    rejected = [r for group in groups if group is not kept for plane in group
                for r in plane.rejections(
                    reasons.OTHER_ORIENTATION,
                    f"series {plane.series_number}: ImageOrientationPatient "
                    f"{_fmt(plane.first.orientation)} differs from the stack's {_fmt(stack)} "
                    f"({len(kept)} slices)")]
    return kept, rejected


def _fmt(orientation: tuple[float, ...] | None) -> str:
    return "absent" if orientation is None else "[" + ", ".join(
        f"{v:.3f}" for v in orientation) + "]"


def _numbers(planes: list[Plane], numbering: SliceNumbering | None
             ) -> tuple[list[int] | None, str]:
    """Slice numbers from the descriptions, or a single series' acquisition order, or None."""
    if numbering is None:
        return None, ORDER_ALONG_NORMAL
    numbers = [numbering.number(p.first.description) for p in planes]
    if all(n is not None for n in numbers):
        return numbers, ORDER_BY_NUMBER
    series = {(p.first.series_number, p.first.series_uid) for p in planes}
    if len(series) == 1 and not any(n is not None for n in numbers):
        keys = [(p.first.instance, p.first.file) for p in planes]  # files are unique
        rank = {key: k + 1 for k, key in enumerate(sorted(keys))}
        return [rank[key] for key in keys], ORDER_BY_ACQUISITION
    return None, ORDER_ALONG_NORMAL


def _last_per_number(planes: list[Plane]) -> tuple[list[Plane], list[Rejection]]:
    by_number: dict[int, list[Plane]] = defaultdict(list)
    for plane in planes:
        by_number[plane.number].append(plane)
    kept, rejected = [], []
    for number, group in by_number.items():
        last, others = choice.choose(group)
        kept.append(last)
        rejected += [r for p in others for r in p.rejections(
            reasons.REPEATED_SERIES, f"slice {number} acquired again: {choice.why_not(p, last)}")]
    return kept, rejected


def _last_per_location(planes: list[Plane]) -> tuple[list[Plane], list[Rejection]]:
    """One plane per slice location: planes closer than half a slice thickness are repeats."""
    clusters: list[list[Plane]] = []
    for plane in sorted(planes, key=lambda p: p.position):
        tolerance = max(0.5 * plane.first.thickness, 0.1)
        if clusters and abs(plane.position - clusters[-1][0].position) < tolerance:
            clusters[-1].append(plane)
        else:
            clusters.append([plane])
    kept, rejected = [], []
    for cluster in clusters:
        last, others = choice.choose(cluster)
        kept.append(last)
        rejected += [r for p in others for r in p.rejections(
            reasons.REPEATED_SERIES,
            f"{abs(p.position - last.position):.1f} mm away; {choice.why_not(p, last)}")]
    return kept, rejected


def _ordered_cine(frames: Iterable[Frame]) -> tuple[list[Frame], list[Rejection]]:
    """Frames in time order (InstanceNumber without TriggerTime); a repeat keeps its last."""
    by_time: dict[tuple[float, int], Frame] = {}
    rejected = []
    for frame in sorted(frames, key=lambda f: (f.instance, f.file)):
        timed = not np.isnan(frame.trigger_ms)
        time_key = (frame.trigger_ms, 0) if timed else (0.0, frame.instance)
        if time_key in by_time:
            rejected.append(Rejection(by_time[time_key].file, reasons.REPEATED_FRAME,
                                      f"superseded by {frame.file}"))
        by_time[time_key] = frame
    return [by_time[k] for k in sorted(by_time)], rejected


def _stack(view: str, planes: list[Plane], order: str
           ) -> tuple[ViewVolume | None, list[Plane], list[Rejection]]:
    rejected: list[Rejection] = []
    cines: list[tuple[Plane, list[Frame]]] = []
    for plane in planes:
        ordered, repeats = _ordered_cine(plane.frames)
        rejected += repeats
        cines.append((plane, ordered))
    shapes = [(len(c), *c[0].pixels.shape) for _, c in cines]
    common = max(shapes, key=lambda shape: (shapes.count(shape), shape))  # ties: deterministic
    kept = []
    for (plane, cine), shape in zip(cines, shapes, strict=True):
        if shape != common or any(f.pixels.shape != common[1:] for f in cine):
            rejected += [Rejection(f.file, reasons.INCONSISTENT_GEOMETRY,
                                   f"{view} slice at {plane.position} mm has frames x size "
                                   f"{shape}, the rest of the view {common}") for f in cine]
        else:
            kept.append((plane, cine))
    if not kept:
        return None, [], rejected
    first = kept[0][1][0]
    cine = np.stack([np.stack([f.pixels for f in frames]) for _, frames in kept])
    times = np.array([f.trigger_ms for f in kept[0][1]], dtype=float)
    volume = ViewVolume(cine=as_storage_dtype(cine), pixel_spacing=first.spacing,
                        slice_thickness=first.thickness, frame_times_ms=times,
                        slice_positions_mm=np.array([p.position for p, _ in kept], dtype=float),
                        series_description=first.description, slice_order=order)
    return volume, [plane for plane, _ in kept], rejected
