"""Content checks: is a named series really a cine of its view? Judged by its header and
geometry, never by its name.

A SeriesDescription is free text typed at the scanner; ``4CH_DHE`` (late enhancement) and
``LOC_SAX_FIESTA_BH`` (a localizer) look like cines to any name rule. Before a series may
become a view it must pass three checks, each reading standard DICOM attributes (PS3.3;
pydicom keywords in brackets):

- **Acquisition** (the whole series). Image Type (0008,0008) [ImageType]: value 3 onwards
  carries the image flavour, where LOCALIZER means "collected for the purpose of planning
  other images" (PS3.3 C.8.16.1.3, Table C.8-129) and vendors write map and phase images'
  kinds (``T1 MAP``, ``T2 MAP``, ``T2*``; ``P``, ``PHASE``, ``VELOCITY``). Scanning Sequence
  (0018,0020) [ScanningSequence], enumerated SE, IR, GR, EP, RM (PS3.3 C.8.3.1, Table C.8-4):
  SE is spin echo (black blood, FSE/TSE), IR inversion recovery. Sequence Variant (0018,0021)
  [SequenceVariant] MP is "MAG prepared". Inversion Time (0018,0082) [InversionTime] is
  present when the sequence inverts (late enhancement, TI scouts, MOLLI). Phase Contrast
  (0018,9014) [PhaseContrast] YES, Complex Image Component (0008,9208)
  [ComplexImageComponent] PHASE, Acquisition Contrast (0008,9209) [AcquisitionContrast]
  FLOW_ENCODED and Velocity Encoding Direction (0018,9090) [VelocityEncodingDirection] mark
  flow (PS3.3 C.8.13.3, C.8.13.5).
- **Cine** (each plane). At least :data:`MIN_PHASES` distinct Trigger Time (0018,1060)
  [TriggerTime] values, and as many announced by Cardiac Number of Images (0018,1090)
  [CardiacNumberOfImages] when stated; when the R-R interval is known (Nominal Interval
  (0018,1062) [NominalInterval], else 60000 / Heart Rate (0018,1088) [HeartRate]) the phases
  span between :data:`MIN_CYCLE` and :data:`MAX_CYCLE` of it: one cardiac cycle.
- **Plane** (long-axis views). A long-axis plane contains the heart's long axis, the normal
  of the short-axis stack: its own normal (row x column direction of Image Orientation
  (Patient) (0020,0037), PS3.3 C.7.6.2.1.1) lies more than :data:`MIN_LAX_ANGLE_DEG` from
  the stack's. (That the SAX slices are parallel is the stack's own rule, in ``assemble``.)

Each refusal names the attribute and value that decided it, with a reason from
:mod:`cmrbench.ingest.reasons`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pydicom
from cmrbench.ingest import reasons

if TYPE_CHECKING:
    from cmrbench.ingest.dicom import Frame

MIN_PHASES = 8  # fewer cannot resolve systole (the phantom's own floor for a cine)
MIN_CYCLE, MAX_CYCLE = 0.5, 1.5  # phases' span over the R-R interval: one cycle
MIN_LAX_ANGLE_DEG = 45.0  # a long-axis plane is nearer perpendicular to the stack than parallel
MAP_WORDS = ("T2*", "R2*", "ADC")  # beside any word holding MAP ("T1 MAP", "T2MAP")
PHASE_WORDS = ("P", "PHASE", "VELOCITY", "FLOW", "FLOW_ENCODED", "PCA")


@dataclass(frozen=True)
class Acquisition:
    """What a frame's header says about how it was acquired (see the module docstring).

    NaN and empty tuples stand for absent attributes; ``flow`` names the attribute that marks
    phase-contrast flow ('' when none does).
    """

    image_type: tuple[str, ...] = ()
    scanning_sequence: tuple[str, ...] = ()
    sequence_variant: tuple[str, ...] = ()
    inversion_ms: float = math.nan
    cardiac_images: int = 0
    rr_ms: float = math.nan
    flow: str = ""


@dataclass(frozen=True)
class Refusal:
    """Why a series or plane cannot be a view: a reason phrase and the evidence."""

    reason: str
    detail: str


def read_acquisition(ds: pydicom.Dataset) -> Acquisition:
    """The acquisition attributes of one dataset, tolerant of absent or malformed values."""
    heart_rate = _number(ds, "HeartRate")
    nominal = _number(ds, "NominalInterval")
    rr = nominal if nominal > 0 else (60000.0 / heart_rate if heart_rate > 0 else math.nan)
    return Acquisition(image_type=_words(ds, "ImageType"),
                       scanning_sequence=_words(ds, "ScanningSequence"),
                       sequence_variant=_words(ds, "SequenceVariant"),
                       inversion_ms=_number(ds, "InversionTime"),
                       cardiac_images=_count(ds, "CardiacNumberOfImages"),
                       rr_ms=rr, flow=_flow_evidence(ds))


def _words(ds: pydicom.Dataset, keyword: str) -> tuple[str, ...]:
    value = ds.get(keyword)
    if value is None or value == "":
        return ()
    values = [value] if isinstance(value, str) else list(value)
    return tuple(str(v).strip().upper() for v in values)


def _number(ds: pydicom.Dataset, keyword: str) -> float:
    try:
        value = ds.get(keyword)
        return math.nan if value is None or value == "" else float(value)
    except (TypeError, ValueError):
        return math.nan


def _count(ds: pydicom.Dataset, keyword: str) -> int:
    value = _number(ds, keyword)
    return int(value) if value > 0 else 0


def _flow_evidence(ds: pydicom.Dataset) -> str:
    if "YES" in _words(ds, "PhaseContrast"):
        return "PhaseContrast YES"
    if "PHASE" in _words(ds, "ComplexImageComponent"):
        return "ComplexImageComponent PHASE"
    if "FLOW_ENCODED" in _words(ds, "AcquisitionContrast"):
        return "AcquisitionContrast FLOW_ENCODED"
    if ds.get("VelocityEncodingDirection") is not None:
        return "VelocityEncodingDirection present"
    return ""


def acquisition_refusal(frames: Sequence[Frame]) -> Refusal | None:
    """Why these frames (one series) come from no cine acquisition, or None.

    Checked in this order, so each series gets the most specific reason: localizer, map,
    flow, spin echo (a double-inversion black-blood FSE is SE and IR), inversion recovery.
    """
    for acquisition in _distinct(frames):
        for check in (_localizer, _parametric_map, _flow, _spin_echo, _inversion_recovery):
            refusal = check(acquisition)
            if refusal is not None:
                return refusal
    return None


def _distinct(frames: Sequence[Frame]) -> list[Acquisition]:
    seen: dict[Acquisition, None] = {}
    for frame in frames:
        if frame.acquisition is not None:
            seen.setdefault(frame.acquisition)
    return list(seen)


def _localizer(a: Acquisition) -> Refusal | None:
    if "LOCALIZER" in a.image_type[2:]:
        return Refusal(reasons.LOCALIZER, f"ImageType {_joined(a.image_type)}")
    return None


def _parametric_map(a: Acquisition) -> Refusal | None:
    if any(w in MAP_WORDS or "MAP" in w for w in a.image_type[2:]):
        return Refusal(reasons.PARAMETRIC_MAP, f"ImageType {_joined(a.image_type)}")
    return None


def _flow(a: Acquisition) -> Refusal | None:
    if a.flow:
        return Refusal(reasons.FLOW, a.flow)
    if any(w in PHASE_WORDS for w in a.image_type[2:]):
        return Refusal(reasons.FLOW, f"ImageType {_joined(a.image_type)} (a phase image)")
    return None


def _spin_echo(a: Acquisition) -> Refusal | None:
    if "SE" in a.scanning_sequence:
        return Refusal(reasons.SPIN_ECHO,
                       f"ScanningSequence {_joined(a.scanning_sequence)}; cines are gradient "
                       "echo (GR)")
    return None


def _inversion_recovery(a: Acquisition) -> Refusal | None:
    evidence = []
    if "IR" in a.scanning_sequence:
        evidence.append(f"ScanningSequence {_joined(a.scanning_sequence)}")
    if a.inversion_ms > 0:
        evidence.append(f"InversionTime {a.inversion_ms:g} ms")
    if "MP" in a.sequence_variant:
        evidence.append(f"SequenceVariant {_joined(a.sequence_variant)} (MAG prepared)")
    if evidence:
        return Refusal(reasons.INVERSION_RECOVERY, ", ".join(evidence))
    return None


def _joined(words: tuple[str, ...]) -> str:
    return "\\".join(words)


def cine_refusal(frames: Sequence[Frame]) -> Refusal | None:
    """Why the frames of one plane are not a cine over one cardiac cycle, or None."""
    phases = _phases(frames)
    announced = max((f.acquisition.cardiac_images for f in frames
                     if f.acquisition is not None), default=0)
    if phases < MIN_PHASES:
        return Refusal(reasons.NOT_CINE, f"{phases} distinct TriggerTime value(s); a cine has "
                                         f"at least {MIN_PHASES}")
    if 0 < announced < MIN_PHASES:
        return Refusal(reasons.NOT_CINE, f"CardiacNumberOfImages {announced}; a cine has at "
                                         f"least {MIN_PHASES}")
    cycle, rr = _cycle_fraction(frames)
    if not MIN_CYCLE <= cycle <= MAX_CYCLE:
        return Refusal(reasons.NOT_CINE,
                       f"its {phases} phases span {cycle:.0%} of the R-R interval ({rr:g} ms); "
                       f"a cine spans one cardiac cycle ({MIN_CYCLE:.0%} to {MAX_CYCLE:.0%})")
    return None


def _trigger_times(frames: Sequence[Frame]) -> np.ndarray:
    times = np.array([f.trigger_ms for f in frames], dtype=float)
    return np.unique(times[~np.isnan(times)])


def _phases(frames: Sequence[Frame]) -> int:
    """Distinct trigger times; without any TriggerTime, the frame count (frames then follow
    InstanceNumber, see ``assemble``)."""
    times = _trigger_times(frames)
    return len(times) if len(times) else len(frames)


def _cycle_fraction(frames: Sequence[Frame]) -> tuple[float, float]:
    """(span of the phases plus one step) / R-R interval, and the interval; (1, nan) when
    either is unknown."""
    rr = next((f.acquisition.rr_ms for f in frames if f.acquisition is not None
               and f.acquisition.rr_ms > 0), math.nan)
    times = _trigger_times(frames)
    if math.isnan(rr) or len(times) < 2:
        return 1.0, rr
    span = times[-1] - times[0] + float(np.median(np.diff(times)))
    return span / rr, rr


def cycle_completeness(frames: Sequence[Frame]) -> float:
    """How much of one cardiac cycle a cine holds, 0 to 1: the smaller of the phases present
    over those CardiacNumberOfImages announces and their span over the R-R interval; 1 when
    the header states neither."""
    announced = max((f.acquisition.cardiac_images for f in frames
                     if f.acquisition is not None), default=0)
    present = _phases(frames) / announced if announced else 1.0
    return float(min(1.0, present, _cycle_fraction(frames)[0]))


def plane_refusal(view: str, normal: np.ndarray | None, stack_normal: np.ndarray | None
                  ) -> Refusal | None:
    """Why a long-axis plane with ``normal`` cannot be ``view`` beside a SAX stack with
    ``stack_normal`` (None when either orientation is unknown: nothing to compare)."""
    if normal is None or stack_normal is None:
        return None
    angle = math.degrees(math.acos(min(1.0, abs(float(np.dot(normal, stack_normal))))))
    if angle < MIN_LAX_ANGLE_DEG:
        return Refusal(reasons.PARALLEL_TO_STACK,
                       f"its plane is {angle:.0f} degrees from the SAX stack's; a {view} plane "
                       f"contains the long axis (more than {MIN_LAX_ANGLE_DEG:g} degrees)")
    return None
