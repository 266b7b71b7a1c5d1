"""Series every clinical export holds beside the cines, several named like cines.

A real study's folder also holds localizers, late gadolinium enhancement, a TI scout and a
black-blood stack. Their names come from the reference pipeline's census of clinical series
descriptions (cmr_toolkit's ``series_descriptions_master.csv``), picked so that the rules
this project used before checking content would have taken them as cines (``4CH_DHE`` as
4CH, ``SAX_T2_DIRFSE_BH`` as SAX). Their headers say what they are in the standard
attributes a scanner writes (PS3.3 C.8.3.1, Table C.8-4): ScanningSequence IR and an
InversionTime for late enhancement and the TI scout, SE for the black-blood fast spin echo,
one cardiac phase for the still images, ImageType LOCALIZER where GE marks its localizer.
A loader that stores any of them in place of a cine fails the truth test.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import NamedTuple

import numpy as np
from cmrbench.phantom.study import PhantomStudy
from cmrbench.phantom.writers._dicom import SeriesSpec, ds_text, phantom_uid

LOCALIZER, NAMED_LOCALIZER = "localizer", "cine_named_localizer"
LATE_ENHANCEMENT, TI_SCOUT, BLACK_BLOOD = "late_enhancement", "ti_scout", "black_blood"
AFTER_CINES = (TI_SCOUT, LATE_ENHANCEMENT)  # acquired after contrast, at the end of the study
BEFORE_CINES = (LOCALIZER, NAMED_LOCALIZER, BLACK_BLOOD)
# per vendor: the SeriesDescription and the plane of each confuser
NAMES: dict[str, dict[str, tuple[str, str]]] = {
    "SIEMENS": {LOCALIZER: ("localizer", "SAX"),
                NAMED_LOCALIZER: ("trufi_shortaxis_loc", "SAX"),
                LATE_ENHANCEMENT: ("4CH_DE_2DTI400__BH_PSIR", "4CH"),
                TI_SCOUT: ("SAX_MID_TI_SCOUT_CINE_IR", "SAX"),
                BLACK_BLOOD: ("SAX_TSE_DB_mBH", "SAX")},
    "GE MEDICAL SYSTEMS": {LOCALIZER: ("3-Plane Loc", "SAX"),
                           NAMED_LOCALIZER: ("LOC_SAX_FIESTA_BH", "SAX"),
                           LATE_ENHANCEMENT: ("4CH_DHE", "4CH"),
                           TI_SCOUT: ("4CH_CINE_IR", "4CH"),
                           BLACK_BLOOD: ("SAX_T2_DIRFSE_BH", "SAX")},
    "Philips Medical Systems": {LOCALIZER: ("Survey", "SAX"),
                                NAMED_LOCALIZER: ("SAX_localizer", "SAX"),
                                LATE_ENHANCEMENT: ("4CH_DELAYED_ENHANCEMENT_SENSE", "4CH"),
                                TI_SCOUT: ("4CH_CineIR", "4CH"),
                                BLACK_BLOOD: ("DB_T2TSE_SAX", "SAX")},
}
_STILL = {"CardiacNumberOfImages": 1}
_INVERTED = {"ScanningSequence": ["GR", "IR"], "SequenceVariant": ["SK", "SP", "MP"]}
_T1_BLOOD_MS = 1200.0  # pre-contrast blood, for the TI scout's signal nulling


class Confuser(NamedTuple):
    """One slice of a confuser series: its spec, pixels and header elements."""

    kind: str
    spec: SeriesSpec
    pixels: np.ndarray
    header: dict[str, object]


def confusers(study: PhantomStudy, kinds: tuple[str, ...], first_number: int
              ) -> Iterator[Confuser]:
    """The confuser series of ``kinds``, numbered from ``first_number`` in that order."""
    names = NAMES[study.vendor]
    for number, kind in enumerate(kinds, start=first_number):
        description, view = names[kind]
        uid = phantom_uid(study, "series", kind)
        yield from _BUILDERS[kind](study, view, SeriesSpec(view, 0, number, description, uid))


def _localizer(study: PhantomStudy, view: str, spec: SeriesSpec) -> Iterator[Confuser]:
    """Three orthogonal-ish planes (mid SAX, 4CH, 2CH), one image each, in one series."""
    flavour = "LOCALIZER" if study.vendor == "GE MEDICAL SYSTEMS" else "OTHER"
    header = {**_STILL, "ImageType": ["ORIGINAL", "PRIMARY", flavour]}
    for k, (plane, index) in enumerate((("SAX", study.views["SAX"].n_slices // 2),
                                        ("4CH", 0), ("2CH", 0))):
        plane_spec = dataclasses.replace(spec, view=plane, slice_index=index,
                                         first_instance=k + 1)
        yield Confuser(LOCALIZER, plane_spec, study.views[plane].cine[index, :1], header)


def _named_localizer(study: PhantomStudy, view: str, spec: SeriesSpec
                     ) -> Iterator[Confuser]:
    """A single-phase short-axis stack of every other slice: planning, not a cine."""
    header = {**_STILL, "ImageType": ["ORIGINAL", "PRIMARY", "OTHER"]}
    for k, index in enumerate(range(0, study.views[view].n_slices, 2)):
        slice_spec = dataclasses.replace(spec, slice_index=index, first_instance=k + 1)
        yield Confuser(NAMED_LOCALIZER, slice_spec, study.views[view].cine[index, :1], header)


def _late_enhancement(study: PhantomStudy, view: str, spec: SeriesSpec
                      ) -> Iterator[Confuser]:
    """One inversion-recovery image: nulled myocardium darkens everything but the brightest."""
    frame = study.views[view].cine[0, :1].astype(np.float32)
    top = max(float(frame.max()), 1.0)
    pixels = (top * (frame / top) ** 2.5).astype(np.uint16)
    header = {**_STILL, **_INVERTED, "InversionTime": ds_text(300.0)}
    yield Confuser(LATE_ENHANCEMENT, spec, pixels, header)


def _ti_scout(study: PhantomStudy, view: str, spec: SeriesSpec) -> Iterator[Confuser]:
    """A Look-Locker cine: every phase at a longer inversion time, blood nulled on the way."""
    index = study.views[view].n_slices // 2
    cine = study.views[view].cine[index].astype(np.float32)
    times = np.asarray(study.views[view].trigger_times) + 100.0
    recovery = np.abs(1.0 - 2.0 * np.exp(-times / _T1_BLOOD_MS))[:, None, None]
    header = {**_INVERTED, "InversionTime": ds_text(100.0)}
    yield Confuser(TI_SCOUT, dataclasses.replace(spec, slice_index=index),
                   (cine * recovery).astype(np.uint16), header)


def _black_blood(study: PhantomStudy, view: str, spec: SeriesSpec) -> Iterator[Confuser]:
    """A double-inversion fast-spin-echo stack of every other slice: blood signal suppressed."""
    header = {**_STILL, "ScanningSequence": ["SE", "IR"], "SequenceVariant": ["SK", "MP"],
              "InversionTime": ds_text(650.0), "EchoTime": ds_text(42.0)}
    for k, index in enumerate(range(0, study.views[view].n_slices, 2)):
        frame = study.views[view].cine[index, :1]
        blood = 0.6 * np.percentile(frame, 99.5)  # bright-blood cines: blood is brightest
        pixels = np.where(frame > blood, frame // 8, frame).astype(np.uint16)
        slice_spec = dataclasses.replace(spec, slice_index=index, first_instance=k + 1)
        yield Confuser(BLACK_BLOOD, slice_spec, pixels, header)


_BUILDERS = {LOCALIZER: _localizer, NAMED_LOCALIZER: _named_localizer,
             LATE_ENHANCEMENT: _late_enhancement, TI_SCOUT: _ti_scout,
             BLACK_BLOOD: _black_blood}
